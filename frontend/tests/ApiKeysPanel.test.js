import { beforeEach, describe, expect, it, vi } from 'vitest'
import ApiKeysPanel from '../src/components/ApiKeysPanel.vue'
import { flushPromises, jsonResponse, mountView, signInAs, stubApi } from './helpers.js'
import { resetOrgs, useOrg } from '../src/composables/useOrg.js'

const PROD = { id: 'a1b2c3d4', name: 'prod', prefix: 'ak_1234abcd', created_at: '2026-11-01T10:00:00Z', last_used_at: null, rate_limit: null }
const button = (element, label) => element.findAll('button').find((candidate) => candidate.text() === label || candidate.attributes('aria-label') === label)
const byTestId = (wrapper, id) => wrapper.findAll(`[data-testid="${id}"]`)

function keysApi(keys, overrides = {}) {
  return stubApi({ 'GET /keys': () => ({ keys: keys.slice() }), ...overrides })
}

describe('ApiKeysPanel', () => {
  beforeEach(signInAs)

  it('creates a named, rate-limited key and shows it once with Copy', async () => {
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const keys = [PROD]
    const api = keysApi(keys, {
      'POST /keys': (call) => {
        const created = { id: 'e5f6a7b8', prefix: 'ak_9999ffff', created_at: '2026-11-30T10:00:00Z', ...call.body }
        keys.push({ ...created, last_used_at: null })
        return jsonResponse(201, { ...created, key: 'ak_9999ffff_secret' })
      },
    })
    const { wrapper } = await mountView(ApiKeysPanel)
    await wrapper.find('input[type="text"]').setValue('staging')
    await wrapper.find('input[type="checkbox"]').setValue(true)
    await wrapper.find('input[type="number"]').setValue('5')
    await wrapper.find('form').trigger('submit')
    await flushPromises()
    const [create] = api.callsTo('POST /keys')
    expect(create.body).toEqual({ name: 'staging', rate_limit: { requests: 5, per: 'second' } })
    expect(create.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(byTestId(wrapper, 'new-api-key')[0].text()).toBe('ak_9999ffff_secret')
    expect(byTestId(wrapper, 'key-limit').map((limit) => limit.text())).toEqual(['No limit', '5 per second'])
    expect(wrapper.find('input[type="text"]').element.value).toBe('')
    await button(wrapper, 'Copy').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith('ak_9999ffff_secret')
    await button(wrapper, 'Done').trigger('click')
    expect(byTestId(wrapper, 'new-api-key')).toHaveLength(0)
  })

  it('renames a key and changes its limit', async () => {
    const api = keysApi([PROD], {
      'PATCH /keys/a1b2c3d4': (call) => ({ ...PROD, ...call.body }),
    })
    const { wrapper } = await mountView(ApiKeysPanel)
    await button(wrapper, 'Edit prod').trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    await dialog.find('input[type="text"]').setValue('production')
    await dialog.find('input[type="checkbox"]').setValue(true)
    await dialog.find('select').setValue('minute')
    await button(dialog, 'Save').trigger('click')
    await flushPromises()
    expect(api.callsTo('PATCH /keys/a1b2c3d4')[0].body).toEqual({ name: 'production', rate_limit: { requests: 10, per: 'minute' } })
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(wrapper.find('.key-name').text()).toBe('production')
    expect(byTestId(wrapper, 'key-limit')[0].text()).toBe('10 per minute')
  })

  it('revokes only after a confirmation; cancelling keeps the key', async () => {
    const api = keysApi([PROD], { 'DELETE /keys/a1b2c3d4': () => new Response(null, { status: 204 }) })
    const { wrapper } = await mountView(ApiKeysPanel)
    await button(wrapper, 'Revoke prod').trigger('click')
    expect(wrapper.find('[role="dialog"]').text()).toContain('stops working at once')
    await button(wrapper.find('[role="dialog"]'), 'Keep it').trigger('click')
    expect(api.callsTo('DELETE /keys/a1b2c3d4')).toHaveLength(0)
    await button(wrapper, 'Revoke prod').trigger('click')
    await button(wrapper.find('[role="dialog"]'), 'Revoke key').trigger('click')
    await flushPromises()
    expect(api.callsTo('DELETE /keys/a1b2c3d4')).toHaveLength(1)
    expect(wrapper.text()).toContain('You have no API keys yet')
  })

  it('says when the account has as many keys as allowed, and shows API errors', async () => {
    const many = Array.from({ length: 10 }, (_, n) => ({ ...PROD, id: `0000000${n}`, name: `key-${n}` }))
    keysApi(many)
    const { wrapper } = await mountView(ApiKeysPanel)
    expect(wrapper.text()).toContain('You have 10 keys')
    expect(wrapper.find('form').exists()).toBe(false)

    keysApi([], { 'POST /keys': jsonResponse(400, { error: { code: 'invalid_name', message: 'name must be 1-60 printable characters.' } }) })
    const second = (await mountView(ApiKeysPanel)).wrapper
    await second.find('input[type="text"]').setValue('x')
    await second.find('form').trigger('submit')
    await flushPromises()
    expect(second.find('[role="alert"]').text()).toContain('name must be')
  })
})

describe('ApiKeysPanel in an organisation', () => {
  it('says who created each key, by email', async () => {
    localStorage.setItem('credits-saas:org', JSON.stringify({ 'dev@example.com': 'org_acme' }))
    resetOrgs()
    await signInAs('dev@example.com')
    stubApi({
      'GET /orgs': { orgs: [{ id: 'u1', name: 'Personal', role: 'owner', personal: true }, { id: 'org_acme', name: 'Acme', role: 'admin', personal: false }] },
      'GET /keys': { keys: [
        { id: 'k1', name: 'ci', prefix: 'cs_live_1', created_at: '2026-11-01T10:00:00Z', last_used_at: null, rate_limit: null, created_by: 'u2' },
        { id: 'k2', name: 'old', prefix: 'cs_live_2', created_at: '2026-11-01T10:00:00Z', last_used_at: null, rate_limit: null, created_by: 'u9' },
      ] },
      'GET /orgs/org_acme/members': { members: [{ user_id: 'u2', email: 'dev@example.com', role: 'developer', joined_at: '2026-11-01T10:00:00Z' }] },
    })
    await useOrg().loadOrgs()
    const { wrapper } = await mountView(ApiKeysPanel)
    await flushPromises()
    expect(wrapper.findAll('[data-testid="key-created-by"]').map((cell) => cell.text())).toEqual(['dev@example.com', 'A former member'])
  })
})
