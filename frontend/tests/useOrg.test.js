import { describe, expect, it, vi } from 'vitest'
import { api, configureApi, isAccountRoute } from '../src/api/client.js'
import { ROLE_RIGHTS, chosenOrgId, resetOrgs, roleCan, useOrg } from '../src/composables/useOrg.js'
import { signOut } from '../src/composables/useSession.js'
import { flushPromises, jsonResponse, signInAs, stubApi } from './helpers.js'

const ORGS = {
  orgs: [
    { id: 'u1', name: 'Personal', role: 'owner', personal: true },
    { id: 'org_acme', name: 'Acme', role: 'developer', personal: false },
    { id: 'org_beta', name: 'Beta', role: 'billing', personal: false },
  ],
}

const orgHeader = (call) => call.headers['X-Org-Id']

/** What an earlier visit left in this browser (read when the app starts). */
function storedChoice(choices) {
  localStorage.setItem('credits-saas:org', JSON.stringify(choices))
  resetOrgs()
}

describe('isAccountRoute', () => {
  it('names the routes that act on an organisation account', () => {
    for (const path of ['/user', '/keys', '/keys/k1', '/usage?days=30', '/ledger?limit=20', '/checkout', '/change-plan',
      '/cancel-plan-change', '/stop-subscriptions', '/billing-portal', '/alerts', '/auto-top-up', '/payment-method']) {
      expect(isAccountRoute(path), path).toBe(true)
    }
    for (const path of ['/notifications', '/orgs', '/orgs/org_acme/members', '/invitations/accept', '/plans',
      '/admin/accounts', '/users', '/keysets']) {
      expect(isAccountRoute(path), path).toBe(false)
    }
  })
})

