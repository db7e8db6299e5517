import { describe, expect, it } from 'vitest'
import { fetchAuthSession, signOut as amplifySignOut } from 'aws-amplify/auth'
import App from '../src/App.vue'
import { useAccount } from '../src/composables/useAccount.js'
import { refreshSession, signOut } from '../src/composables/useSession.js'
import { savePendingPurchase, readPendingPurchase } from '../src/composables/pending.js'
import { chosenOrgId } from '../src/composables/useOrg.js'
import { flushPromises, jsonResponse, mountView, signInAs, signOutNow, stubApi, user } from './helpers.js'

const navLabels = (wrapper) => wrapper.findAll('nav a, nav button').map((element) => element.text())

describe('App header', () => {
  it('offers sign-in to visitors', async () => {
    await signOutNow()
    const { wrapper } = await mountView(App)
    expect(navLabels(wrapper)).toEqual(['Pricing', 'API', 'Sign in'])
  })

  it('signing out forgets the account and pending purchase', async () => {
    await signInAs()
    stubApi({ 'GET /orgs': { orgs: [] } })
    const { user: account, setUser } = useAccount()
    setUser(user())
    savePendingPurchase({ name: 'Basic', credits: 1000 }, false, user())
    const { wrapper, router } = await mountView(App, { path: '/account' })
    expect(navLabels(wrapper)).toEqual(['Pricing', 'API', 'Account', 'Sign out'])

    expect(account.value).not.toBeNull()
    const signOut = wrapper.findAll('nav button').find((button) => button.text() === 'Sign out')
    fetchAuthSession.mockResolvedValue({ tokens: undefined }) // what Amplify reports after signing out
    await signOut.trigger('click')
    await flushPromises()
    expect(amplifySignOut).toHaveBeenCalled()
    expect(account.value).toBeNull()
    expect(readPendingPurchase()).toBeNull()
    expect(router.currentRoute.value.path).toBe('/pricing')
    expect(navLabels(wrapper)).toEqual(['Pricing', 'API', 'Sign in'])
  })
})

describe('signOut', () => {
  it('counts nobody as signed in while Amplify is still revoking the session', async () => {
    stubApi({ 'GET /orgs': { orgs: [] } })
    await signInAs()
    let finish
    amplifySignOut.mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          finish = () => {
            fetchAuthSession.mockResolvedValue({ tokens: undefined })
            resolve()
          }
        }),
    )
    const done = signOut()
    const check = refreshSession()
    await flushPromises()
    finish()
    expect(await check).toBe(false)
    await done
  })
})

describe('Organisation switcher', () => {
  const ORGS = {
    orgs: [
      { id: 'u1', name: 'Personal', role: 'owner', personal: true },
      { id: 'org_acme', name: 'Acme', role: 'developer', personal: false },
    ],
  }

  it('lists the organisations, switches, and links Members for a team organisation', async () => {
    await signInAs('ada@example.com')
    const api = stubApi({ 'GET /orgs': ORGS })
    const { wrapper } = await mountView(App, { path: '/pricing' })
    await flushPromises()
    const select = wrapper.find('[data-testid="org-switcher"]')
    expect(select.findAll('option').map((option) => option.text())).toEqual(['Personal', 'Acme (Developer)'])
    expect(select.element.options[select.element.selectedIndex].text.trim()).toBe('Personal')
    expect(navLabels(wrapper)).not.toContain('Members')

    await select.setValue('org_acme')
    await flushPromises()
    expect(chosenOrgId()).toBe('org_acme')
    expect(navLabels(wrapper)).toContain('Members')
    expect(api.callsTo('GET /orgs').every((call) => call.headers['X-Org-Id'] === undefined)).toBe(true)
  })

  it('creates an organisation from the header and opens its Members page', async () => {
    await signInAs('ada@example.com')
    const created = { id: 'org_new', name: 'New Co', role: 'owner', personal: false }
    let listed = ORGS.orgs
    const api = stubApi({
      'GET /orgs': () => ({ orgs: listed }),
      'POST /orgs': () => {
        listed = [...ORGS.orgs, created]
        return jsonResponse(201, { org: created })
      },
    })
    const { wrapper, router } = await mountView(App, { path: '/account' })
    await flushPromises()
    await wrapper.findAll('button').find((button) => button.text() === 'New organisation').trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    await dialog.findAll('button').find((button) => button.text() === 'Create organisation').trigger('click')
    expect(dialog.find('[role="alert"]').text()).toBe('Enter a name for the organisation.')
    await dialog.find('input').setValue('New Co')
    await dialog.findAll('button').find((button) => button.text() === 'Create organisation').trigger('click')
    await flushPromises()
    expect(api.callsTo('POST /orgs')[0].body).toEqual({ name: 'New Co' })
    expect(chosenOrgId()).toBe('org_new')
    expect(router.currentRoute.value.path).toBe('/members')
  })
})
