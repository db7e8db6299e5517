import { describe, expect, it } from 'vitest'
import InviteView from '../src/views/InviteView.vue'
import { chosenOrgId } from '../src/composables/useOrg.js'
import { flushPromises, jsonResponse, mountView, signInAs, signOutNow, stubApi } from './helpers.js'

const ACME = { id: 'org_acme', name: 'Acme', role: 'developer', personal: false }
const PERSONAL = { id: 'u1', name: 'Personal', role: 'owner', personal: true }

async function openInvite(path = '/invite?token=tok_123') {
  const { wrapper, router } = await mountView(InviteView, { path })
  await flushPromises()
  return { wrapper, router }
}

describe('InviteView', () => {
  it('offers sign-in and sign-up that come back with the token when signed out', async () => {
    await signOutNow()
    const { fetch } = stubApi({})
    const { wrapper, router } = await openInvite()
    const links = wrapper.findAll('a').map((link) => [link.text(), router.resolve(link.attributes('href')).query])
    expect(links).toEqual([
      ['Sign in to accept', { redirect: '/invite?token=tok_123' }],
      ['Create an account', { redirect: '/invite?token=tok_123', signup: '1' }],
    ])
    expect(fetch).not.toHaveBeenCalled()
  })

  it('accepts when signed in, switches to the organisation and says so', async () => {
    await signInAs('dev@example.com')
    const { callsTo } = stubApi({
      'POST /invitations/accept': { org: ACME },
      'GET /orgs': { orgs: [PERSONAL, ACME] },
    })
    const { wrapper } = await openInvite()
    expect(callsTo('POST /invitations/accept')[0].body).toEqual({ token: 'tok_123' })
    expect(wrapper.find('h1').text()).toBe('Welcome to Acme')
    expect(wrapper.find('[data-testid="invite-joined"]').text()).toContain('You joined Acme as Developer.')
    expect(chosenOrgId()).toBe('org_acme')
  })

  it.each([
    [403, 'invitation_email_mismatch', 'This invitation is for another email address', 'Sign in with another account'],
    [410, 'invitation_expired', 'This invitation has expired', null],
    [404, 'invitation_not_found', 'This invitation is no longer valid', null],
  ])('explains a %s %s', async (status, code, title, action) => {
    await signInAs('dev@example.com')
    stubApi({ 'POST /invitations/accept': jsonResponse(status, { error: { code, message: 'from the API' } }) })
    const { wrapper } = await openInvite()
    expect(wrapper.find('h1').text()).toBe(title)
    const error = wrapper.find('[data-testid="invite-error"]')
    expect(error.attributes('role')).toBe('alert')
    expect(error.attributes('data-code')).toBe(code)
    const labels = wrapper.findAll('button').map((button) => button.text())
    expect(labels).toEqual(action ? [action] : [])
    expect(chosenOrgId()).toBeNull()
  })

  it('says when the link has no token', async () => {
    await signInAs('dev@example.com')
    const { fetch } = stubApi({})
    const { wrapper } = await openInvite('/invite')
    expect(wrapper.find('h1').text()).toBe('This link is incomplete')
    expect(fetch).not.toHaveBeenCalled()
  })
})