describe('useOrg and the X-Org-Id header', () => {
  it('sends no header for the personal organisation', async () => {
    await signInAs('ada@example.com')
    const { calls } = stubApi({ 'GET /orgs': ORGS, 'GET /user': { user: {} } })
    await useOrg().loadOrgs()
    await api.get('/user')
    expect(orgHeader(calls.find((call) => call.key === 'GET /user'))).toBeUndefined()
    expect(useOrg().current.value).toMatchObject({ id: 'u1', personal: true, role: 'owner' })
  })

  it('sends the chosen organisation on account routes only, and remembers it per person', async () => {
    await signInAs('ada@example.com')
    const { calls } = stubApi({
      'GET /orgs': ORGS,
      'GET /keys': { keys: [] },
      'GET /notifications': { low_balance: true, product_updates: true },
      'GET /orgs/org_acme/members': { members: [] },
    })
    const org = useOrg()
    await org.loadOrgs()
    const before = org.version.value
    org.switchOrg('org_acme')
    expect(org.version.value).toBe(before + 1)
    expect(org.role.value).toBe('developer')
    expect(org.can('keys')).toBe(true)
    expect(org.can('billing')).toBe(false)

    await api.get('/keys')
    await api.get('/notifications')
    await api.get('/orgs/org_acme/members')
    expect(orgHeader(calls.find((call) => call.key === 'GET /keys'))).toBe('org_acme')
    expect(orgHeader(calls.find((call) => call.key === 'GET /notifications'))).toBeUndefined()
    expect(orgHeader(calls.find((call) => call.key === 'GET /orgs/org_acme/members'))).toBeUndefined()
    expect(JSON.parse(localStorage.getItem('credits-saas:org'))).toEqual({ 'ada@example.com': 'org_acme' })

    // Someone else in the same browser starts from their personal account.
    await signInAs('bob@example.com')
    expect(chosenOrgId()).toBeNull()
    await signInAs('Ada@Example.com')
    expect(chosenOrgId()).toBe('org_acme')
  })

  it('keeps the choice across sign-out, and forgets the list', async () => {
    await signInAs('ada@example.com')
    stubApi({ 'GET /orgs': ORGS })
    const org = useOrg()
    await org.loadOrgs()
    org.switchOrg('org_beta')
    await signOut()
    expect(org.orgs.value).toEqual([])
    await signInAs('ada@example.com')
    expect(chosenOrgId()).toBe('org_beta')
  })

  it('falls back to personal when the stored organisation is no longer listed', async () => {
    storedChoice({ 'ada@example.com': 'org_gone' })
    await signInAs('ada@example.com')
    stubApi({ 'GET /orgs': ORGS })
    const org = useOrg()
    expect(chosenOrgId()).toBe('org_gone')
    const before = org.version.value
    await org.loadOrgs()
    expect(chosenOrgId()).toBeNull()
    expect(org.version.value).toBe(before + 1)
    expect(org.current.value.personal).toBe(true)
    expect(JSON.parse(localStorage.getItem('credits-saas:org'))).toEqual({})
  })

  it('falls back to personal when the API says the caller is not in the organisation', async () => {
    storedChoice({ 'ada@example.com': 'org_acme' })
    await signInAs('ada@example.com')
    const { callsTo } = stubApi({
      'GET /orgs': { orgs: [ORGS.orgs[0]] },
      'GET /user': jsonResponse(404, { error: { code: 'org_not_found', message: 'No such organisation.' } }),
    })
    const error = await api.get('/user').catch((failure) => failure)
    expect(error.code).toBe('org_not_found')
    await flushPromises()
    expect(chosenOrgId()).toBeNull()
    expect(callsTo('GET /orgs')).toHaveLength(1)
  })

  it('treats a server without /orgs as personal only', async () => {
    storedChoice({ 'ada@example.com': 'org_acme' })
    await signInAs('ada@example.com')
    stubApi({})
    const org = useOrg()
    await org.loadOrgs()
    expect(org.status.value).toBe('unavailable')
    expect(chosenOrgId()).toBeNull()
    expect(org.current.value).toMatchObject({ personal: true, role: 'owner' })
  })

  it('creates an organisation and switches to it', async () => {
    await signInAs('ada@example.com')
    const created = { id: 'org_new', name: 'New Co', role: 'owner', personal: false }
    const { callsTo } = stubApi({
      'GET /orgs': () => ({ orgs: [ORGS.orgs[0], created] }),
      'POST /orgs': jsonResponse(201, { org: created }),
    })
    const org = useOrg()
    await org.loadOrgs()
    await org.createOrg('New Co')
    expect(callsTo('POST /orgs')[0].body).toEqual({ name: 'New Co' })
    expect(chosenOrgId()).toBe('org_new')
    expect(org.current.value.name).toBe('New Co')
    expect(org.can('owner')).toBe(true)
  })

  it('shares one GET /orgs between concurrent loads', async () => {
    await signInAs('ada@example.com')
    const { callsTo } = stubApi({ 'GET /orgs': ORGS })
    const org = useOrg()
    await Promise.all([org.loadOrgs(), org.loadOrgs()])
    expect(callsTo('GET /orgs')).toHaveLength(1)
  })

  it('does not ask the hook for an organisation on public routes', async () => {
    const getOrgId = vi.fn(() => 'org_acme')
    configureApi({ getOrgId })
    stubApi({ 'GET /plans': { plans: [] } })
    await api.get('/plans', { auth: false })
    expect(getOrgId).not.toHaveBeenCalled()
  })
})

describe('roles', () => {
  it('gives each role the rights of the contract', () => {
    expect(ROLE_RIGHTS.owner).toEqual(['read', 'keys', 'billing', 'members', 'owner'])
    expect(roleCan('admin', 'members')).toBe(true)
    expect(roleCan('admin', 'owner')).toBe(false)
    expect(roleCan('developer', 'keys')).toBe(true)
    expect(roleCan('developer', 'billing')).toBe(false)
    expect(roleCan('billing', 'billing')).toBe(true)
    expect(roleCan('billing', 'keys')).toBe(false)
    expect(roleCan(null, 'read')).toBe(false)
    expect(roleCan('stranger', 'read')).toBe(false)
  })
})
