import { beforeEach, describe, expect, it, vi } from 'vitest'
import PricingView from '../src/views/PricingView.vue'
import { savePendingAction, readPendingPurchase } from '../src/composables/pending.js'
import { resetOrgs } from '../src/composables/useOrg.js'
import { PLANS, flushPromises, jsonResponse, mountView, signInAs, signOutNow, stubApi, user } from './helpers.js'

const card = (wrapper, name) => wrapper.findAll('article').find((article) => article.find('h2').text() === name)
const buttons = (element, label) => element.findAll('button').filter((button) => button.text() === label)

describe('PricingView', () => {
  let assign
  beforeEach(() => {
    assign = vi.fn()
    vi.stubGlobal('location', { ...window.location, assign })
  })

  it('shows each plan with its price in its currency and both actions', async () => {
    await signOutNow()
    stubApi({ 'GET /plans': PLANS })
    const { wrapper } = await mountView(PricingView)
    const basic = card(wrapper, 'Basic')
    expect(basic.attributes('aria-labelledby')).toBe(basic.find('h2').attributes('id'))
    expect(basic.text()).toContain('£5.00')
    expect(basic.text()).toContain('/ month')
    expect(basic.text()).toContain('1,000 credits')
    expect(card(wrapper, 'Power').text()).toContain('£50.00')
    expect(buttons(basic, 'Subscribe')).toHaveLength(1)
    expect(buttons(basic, 'Buy once')).toHaveLength(1)
    expect(wrapper.text()).not.toContain('Current plan')
  })

  it('marks the current plan and does not offer subscribing to it again', async () => {
    await signInAs()
    stubApi({ 'GET /plans': PLANS, 'GET /user': { user: user({ plan: 'Basic', subscription: { status: 'active' } }) } })
    const { wrapper } = await mountView(PricingView)
    const basic = card(wrapper, 'Basic')
    expect(basic.text()).toContain('Current plan')
    expect(buttons(basic, 'Subscribe')).toHaveLength(0)
    expect(buttons(basic, 'Buy once')).toHaveLength(1)
    expect(card(wrapper, 'Power').text()).not.toContain('Current plan')
    expect(buttons(card(wrapper, 'Power'), 'Subscribe')).toHaveLength(1)
    expect(card(wrapper, 'Power').text()).toContain('Subscribing replaces your Basic plan.')
    expect(basic.text()).not.toContain('replaces')
  })

  it('offers a subscriber a switch: an upgrade now after confirming, never a second checkout', async () => {
    await signInAs()
    const api = stubApi({
      'GET /plans': PLANS,
      'GET /user': { user: user({ plan: 'Basic', subscription: { plan: 'Basic', status: 'active' } }) },
      'POST /change-plan': { user: user({ plan: 'Power', subscription: { plan: 'Power', status: 'active' } }) },
    })
    const { wrapper } = await mountView(PricingView)
    const power = card(wrapper, 'Power')
    expect(power.text()).toContain('Replaces your Basic plan now; you pay the difference, prorated.')
    await buttons(power, 'Switch to Power')[0].trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('less what is left of your Basic period')
    await buttons(dialog, 'Switch to Power')[0].trigger('click')
    await flushPromises()
    expect(api.callsTo('POST /change-plan').map((call) => call.body)).toEqual([{ plan: 'Power' }])
    expect(api.callsTo('POST /checkout')).toHaveLength(0)
    expect(wrapper.text()).toContain('You are on Power now')
  })

  it('tells a subscriber a downgrade waits for the period end', async () => {
    await signInAs()
    stubApi({ 'GET /plans': PLANS, 'GET /user': { user: user({ plan: 'Power', subscription: { plan: 'Power', status: 'active' } }) } })
    const { wrapper } = await mountView(PricingView)
    const basic = card(wrapper, 'Basic')
    expect(basic.text()).toContain('Replaces your Power plan when its period ends.')
    await buttons(basic, 'Switch to Basic')[0].trigger('click')
    expect(wrapper.find('[role="dialog"]').text()).toContain('until the end of this period')
  })

  it('asks before switching to Free, then stops the subscriptions', async () => {
    await signInAs()
    const api = stubApi({
      'GET /plans': PLANS,
      'GET /user': { user: user({ plan: 'Power', subscription: { status: 'active' } }) },
      'POST /stop-subscriptions': { user: user({ plan: 'Free', purchased_credits: 1000 }) },
    })
    const { wrapper } = await mountView(PricingView)
    await buttons(card(wrapper, 'Free'), 'Switch to Free')[0].trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.exists()).toBe(true)
    expect(api.callsTo('POST /stop-subscriptions')).toHaveLength(0)

    await buttons(dialog, 'Keep my plan')[0].trigger('click')
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)

    await buttons(card(wrapper, 'Free'), 'Switch to Free')[0].trigger('click')
    await buttons(wrapper.find('[role="dialog"]'), 'Switch to Free')[0].trigger('click')
    await flushPromises()
    expect(api.callsTo('POST /stop-subscriptions')).toHaveLength(1)
    expect(card(wrapper, 'Free').text()).toContain('Current plan')
  })

  it('opens one checkout however often the button is clicked', async () => {
    await signInAs()
    let release
    const api = stubApi({
      'GET /plans': PLANS,
      'GET /user': { user: user() },
      'POST /checkout': () => new Promise((resolve) => { release = () => resolve(jsonResponse(200, { session_id: 'cs_1', url: 'https://checkout.example/cs_1' })) }),
    })
    const { wrapper } = await mountView(PricingView)
    const subscribe = buttons(card(wrapper, 'Basic'), 'Subscribe')[0]
    await subscribe.trigger('click')
    await subscribe.trigger('click')
    await buttons(card(wrapper, 'Power'), 'Buy once')[0].trigger('click')
    expect(api.callsTo('POST /checkout')).toHaveLength(1)
    expect(card(wrapper, 'Basic').text()).toContain('Redirecting…')
    expect(wrapper.findAll('article button').every((button) => button.element.disabled)).toBe(true)

    release()
    await flushPromises()
    const [call] = api.callsTo('POST /checkout')
    expect(call.body).toEqual({ plan: 'Basic', subscribe: true })
    expect(call.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(assign).toHaveBeenCalledWith('https://checkout.example/cs_1')
    expect(readPendingPurchase()).toMatchObject({ plan: 'Basic', credits: 1000, subscribe: true, purchasedBefore: 0 })
  })

  it('gives every click its own idempotency key', async () => {
    await signInAs()
    const api = stubApi({
      'GET /plans': PLANS,
      'GET /user': { user: user() },
      'POST /checkout': jsonResponse(502, { error: { code: 'upstream_error', message: 'Stripe could not be reached.' } }),
    })
    const { wrapper } = await mountView(PricingView)
    await buttons(card(wrapper, 'Basic'), 'Buy once')[0].trigger('click')
    await flushPromises()
    await buttons(card(wrapper, 'Basic'), 'Buy once')[0].trigger('click')
    await flushPromises()
    const [first, second] = api.callsTo('POST /checkout')
    expect(first.headers['Idempotency-Key']).not.toBe(second.headers['Idempotency-Key'])
  })

  it('shows a refused checkout as a readable message and re-enables the buttons', async () => {
    await signInAs()
    stubApi({
      'GET /plans': PLANS,
      'GET /user': { user: user({ plan: 'Basic' }) },
      'POST /checkout': jsonResponse(409, { error: { code: 'already_subscribed', message: 'You already subscribe to Basic.' } }),
    })
    const { wrapper } = await mountView(PricingView)
    await buttons(card(wrapper, 'Power'), 'Subscribe')[0].trigger('click')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toBe('You already subscribe to Basic.')
    expect(buttons(card(wrapper, 'Power'), 'Subscribe')[0].element.disabled).toBe(false)
    expect(assign).not.toHaveBeenCalled()
  })

  it('keeps the page when the plans cannot load', async () => {
    await signOutNow()
    stubApi({ 'GET /plans': new Response('oops', { status: 503 }) })
    const { wrapper } = await mountView(PricingView)
    expect(wrapper.find('[role="alert"]').text()).toContain('try again')
    expect(wrapper.find('h1').text()).toBe('Simple plans for every stage')
  })

  it('sends a signed-out visitor to sign in, then carries on with the chosen action', async () => {
    await signOutNow()
    const api = stubApi({
      'GET /plans': PLANS,
      'GET /user': { user: user() },
      'POST /checkout': { session_id: 'cs_2', url: 'https://checkout.example/cs_2' },
    })
    const { wrapper, router } = await mountView(PricingView, { path: '/pricing' })
    await buttons(card(wrapper, 'Power'), 'Buy once')[0].trigger('click')
    await flushPromises()
    expect(router.currentRoute.value.fullPath).toBe('/signin?redirect=/pricing')
    expect(api.callsTo('POST /checkout')).toHaveLength(0)
    wrapper.unmount()

    await signInAs()
    await mountView(PricingView, { path: '/pricing' })
    await flushPromises()
    const [call] = api.callsTo('POST /checkout')
    expect(call.body).toEqual({ plan: 'Power', subscribe: false })
    expect(assign).toHaveBeenCalledWith('https://checkout.example/cs_2')
  })

  it('resumes a chosen switch to Free by asking first', async () => {
    await signInAs()
    savePendingAction('free', 'Free')
    const api = stubApi({ 'GET /plans': PLANS, 'GET /user': { user: user({ plan: 'Basic' }) } })
    const { wrapper } = await mountView(PricingView)
    expect(wrapper.find('[role="dialog"]').exists()).toBe(true)
    expect(api.callsTo('POST /stop-subscriptions')).toHaveLength(0)
  })
})

