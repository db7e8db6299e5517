import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import AdminAccountView from '../src/views/AdminAccountView.vue'
import { requireSession } from '../src/router/index.js'
import { mountView, signInAs, stubApi, user } from './helpers.js'

function adminAccount(overrides = {}) {
  return {
    ...user({ id: 'c1', email: 'cus@example.com' }),
    api_keys: [{ id: 'ab12cd34', name: 'prod', prefix: 'ak_1e86', created_at: '2026-11-01T10:00:00Z', last_used_at: null, rate_limit: null }],
    created_at: '2026-11-01T10:00:00Z',
    owed_credits: 0,
    stripe_customer_id: 'cus_1',
    stripe_dashboard_url: 'https://dashboard.stripe.com/test/customers/cus_1',
    suspension: null,
    usage: [{ date: '2026-11-30', credits: 3 }],
    ledger: { entries: [], next_cursor: null },
    ...overrides,
  }
}

afterEach(() => vi.unstubAllGlobals())

describe('operator pages', () => {
  it('are only for members of the admins group', async () => {
    const to = { fullPath: '/admin', meta: { requiresAuth: true, requiresOperator: true } }
    await signInAs('ada@example.com')
    expect(await requireSession(to)).toEqual({ path: '/account' })
    await signInAs('ops@example.com', ['admins'])
    expect(await requireSession(to)).toBe(true)
  })
})

describe('AdminAccountView', () => {
  it('asks for a reason, then grants with one Idempotency-Key per dialog', async () => {
    await signInAs('ops@example.com', ['admins'])
    const api = stubApi({
      'GET /admin/accounts/c1': { account: adminAccount() },
      'POST /admin/accounts/c1/credits': (call) => ({ applied: true, entry: {}, balances: {}, echo: call.body }),
    })
    const { wrapper } = await mountView(AdminAccountView, { path: '/admin/accounts/c1' })
    await wrapper.get('[data-testid="action-credits"]').trigger('click')
    await flushPromises()
    const confirm = () => wrapper.findAll('dialog button').at(1).trigger('click')
    await confirm()
    expect(wrapper.get('dialog [role="alert"]').text()).toContain('reason')
    expect(api.callsTo('POST /admin/accounts/c1/credits')).toHaveLength(0)
    await wrapper.get('#action-reason').setValue('Outage on 30 Nov')
    await confirm()
    await flushPromises()
    const [sent] = api.callsTo('POST /admin/accounts/c1/credits')
    expect(sent.body).toEqual({ credits: 500, bucket: 'purchased', allow_negative: false, reason: 'Outage on 30 Nov' })
    expect(sent.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(wrapper.text()).toContain('Credits adjusted.')
  })

  it('shows a suspension with who and why', async () => {
    await signInAs('ops@example.com', ['admins'])
    stubApi({ 'GET /admin/accounts/c1': { account: adminAccount({ suspension: { reason: 'Abuse', since: '2026-11-30T10:00:00Z', operator: 'cli:ops' } }) } })
    const { wrapper } = await mountView(AdminAccountView, { path: '/admin/accounts/c1' })
    expect(wrapper.get('[data-testid="suspension"]').text()).toContain('Abuse')
    expect(wrapper.text()).toContain('Lift suspension')
  })

  it('shows a team organisation with its members and pending invitations', async () => {
    await signInAs('ops@example.com', ['admins'])
    const organisation = {
      personal: false, name: 'Acme', closed_at: null,
      members: [{ user_id: 'u1', email: 'ada@example.com', role: 'owner', joined_at: '2026-12-01T10:00:00Z' }],
      invitations: [{ email: 'bob@example.com', role: 'developer', valid_until: 1796900000 }],
    }
    stubApi({ 'GET /admin/accounts/org_1': { account: adminAccount({ id: 'org_1', email: null, organisation }) } })
    const { wrapper } = await mountView(AdminAccountView, { path: '/admin/accounts/org_1' })
    expect(wrapper.get('h1').text()).toBe('Acme')
    const card = wrapper.get('[data-testid="admin-organisation"]')
    expect(card.text()).toContain('ada@example.com')
    expect(card.text()).toContain('owner')
    expect(card.text()).toContain('bob@example.com as developer')
    expect(card.get('a').attributes('href')).toBe('/admin/accounts/u1')
  })
})
