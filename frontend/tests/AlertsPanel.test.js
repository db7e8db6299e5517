import { beforeEach, describe, expect, it, vi } from 'vitest'
import AlertsPanel from '../src/components/AlertsPanel.vue'
import {
  monthlyLimitProblem,
  thresholdProblem,
  topUpProblems,
  useAlertSettings,
} from '../src/composables/useAlertSettings.js'
import { flushPromises, jsonResponse, mountView, signInAs, stubApi } from './helpers.js'

const button = (element, label) => element.findAll('button').find((candidate) => candidate.text() === label)
const byTestId = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)
const field = (wrapper, label) => {
  const forLabel = wrapper.findAll('label').find((candidate) => candidate.text() === label)
  return wrapper.find(`#${CSS.escape(forLabel.attributes('for'))}`)
}

function topUp(overrides = {}) {
  return {
    enabled: false,
    threshold: 100,
    pack: 'Basic',
    monthly_limit: 2,
    status: 'off',
    action_url: null,
    this_month: 0,
    last_attempt: null,
    payment_method: null,
    ...overrides,
  }
}

function panelApi(overrides = {}) {
  let notifications = { low_balance: true, product_updates: true }
  return stubApi({
    'GET /alerts': { low_balance: null, default: 100 },
    'GET /notifications': () => notifications,
    'PUT /notifications': (call) => {
      notifications = call.body
      return notifications
    },
    'GET /auto-top-up': topUp(),
    ...overrides,
  })
}

function later() {
  let settle
  const promise = new Promise((resolve) => {
    settle = resolve
  })
  return { promise, settle }
}

describe('useAlertSettings', () => {
  beforeEach(signInAs)

  it('validates thresholds and monthly limits as typed', () => {
    expect(thresholdProblem('')).toBe('Enter a number of credits.')
    expect(thresholdProblem('0')).toBe('Enter a whole number of credits, 1 or more.')
    expect(thresholdProblem('9.5')).toBe('Enter a whole number of credits, 1 or more.')
    expect(thresholdProblem('-3')).toBe('Enter a whole number of credits, 1 or more.')
    expect(thresholdProblem('950')).toBeNull()
    expect(thresholdProblem(950)).toBeNull()
    expect(monthlyLimitProblem('0')).toBe('Enter a whole number from 1 to 20.')
    expect(monthlyLimitProblem('21')).toBe('Enter a whole number from 1 to 20.')
    expect(monthlyLimitProblem('1')).toBeNull()
    expect(monthlyLimitProblem('20')).toBeNull()
    expect(topUpProblems({ threshold: '950', pack: 'Basic', monthly_limit: '2' })).toEqual({})
    expect(Object.keys(topUpProblems({ threshold: '', pack: 'Gold', monthly_limit: '30' }))).toEqual([
      'threshold', 'pack', 'monthly_limit',
    ])
  })

  it('loads the three parts; a 404 makes a part unavailable, another error keeps its message', async () => {
    panelApi({
      'GET /alerts': jsonResponse(404, { error: { code: 'not_found', message: 'There is no such route.' } }),
      'GET /auto-top-up': jsonResponse(500, {}),
    })
    const settings = useAlertSettings()
    await settings.load()
    expect(settings.alerts.status).toBe('unavailable')
    expect(settings.notifications.status).toBe('ready')
    expect(settings.notifications.data).toEqual({ low_balance: true, product_updates: true })
    expect(settings.autoTopUp.status).toBe('error')
    expect(settings.autoTopUp.error).toMatch(/HTTP 500/)
  })

  it('a part the browser cannot reach while the others answer is not on this server (its preflight failed)', async () => {
    const api = panelApi()
    const answer = api.fetch.getMockImplementation()
    api.fetch.mockImplementation(async (url, init) => {
      if (new URL(url).pathname !== '/notifications') throw new TypeError('Failed to fetch')
      return answer(url, init)
    })
    const settings = useAlertSettings()
    await settings.load()
    expect([settings.alerts.status, settings.notifications.status, settings.autoTopUp.status]).toEqual([
      'unavailable', 'ready', 'unavailable',
    ])
  })

  it('when nothing can be reached, it says so: the network, not the server', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('Failed to fetch')
    }))
    const settings = useAlertSettings()
    await settings.load()
    for (const part of [settings.alerts, settings.notifications, settings.autoTopUp]) {
      expect(part.status).toBe('error')
      expect(part.error).toMatch(/could not reach the service/)
    }
  })

  it('saves each part with PUT and keeps what the API answers', async () => {
    const api = panelApi({
      'PUT /alerts': (call) => ({ low_balance: call.body.low_balance, default: 100 }),
      'PUT /auto-top-up': (call) => topUp({ ...call.body, status: 'active', payment_method: { brand: 'visa', last4: '4242' } }),
    })
    const settings = useAlertSettings()
    await settings.load()
    await settings.saveAlert(990)
    expect(api.callsTo('PUT /alerts')[0].body).toEqual({ low_balance: 990 })
    expect(settings.alerts.data.low_balance).toBe(990)
    await settings.setNotification('product_updates', false)
    expect(api.callsTo('PUT /notifications')[0].body).toEqual({ low_balance: true, product_updates: false })
    await settings.saveTopUp({ enabled: true, threshold: '950', pack: 'Power', monthly_limit: '3' })
    expect(api.callsTo('PUT /auto-top-up')[0].body).toEqual({ enabled: true, threshold: 950, pack: 'Power', monthly_limit: 3 })
    expect(settings.autoTopUp.data.status).toBe('active')
  })

  it('sends the browser to the card page POST /payment-method answers', async () => {
    panelApi({ 'POST /payment-method': { url: 'https://checkout.example/setup/cs_1' } })
    const navigate = vi.fn()
    const settings = useAlertSettings({ navigate })
    await settings.setUpCard()
    expect(navigate).toHaveBeenCalledWith('https://checkout.example/setup/cs_1')
  })
})

