import { describe, expect, it } from 'vitest'
import { fetchAuthSession, signOut as amplifySignOut } from 'aws-amplify/auth'
import App from '../src/App.vue'
import { useAccount } from '../src/composables/useAccount.js'
import { refreshSession, signOut } from '../src/composables/useSession.js'
import { savePendingPurchase, readPendingPurchase } from '../src/composables/pending.js'
import { flushPromises, mountView, signInAs, signOutNow, user } from './helpers.js'

const navLabels = (wrapper) => wrapper.findAll('nav a, nav button').map((element) => element.text())

describe('App header', () => {
  it('offers sign-in to visitors', async () => {
    await signOutNow()
    const { wrapper } = await mountView(App)
    expect(navLabels(wrapper)).toEqual(['Pricing', 'API', 'Sign in'])
  })

  it('signing out forgets the account and pending purchase', async () => {
    await signInAs()
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