describe('PricingView after Back from the checkout page', () => {
  it('enables the buttons again when the browser restores the page', async () => {
    vi.stubGlobal('location', { ...window.location, assign: vi.fn() })
    await signInAs()
    stubApi({ 'GET /plans': PLANS, 'GET /user': { user: user() }, 'POST /checkout': { session_id: 'cs_3', url: 'https://checkout.example/cs_3' } })
    const { wrapper } = await mountView(PricingView)
    await buttons(card(wrapper, 'Basic'), 'Buy once')[0].trigger('click')
    await flushPromises()
    expect(buttons(card(wrapper, 'Basic'), 'Redirecting…')[0].element.disabled).toBe(true)
    const restored = new Event('pageshow')
    restored.persisted = true
    window.dispatchEvent(restored)
    await flushPromises()
    expect(buttons(card(wrapper, 'Basic'), 'Buy once')[0].element.disabled).toBe(false)
  })
})

describe('ConfirmDialog focus', () => {
  it('starts on the safe choice and returns to the button that opened it', async () => {
    await signInAs()
    stubApi({ 'GET /plans': PLANS, 'GET /user': { user: user({ plan: 'Basic' }) } })
    const { wrapper } = await mountView(PricingView)
    const opener = buttons(card(wrapper, 'Free'), 'Switch to Free')[0]
    opener.element.focus()
    await opener.trigger('click')
    expect(document.activeElement.textContent.trim()).toBe('Keep my plan')
    await buttons(wrapper.find('[role="dialog"]'), 'Keep my plan')[0].trigger('click')
    expect(document.activeElement).toBe(opener.element)
  })
})

describe('PricingView in an organisation', () => {
  it('offers no purchase or plan change to a role without billing', async () => {
    localStorage.setItem('credits-saas:org', JSON.stringify({ 'dev@example.com': 'org_acme' }))
    resetOrgs()
    await signInAs('dev@example.com')
    const org = { id: 'org_acme', name: 'Acme', role: 'developer', personal: false }
    stubApi({ 'GET /plans': PLANS, 'GET /user': { user: user({ plan: 'Basic', org }) } })
    const { wrapper } = await mountView(PricingView)
    expect(wrapper.findAll('article button')).toHaveLength(0)
    expect(wrapper.find('[data-testid="billing-role-needed"]').text()).toContain('does not include billing')
    expect(card(wrapper, 'Basic').text()).toContain('Your organisation is on this plan.')
  })
})