describe('AlertsPanel', () => {
  beforeEach(signInAs)

  it('says "Loading" for each part until its answer arrives', async () => {
    const answers = { alerts: later(), topUp: later(), notifications: later() }
    panelApi({
      'GET /alerts': () => answers.alerts.promise,
      'GET /auto-top-up': () => answers.topUp.promise,
      'GET /notifications': () => answers.notifications.promise,
    })
    const { wrapper } = await mountView(AlertsPanel)
    expect(wrapper.text()).toContain('Loading your alert…')
    expect(wrapper.text()).toContain('Loading auto top-up…')
    expect(wrapper.text()).toContain('Loading your email settings…')
    expect(wrapper.find('form').exists()).toBe(false)
    answers.alerts.settle({ low_balance: null, default: 100 })
    answers.topUp.settle(topUp())
    answers.notifications.settle({ low_balance: true, product_updates: false })
    await flushPromises()
    expect(wrapper.text()).not.toContain('Loading')
    expect(wrapper.text()).toContain('The default (100 credits)')
  })

  it('says a part is not available on this server when its route answers 404, and the rest still works', async () => {
    panelApi({ 'GET /alerts': undefined, 'GET /auto-top-up': undefined })
    const { wrapper } = await mountView(AlertsPanel)
    expect(byTestId(wrapper, 'alerts-unavailable').text()).toBe('Low-balance alerts are not available on this server yet.')
    expect(byTestId(wrapper, 'auto-top-up-unavailable').text()).toBe('Auto top-up is not available on this server yet.')
    expect(button(wrapper, 'Save a card')).toBeUndefined()
    expect(wrapper.find('[role="alert"]').exists()).toBe(false)
    expect(wrapper.find('#notifications').exists()).toBe(true)
    expect(byTestId(wrapper, 'notify-low_balance').element.checked).toBe(true)
  })

  it('turns an optional email off at once, and back on if the API refuses', async () => {
    const api = panelApi()
    const { wrapper } = await mountView(AlertsPanel)
    const updates = byTestId(wrapper, 'notify-product_updates')
    expect(updates.attributes('role')).toBe('switch')
    await updates.setValue(false)
    await flushPromises()
    expect(api.callsTo('PUT /notifications')[0].body).toEqual({ low_balance: true, product_updates: false })
    expect(wrapper.find('[role="status"]').text()).toBe('Product updates turned off.')

    api.fetch.mockImplementationOnce(async () => jsonResponse(400, { error: { code: 'invalid_notifications', message: 'Not now.' } }))
    const low = byTestId(wrapper, 'notify-low_balance')
    await low.setValue(false)
    await flushPromises()
    expect(low.element.checked).toBe(true)
    expect(wrapper.find('[role="alert"]').text()).toBe('Not now.')
  })

  it('sets an alert threshold, validates it first, and can go back to the default', async () => {
    const api = panelApi({ 'PUT /alerts': (call) => ({ low_balance: call.body.low_balance, default: 100 }) })
    const { wrapper } = await mountView(AlertsPanel)
    const alertPart = byTestId(wrapper, 'low-balance-alert')
    await alertPart.find('input[value="custom"]').setValue(true)
    const threshold = field(alertPart, 'Threshold in credits')
    await threshold.setValue('12.5')
    await alertPart.find('form').trigger('submit')
    expect(api.callsTo('PUT /alerts')).toHaveLength(0)
    expect(threshold.attributes('aria-invalid')).toBe('true')
    const problem = alertPart.find(`#${CSS.escape(threshold.attributes('aria-describedby'))}`)
    expect(problem.text()).toBe('Enter a whole number of credits, 1 or more.')

    await threshold.setValue('990')
    await alertPart.find('form').trigger('submit')
    await flushPromises()
    expect(api.callsTo('PUT /alerts')[0].body).toEqual({ low_balance: 990 })
    expect(alertPart.find('[role="status"]').text()).toBe('Alert saved.')

    await alertPart.find('input[value="default"]').setValue(true)
    await alertPart.find('form').trigger('submit')
    await flushPromises()
    expect(api.callsTo('PUT /alerts')[1].body).toEqual({ low_balance: null })
  })

  it('without a card, enabling shows the API message (409) and offers to save a card', async () => {
    const navigate = vi.fn()
    const api = panelApi({
      'PUT /auto-top-up': jsonResponse(409, {
        error: { code: 'payment_method_required', message: 'Save a card before you turn on auto top-up.' },
      }),
      'POST /payment-method': { url: 'https://checkout.example/setup/cs_2' },
    })
    const { wrapper } = await mountView(AlertsPanel, { props: { navigate } })
    const part = byTestId(wrapper, 'auto-top-up')
    expect(byTestId(part, 'saved-card').text()).toBe('No card saved')
    expect(byTestId(part, 'auto-top-up-status').text()).toBe('Off')
    await part.find('input[role="switch"]').setValue(true)
    await field(part, 'When credits fall below').setValue('950')
    await field(part, 'Top-ups a month, at most').setValue('2')
    await part.find('form').trigger('submit')
    await flushPromises()
    expect(api.callsTo('PUT /auto-top-up')[0].body).toEqual({ enabled: true, threshold: 950, pack: 'Basic', monthly_limit: 2 })
    const error = byTestId(part, 'auto-top-up-error')
    expect(error.attributes('role')).toBe('alert')
    expect(error.text()).toContain('Save a card before you turn on auto top-up.')
    await button(error, 'Save a card now').trigger('click')
    await flushPromises()
    expect(api.callsTo('POST /payment-method')).toHaveLength(1)
    expect(navigate).toHaveBeenCalledWith('https://checkout.example/setup/cs_2')
  })

  it('validates the auto top-up form before sending it', async () => {
    const api = panelApi()
    const { wrapper } = await mountView(AlertsPanel)
    const part = byTestId(wrapper, 'auto-top-up')
    await field(part, 'When credits fall below').setValue('')
    await field(part, 'Top-ups a month, at most').setValue('21')
    await part.find('form').trigger('submit')
    await flushPromises()
    expect(api.callsTo('PUT /auto-top-up')).toHaveLength(0)
    expect(part.text()).toContain('Enter a number of credits.')
    expect(part.text()).toContain('Enter a whole number from 1 to 20.')
    expect(field(part, 'Top-ups a month, at most').attributes('aria-invalid')).toBe('true')
    expect(document.activeElement).toBe(field(part, 'When credits fall below').element)
  })

  it('paused for a payment that needs the customer: a banner with the link to complete it', async () => {
    panelApi({
      'GET /auto-top-up': topUp({
        enabled: true,
        threshold: 950,
        status: 'paused_action_required',
        action_url: 'https://stripe.example/pay/pi_1',
        this_month: 1,
        last_attempt: { at: '2026-12-04T10:00:00Z', outcome: 'requires_action', payment_intent: 'pi_1' },
        payment_method: { brand: 'visa', last4: '3184' },
      }),
    })
    const { wrapper } = await mountView(AlertsPanel)
    const banner = byTestId(wrapper, 'auto-top-up-paused')
    expect(banner.attributes('role')).toBe('alert')
    const link = banner.find('a')
    expect(link.text()).toBe('Complete payment')
    expect(link.attributes('href')).toBe('https://stripe.example/pay/pi_1')
    expect(byTestId(wrapper, 'auto-top-up-status').text()).toBe('Paused: a payment needs you')
    expect(byTestId(wrapper, 'saved-card').text()).toBe('Visa ending in 3184')
    expect(button(wrapper, 'Change card')).toBeDefined()
    expect(byTestId(wrapper, 'top-ups-this-month').text()).toBe('1 of 2 top-ups')
    expect(byTestId(wrapper, 'last-top-up').text()).toContain('needs you to complete the payment')
  })

  it.each([
    ['active', 'On', 'When your credits fall below 950, we buy a Power pack'],
    ['off_failures', 'Turned off after 3 failed payments', 'turned off after 3 failed payments in a row'],
    ['limit_reached', 'Monthly limit reached', 'no more until next month'],
  ])('status %s reads "%s"', async (status, badge, text) => {
    panelApi({
      'GET /auto-top-up': topUp({ enabled: status !== 'off_failures', threshold: 950, pack: 'Power', status, this_month: 2,
        payment_method: { brand: 'mastercard', last4: '4444' },
        last_attempt: { at: '2026-12-03T09:00:00Z', outcome: 'succeeded', payment_intent: 'pi_2' } }),
    })
    const { wrapper } = await mountView(AlertsPanel)
    expect(byTestId(wrapper, 'auto-top-up-status').text()).toBe(badge)
    expect(byTestId(wrapper, 'auto-top-up').text()).toContain(text)
    expect(byTestId(wrapper, 'auto-top-up-paused').exists()).toBe(false)
    expect(byTestId(wrapper, 'last-top-up').text()).toContain('paid')
    expect(byTestId(wrapper, 'saved-card').text()).toBe('Mastercard ending in 4444')
  })

  it('back from the card page, it looks again until the new card shows', async () => {
    let answers = 0
    const navigate = vi.fn()
    const api = panelApi({
      'GET /auto-top-up': () => {
        answers += 1
        return topUp({ payment_method: answers >= 4 ? { brand: 'visa', last4: '4242' } : null })
      },
      'POST /payment-method': { url: 'https://checkout.example/setup/cs_3' },
    })
    const first = await mountView(AlertsPanel, { props: { navigate } })
    await button(first.wrapper, 'Save a card').trigger('click')
    await flushPromises()
    expect(navigate).toHaveBeenCalledWith('https://checkout.example/setup/cs_3')
    first.wrapper.unmount()

    // The browser comes back to the account page.
    const { wrapper } = await mountView(AlertsPanel, { props: { cardPollMs: 1 } })
    await vi.waitFor(() => expect(byTestId(wrapper, 'card-arrival').text()).toBe('Card saved: Visa ending in 4242.'))
    expect(byTestId(wrapper, 'saved-card').text()).toBe('Visa ending in 4242')
    expect(button(wrapper, 'Change card')).toBeDefined()
    const asked = api.callsTo('GET /auto-top-up').length
    wrapper.unmount()

    // Once only: the next visit does not wait for anything.
    const again = await mountView(AlertsPanel, { props: { cardPollMs: 1 } })
    await flushPromises()
    expect(byTestId(again.wrapper, 'card-arrival').exists()).toBe(false)
    expect(api.callsTo('GET /auto-top-up').length).toBe(asked + 1)
  })

  it('says so when the new card has not shown up after a while', async () => {
    panelApi({ 'POST /payment-method': { url: 'https://checkout.example/setup/cs_4' } })
    const first = await mountView(AlertsPanel, { props: { navigate: vi.fn() } })
    await button(first.wrapper, 'Save a card').trigger('click')
    await flushPromises()
    first.wrapper.unmount()
    const { wrapper } = await mountView(AlertsPanel, { props: { cardPollMs: 1 } })
    await vi.waitFor(() => expect(byTestId(wrapper, 'card-arrival').text()).toContain('has not shown up yet'))
  })

  it('a failed card page shows the API message and the button works again', async () => {
    panelApi({ 'POST /payment-method': jsonResponse(503, { error: { code: 'stripe_unavailable', message: 'Stripe is not answering.' } }) })
    const { wrapper } = await mountView(AlertsPanel)
    await button(wrapper, 'Save a card').trigger('click')
    await flushPromises()
    expect(wrapper.find('[role="alert"]').text()).toBe('Stripe is not answering.')
    expect(button(wrapper, 'Save a card').attributes('disabled')).toBeUndefined()
  })
})
