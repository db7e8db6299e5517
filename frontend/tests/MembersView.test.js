import { describe, expect, it } from 'vitest'
import MembersView from '../src/views/MembersView.vue'
import { resetOrgs } from '../src/composables/useOrg.js'
import { sortMembers, emailProblem } from '../src/composables/useMembers.js'
import { flushPromises, jsonResponse, mountView, signInAs, stubApi } from './helpers.js'

const PERSONAL = { id: 'u1', name: 'Personal', role: 'owner', personal: true }
const acme = (role) => ({ id: 'org_acme', name: 'Acme', role, personal: false })
const MEMBERS = [
  { user_id: 'u2', email: 'dev@example.com', role: 'developer', joined_at: '2026-11-02T10:00:00Z' },
  { user_id: 'u1', email: 'ada@example.com', role: 'owner', joined_at: '2026-11-01T10:00:00Z' },
  { user_id: 'u3', email: 'other-owner@example.com', role: 'owner', joined_at: '2026-11-03T10:00:00Z' },
]
const INVITATIONS = [{ id: 'inv1', email: 'new@example.com', role: 'billing', expires_at: '2026-12-11T10:00:00Z' }]

const button = (element, label) => element.findAll('button').find((candidate) => candidate.text() === label)
const buttons = (wrapper) => wrapper.findAll('button').map((candidate) => candidate.text())
const memberRow = (wrapper, email) => wrapper.find(`[data-testid="member"][data-email="${email}"]`)

async function membersPage(role, overrides = {}) {
  localStorage.setItem('credits-saas:org', JSON.stringify({ 'ada@example.com': 'org_acme' }))
  resetOrgs()
  await signInAs('ada@example.com')
  const api = stubApi({
    'GET /orgs': { orgs: [PERSONAL, acme(role)] },
    'GET /orgs/org_acme/members': { members: MEMBERS.map((member) => (member.user_id === 'u1' ? { ...member, role } : member)) },
    'GET /orgs/org_acme/invitations': { invitations: INVITATIONS },
    ...overrides,
  })
  const { wrapper, router } = await mountView(MembersView, { path: '/members' })
  await flushPromises()
  return { wrapper, router, api }
}

