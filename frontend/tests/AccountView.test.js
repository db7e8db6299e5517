import { beforeEach, describe, expect, it, vi } from 'vitest'
import AccountView from '../src/views/AccountView.vue'
import { flushPromises, mountView, signInAs, signOutNow, stubApi, user } from './helpers.js'

const charts = vi.hoisted(() => [])
vi.mock('chart.js', () => {
  class Chart {
    constructor(context, config) {
      this.config = config
      charts.push(this)
    }
    static register() {}
    destroy() {}
  }
  return { Chart, BarController: {}, BarElement: {}, CategoryScale: {}, LinearScale: {}, Tooltip: {} }
})

const USAGE = { usage: Array.from({ length: 30 }, (_, i) => ({ date: `2026-11-${String(i + 1).padStart(2, '0')}`, credits: i === 29 ? 7 : 0 })) }
const LEDGER = {
  entries: [
    { at: '2026-11-20T09:00:00Z', kind: 'purchase', credits: 1000, reference: 'Basic pack' },
    { at: '2026-11-01T10:00:00Z', kind: 'signup', credits: 50, reference: 'signup:u1' },
  ],
}
const byTestId = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)
const button = (element, label) => element.findAll('button').find((candidate) => candidate.text() === label)

function accountApi(overrides = {}) {
  return stubApi({
    'GET /user': { user: user({ plan: 'Basic', credits: 1750, plan_credits: 750, purchased_credits: 1000, subscription: { id: 'sub_1', plan: 'Basic', status: 'active', current_period_end: 1796000000, cancel_at_period_end: false } }) },
    'GET /ledger': LEDGER,
    'GET /usage': USAGE,
    ...overrides,
  })
}

describe('AccountView', () => {
  beforeEach(async () => {
    charts.length = 0
    await signInAs()
  })

  it('shows the plan, the balances, the key prefix, the chart and the ledger', async () => {
    const api = accountApi()
    const { wrapper } = await mountView(AccountView, { path: '/account' })
    await flushPromises()
    expect(byTestId(wrapper, 'plan-name').text()).toBe('Basic')
    expect(byTestId(wrapper, 'subscription-status').text()).toBe('Active')
    expect(byTestId(wrapper, 'total-credits').text()).toBe('1,750')
    expect(byTestId(wrapper, 'plan-credits').text()).toBe('750')
    expect(byTestId(wrapper, 'purchased-credits').text()).toBe('1,000')
    expect(byTestId(wrapper, 'next-reset').find('time').attributes('datetime')).toBe('2026-12-06T10:00:00Z')
    expect(byTestId(wrapper, 'api-key-prefix').text()).toBe('cs_live_ab12')
    expect(wrapper.text()).not.toContain('running low')

    expect(api.calls.find((call) => call.key === 'GET /usage').url).toContain('days=30')
    expect(wrapper.find('[aria-label="Credits spent per day"]').exists()).toBe(true)
    expect(charts).toHaveLength(1)
    expect(charts[0].config.data.datasets[0].data).toHaveLength(30)
    expect(wrapper.find('figcaption').text()).toContain('7 credits spent')

    const rows = wrapper.findAll('table tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('Credit pack')
    expect(rows[0].text()).toContain('1,000')
    expect(rows[0].text()).toContain('Basic pack')
  })

  it('suggests buying more when credits run low', async () => {
    accountApi({ 'GET /user': { user: user({ credits: 3, plan_credits: 3 }) } })
    const { wrapper } = await mountView(AccountView)
    expect(wrapper.text()).toContain('You are running low on credits.')
    expect(wrapper.findAll('a[href="/pricing"]').map((link) => link.text())).toContain('Buy a pack or upgrade')
  })

  it('explains a past-due subscription and one ending at the period end', async () => {
    accountApi({ 'GET /user': { user: user({ plan: 'Basic', subscription: { status: 'past_due', current_period_end: 1796000000 } }) } })
    const { wrapper } = await mountView(AccountView)
    expect(byTestId(wrapper, 'subscription-status').text()).toBe('Past due')
    const assign = vi.fn()
    vi.stubGlobal('location', { ...window.location, assign })
    stubApi({ 'POST /billing-portal': { url: 'https://billing.example/fix-card' } })
    await button(wrapper, 'Update your card in the billing portal').trigger('click')
    await flushPromises()
    expect(assign).toHaveBeenCalledWith('https://billing.example/fix-card')

    accountApi({ 'GET /user': { user: user({ plan: 'Basic', subscription: { status: 'active', current_period_end: 1796000000, cancel_at_period_end: true } }) } })
    const ending = (await mountView(AccountView)).wrapper
    expect(byTestId(ending, 'subscription-status').text()).toMatch(/^Active, ends on .*2026/)
  })

  it('confirms before generating a key, then shows the full key once with Copy', async () => {
    const writeText = vi.fn(async () => {})
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    let prefix = 'cs_live_ab12'
    const api = accountApi({
      'GET /user': () => ({ user: user({ api_key: { prefix, created_at: '2026-11-01T10:00:00Z' } }) }),
      'POST /generate-key': () => {
        prefix = 'cs_live_zz99'
        return { key: 'cs_live_zz99.secret-part' }
      },
    })
    const { wrapper } = await mountView(AccountView)
    await button(wrapper, 'Generate new key').trigger('click')
    const dialog = wrapper.find('[role="dialog"]')
    expect(dialog.text()).toContain('stops working immediately')
    expect(api.callsTo('POST /generate-key')).toHaveLength(0)

    await button(dialog, 'Generate new key').trigger('click')
    await flushPromises()
    expect(api.callsTo('POST /generate-key')).toHaveLength(1)
    expect(wrapper.find('[role="dialog"]').exists()).toBe(false)
    expect(byTestId(wrapper, 'new-api-key').text()).toBe('cs_live_zz99.secret-part')
    expect(wrapper.text()).toContain('old key stopped working')
    expect(byTestId(wrapper, 'api-key-prefix').text()).toBe('cs_live_zz99')

    await button(wrapper, 'Copy').trigger('click')
    await flushPromises()
    expect(writeText).toHaveBeenCalledWith('cs_live_zz99.secret-part')
    expect(wrapper.text()).toContain('Copied')
  })

  it('cancelling the confirmation keeps the key', async () => {
    const api = accountApi()
    const { wrapper } = await mountView(AccountView)
    await button(wrapper, 'Generate new key').trigger('click')
    await button(wrapper.find('[role="dialog"]'), 'Cancel').trigger('click')
    expect(api.callsTo('POST /generate-key')).toHaveLength(0)
    expect(byTestId(wrapper, 'new-api-key').exists()).toBe(false)
  })

  it('opens the billing portal', async () => {
    const assign = vi.fn()
    vi.stubGlobal('location', { ...window.location, assign })
    accountApi({ 'POST /billing-portal': { url: 'https://billing.example/session' } })
    const { wrapper } = await mountView(AccountView)
    await button(wrapper, 'Manage billing').trigger('click')
    await flushPromises()
    expect(assign).toHaveBeenCalledWith('https://billing.example/session')
  })

  it('shows nothing private and goes to sign-in when the session is gone', async () => {
    await signOutNow()
    const api = accountApi()
    const { wrapper, router } = await mountView(AccountView, { path: '/account' })
    await flushPromises()
    expect(api.calls).toHaveLength(0)
    expect(byTestId(wrapper, 'total-credits').exists()).toBe(false)
    expect(router.currentRoute.value.fullPath).toBe('/signin?redirect=/account')
  })
})
