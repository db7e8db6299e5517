import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import CheckoutSuccessView from '../src/views/CheckoutSuccessView.vue'
import { readPendingPurchase, savePendingPurchase } from '../src/composables/pending.js'
import { mountView, signInAs, stubApi, user } from './helpers.js'

const status = (wrapper) => wrapper.find('[data-testid="checkout-status"]').text().replace(/\s+/g, ' ')

describe('CheckoutSuccessView', () => {
  beforeEach(async () => {
    vi.useFakeTimers()
    await signInAs()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('polls the account until the pack shows, then says it is ready', async () => {
    savePendingPurchase({ name: 'Basic', credits: 1000 }, false, user({ purchased_credits: 0 }))
    const answers = [user({ purchased_credits: 0 }), user({ purchased_credits: 0 }), user({ purchased_credits: 1000, credits: 1050 })]
    const api = stubApi({ 'GET /user': () => ({ user: answers.shift() || user({ purchased_credits: 1000, credits: 1050 }) }) })
    const { wrapper } = await mountView(CheckoutSuccessView, { path: '/checkout/success?session_id=cs_1' })
    expect(wrapper.find('h1').text()).toBe('Payment received')
    expect(status(wrapper)).toContain('Adding it to your account')

    await vi.advanceTimersByTimeAsync(1500)
    expect(status(wrapper)).toContain('Adding it to your account')
    await vi.advanceTimersByTimeAsync(1500)
    expect(status(wrapper)).toContain('Your purchase is ready')
    expect(status(wrapper)).toContain('1,050 credits')
    expect(api.callsTo('GET /user')).toHaveLength(3)
    expect(readPendingPurchase()).toBeNull()

    await vi.advanceTimersByTimeAsync(10000)
    expect(api.callsTo('GET /user')).toHaveLength(3)
    expect(wrapper.find('a[href="/account"]').exists()).toBe(true)
  })

  it('waits for a subscription to make the bought plan current and grant its credits', async () => {
    savePendingPurchase({ name: 'Power', credits: 100000 }, true, user({ plan: 'Basic', plan_credits: 1000 }))
    const answers = [
      user({ plan: 'Basic', plan_credits: 1000 }),
      user({ plan: 'Power', plan_credits: 1000 }),
      user({ plan: 'Power', plan_credits: 100000, credits: 101000 }),
    ]
    stubApi({ 'GET /user': () => ({ user: answers.shift() }) })
    const { wrapper } = await mountView(CheckoutSuccessView)
    expect(status(wrapper)).not.toContain('ready')
    await vi.advanceTimersByTimeAsync(1500)
    expect(status(wrapper)).not.toContain('ready')
    await vi.advanceTimersByTimeAsync(1500)
    expect(status(wrapper)).toContain('Your purchase is ready. You now have 101,000 credits on the Power plan.')
  })

  it('says so when it takes longer than usual, and keeps checking', async () => {
    savePendingPurchase({ name: 'Basic', credits: 1000 }, false, user())
    let arrived = false
    const api = stubApi({ 'GET /user': () => ({ user: user({ purchased_credits: arrived ? 1000 : 0 }) }) })
    const { wrapper } = await mountView(CheckoutSuccessView)
    await vi.advanceTimersByTimeAsync(28000)
    expect(status(wrapper)).not.toContain('longer than usual')
    await vi.advanceTimersByTimeAsync(3000)
    expect(status(wrapper)).toContain('taking longer than usual')
    const polls = api.callsTo('GET /user').length
    arrived = true
    await vi.advanceTimersByTimeAsync(1500)
    expect(api.callsTo('GET /user').length).toBe(polls + 1)
    expect(status(wrapper)).toContain('Your purchase is ready')
  })
})