describe('MembersView', () => {
  it('shows an owner every action: invite, roles, remove, transfer, delete', async () => {
    const { wrapper, api } = await membersPage('owner')
    expect(wrapper.find('h1').text()).toBe('Members of Acme')
    const emails = wrapper.findAll('[data-testid="member"]').map((row) => row.attributes('data-email'))
    expect(emails).toEqual(['ada@example.com', 'other-owner@example.com', 'dev@example.com'])
    expect(memberRow(wrapper, 'dev@example.com').find('select').exists()).toBe(true)
    expect(memberRow(wrapper, 'other-owner@example.com').find('select').exists()).toBe(true)
    expect(memberRow(wrapper, 'ada@example.com').find('select').exists()).toBe(false)
    expect(button(memberRow(wrapper, 'ada@example.com'), 'Leave')).toBeTruthy()
    expect(buttons(wrapper)).toEqual(expect.arrayContaining(['Send invitation', 'Withdraw', 'Transfer ownership', 'Delete organisation']))
    expect(wrapper.find('[data-testid="invitation"]').text()).toContain('new@example.com')
    // Members and invitations are read without X-Org-Id: the path names the organisation.
    expect(api.callsTo('GET /orgs/org_acme/members')[0].headers['X-Org-Id']).toBeUndefined()
  })

  it('shows an admin no owner actions and no role changes for owners', async () => {
    const { wrapper } = await membersPage('admin')
    expect(memberRow(wrapper, 'other-owner@example.com').find('select').exists()).toBe(false)
    expect(button(memberRow(wrapper, 'other-owner@example.com'), 'Remove')).toBeUndefined()
    const options = memberRow(wrapper, 'dev@example.com').findAll('option').map((option) => option.element.value)
    expect(options).toEqual(['admin', 'developer', 'billing'])
    expect(buttons(wrapper)).not.toContain('Transfer ownership')
    expect(buttons(wrapper)).not.toContain('Delete organisation')
    expect(buttons(wrapper)).toContain('Send invitation')
  })

  it('shows a developer the list, leaving and nothing else; invitations are not asked for', async () => {
    const { wrapper, api } = await membersPage('developer')
    expect(wrapper.findAll('[data-testid="member"]')).toHaveLength(3)
    expect(wrapper.findAll('select')).toHaveLength(0)
    expect(buttons(wrapper)).toEqual(['Leave'])
    expect(api.callsTo('GET /orgs/org_acme/invitations')).toHaveLength(0)
  })

  it('invites by email with a role, checking the address first', async () => {
    const sent = { id: 'inv2', email: 'bob@example.com', role: 'developer', expires_at: '2026-12-11T10:00:00Z' }
    const { wrapper, api } = await membersPage('owner', {
      'POST /orgs/org_acme/invitations': jsonResponse(201, { invitation: sent }),
    })
    await wrapper.find('form.invite-form').trigger('submit')
    expect(wrapper.text()).toContain('Enter the email address to invite.')
    expect(api.callsTo('POST /orgs/org_acme/invitations')).toHaveLength(0)

    await wrapper.find('input[type="email"]').setValue('bob@example.com')
    await wrapper.find('form.invite-form').trigger('submit')
    await flushPromises()
    expect(api.callsTo('POST /orgs/org_acme/invitations')[0].body).toEqual({ email: 'bob@example.com', role: 'developer' })
    expect(wrapper.find('[data-testid="members-notice"]').text()).toBe('Invitation sent to bob@example.com as Developer.')
    expect(wrapper.findAll('[data-testid="invitation"]').map((row) => row.attributes('data-email'))).toEqual(['new@example.com', 'bob@example.com'])
  })

  it('removes a member after a confirmation and says how many keys were revoked', async () => {
    const { wrapper, api } = await membersPage('owner', {
      'DELETE /orgs/org_acme/members/u2': { removed: 'u2', revoked_keys: ['k1', 'k2'] },
    })
    await button(memberRow(wrapper, 'dev@example.com'), 'Remove').trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Remove dev@example.com?')
    await button(dialog, 'Remove').trigger('click')
    await flushPromises()
    expect(api.callsTo('DELETE /orgs/org_acme/members/u2')).toHaveLength(1)
    expect(memberRow(wrapper, 'dev@example.com').exists()).toBe(false)
    expect(wrapper.find('[data-testid="members-notice"]').text()).toContain('2 API keys they created were revoked.')
  })

  it('shows the API refusing a role change in an alert and puts the select back', async () => {
    const { wrapper } = await membersPage('owner', {
      'PATCH /orgs/org_acme/members/u3': jsonResponse(409, { error: { code: 'last_owner', message: 'An organisation needs an owner.' } }),
    })
    const select = memberRow(wrapper, 'other-owner@example.com').find('select')
    await select.setValue('developer')
    await flushPromises()
    expect(wrapper.find('[data-testid="members-error"]').attributes('role')).toBe('alert')
    expect(wrapper.find('[data-testid="members-error"]').text()).toBe('An organisation needs an owner.')
    expect(select.element.value).toBe('owner')
  })

  it('deletes the organisation after a confirmation and goes back to the personal account', async () => {
    const { wrapper, router, api } = await membersPage('owner', {
      'DELETE /orgs/org_acme': new Response(null, { status: 204 }),
    })
    api.fetch.mockClear()
    await button(wrapper, 'Delete organisation').trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('Delete Acme?')
    await button(dialog, 'Delete organisation').trigger('click')
    await flushPromises()
    expect(api.callsTo('DELETE /orgs/org_acme')).toHaveLength(1)
    expect(JSON.parse(localStorage.getItem('credits-saas:org'))).toEqual({})
    expect(router.currentRoute.value.path).toBe('/account')
  })

  it('says a personal account has only its owner', async () => {
    await signInAs('ada@example.com')
    stubApi({ 'GET /orgs': { orgs: [PERSONAL] } })
    const { wrapper } = await mountView(MembersView, { path: '/members' })
    await flushPromises()
    expect(wrapper.find('[data-testid="personal-members"]').exists()).toBe(true)
  })
})

describe('useMembers ordering and address checks', () => {
  it('orders owners first, then by email, and checks addresses', () => {
    expect(sortMembers(MEMBERS).map((member) => member.user_id)).toEqual(['u1', 'u3', 'u2'])
    expect(emailProblem('')).toBeTruthy()
    expect(emailProblem('not-an-email')).toBeTruthy()
    expect(emailProblem(' bob@example.com ')).toBeNull()
  })
})
