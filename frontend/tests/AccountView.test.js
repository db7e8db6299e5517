import { beforeEach, describe, expect, it, vi } from 'vitest'
import AccountView from '../src/views/AccountView.vue'
import { LEDGER_PAGE } from '../src/composables/useLedger.js'
import { setUser } from '../src/composables/useAccount.js'
import { resetOrgs } from '../src/composables/useOrg.js'
import { flushPromises, jsonResponse, mountView, signInAs, signOutNow, stubApi, user } from './helpers.js'

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
    { at: '2026-11-20T09:00:00Z', kind: 'purchase', credits: 1000, description: 'Basic pack', reference: 'cs_test_a1B2c3' },
    { at: '2026-11-01T10:00:00Z', kind: 'signup', credits: 50, description: 'Sign-up bonus', reference: 'signup:u1' },
  ],
  next_cursor: null,
}
const byTestId = (wrapper, id) => wrapper.find(`[data-testid="${id}"]`)
const button = (element, label) => element.findAll('button').find((candidate) => candidate.text() === label)

function accountApi(overrides = {}) {
  return stubApi({
    'GET /user': { user: user({ plan: 'Basic', credits: 1750, plan_credits: 750, purchased_credits: 1000, subscription: { id: 'sub_1', plan: 'Basic', status: 'active', current_period_end: 1796000000, cancel_at_period_end: false } }) },
    'GET /ledger': LEDGER,
    'GET /usage': USAGE,
    'GET /keys': { keys: [{ id: 'a1b2c3d4', name: 'production', prefix: 'cs_live_ab12', created_at: '2026-11-01T10:00:00Z', last_used_at: '2026-11-29', rate_limit: null }] },
    ...overrides,
  })
}

describe('AccountView', () => {
  beforeEach(async () => {
    charts.length = 0
    await signInAs()
  })

  it('shows the plan, the balances, the keys, the chart and the ledger', async () => {
    const api = accountApi()
    const { wrapper } = await mountView(AccountView, { path: '/account' })
    await flushPromises()
    expect(byTestId(wrapper, 'plan-name').text()).toBe('Basic')
    expect(byTestId(wrapper, 'subscription-status').text()).toBe('Active')
    expect(byTestId(wrapper, 'total-credits').text()).toBe('1,750')
    expect(byTestId(wrapper, 'plan-credits').text()).toBe('750')
    expect(byTestId(wrapper, 'purchased-credits').text()).toBe('1,000')
    expect(byTestId(wrapper, 'next-reset').find('time').attributes('datetime')).toBe('2026-12-06T10:00:00Z')
    expect(byTestId(wrapper, 'api-key-prefix').text()).toBe('cs_live_ab12…')
    expect(byTestId(wrapper, 'key-last-used').text()).toBe('Nov 29, 2026')
    expect(wrapper.text()).not.toContain('running low')

    expect(api.calls.find((call) => call.key === 'GET /usage').url).toContain('days=30')
    expect(wrapper.find('[aria-label="Credits spent per day"]').exists()).toBe(true)
    expect(charts).toHaveLength(1)
    expect(charts[0].config.data.datasets[0].data).toHaveLength(30)
    expect(wrapper.find('figcaption').text()).toContain('7 credits spent')

    const table = wrapper.find('table')
    expect(table.findAll('th').map((th) => th.text())).toEqual(['Date', 'Description', 'Credits', 'Reference'])
    const cells = table.findAll('tbody tr').map((row) => row.findAll('td'))
    expect(cells).toHaveLength(2)
    expect(cells[0][0].find('time').attributes('datetime')).toBe('2026-11-20T09:00:00Z')
    expect(cells[0][1].text()).toMatch(/^Basic pack/)
    expect(cells[0][2].text()).toBe('1,000')
    expect(cells[0][3].find('code').text()).toBe('cs_test_a1B2c3')
    expect(cells[1][3].text()).toBe('signup:u1')
    expect(button(wrapper, 'Load more')).toBeUndefined()
  })

  it('shows a payment to confirm, credits owed and a scheduled downgrade that can be undone', async () => {
    const subscription = {
      id: 'sub_1', plan: 'Power', status: 'past_due', current_period_end: 1796000000, cancel_at_period_end: false,
      action_url: 'https://pay.example/invoice/in_1', scheduled_change: { plan: 'Basic', at: 1796000000 },
    }
    const api = accountApi({
      'GET /user': { user: user({ plan: 'Power', credits: -950, plan_credits: -950, purchased_credits: 0, owed_credits: 950, subscription }) },
      'POST /cancel-plan-change': { user: user({ plan: 'Power', credits: -950, owed_credits: 950, subscription: { ...subscription, scheduled_change: null } }) },
    })
    const { wrapper } = await mountView(AccountView)
    await flushPromises()
    const action = byTestId(wrapper, 'action-required')
    expect(action.text()).toContain('Your Power renewal needs you.')
    expect(action.find('a').attributes('href')).toBe('https://pay.example/invoice/in_1')
    expect(byTestId(wrapper, 'credits-owed').text()).toContain('You owe 950 credits.')
    expect(wrapper.text()).toContain('You are out of credits.')
    const scheduled = byTestId(wrapper, 'scheduled-change')
    expect(scheduled.text()).toContain('Your plan changes to Basic on')
    await button(scheduled, 'Keep Power').trigger('click')
    await flushPromises()
    expect(api.callsTo('POST /cancel-plan-change')).toHaveLength(1)
    expect(byTestId(wrapper, 'scheduled-change').exists()).toBe(false)
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

  it('comes back to the notifications settings after signing in (the emails link there)', async () => {
    await signOutNow()
    accountApi()
    const { router } = await mountView(AccountView, { path: '/account#notifications' })
    await flushPromises()
    expect(router.currentRoute.value.query.redirect).toBe('/account#notifications')
  })
})

/** A promise the test settles when it chooses: an answer still on its way. */
function later() {
  let settle
  const promise = new Promise((resolve) => {
    settle = resolve
  })
  return { promise, settle }
}

function entry(n) {
  return { at: `2026-11-${String(n).padStart(2, '0')}T09:00:00Z`, kind: 'spend', credits: n, description: `Entry ${n}`, reference: `in_${n}` }
}

describe('AccountView while loading and paging', () => {
  beforeEach(async () => {
    charts.length = 0
    await signInAs()
  })

  it('shows loading states, not empty or stale figures, until each answer arrives', async () => {
    setUser(user({ credits: 1, plan_credits: 1 })) // what another page loaded earlier
    const answers = { user: later(), usage: later(), ledger: later() }
    const api = accountApi({
      'GET /user': () => answers.user.promise,
      'GET /usage': () => answers.usage.promise,
      'GET /ledger': () => answers.ledger.promise,
    })
    const { wrapper } = await mountView(AccountView)
    expect(api.calls.map((call) => call.key).sort()).toEqual([
      'GET /alerts', 'GET /auto-top-up', 'GET /invoices', 'GET /keys', 'GET /ledger', 'GET /notifications',
      'GET /usage', 'GET /user',
    ])
    expect(wrapper.text()).toContain('Loading your account…')
    expect(byTestId(wrapper, 'total-credits').exists()).toBe(false)
    expect(byTestId(wrapper, 'next-reset').exists()).toBe(false)
    expect(wrapper.text()).toContain('Loading usage…')
    expect(wrapper.find('figcaption').exists()).toBe(false)
    expect(wrapper.text()).toContain('Loading credit history…')
    expect(wrapper.text()).not.toContain('No entries yet.')

    answers.user.settle({ user: user({ credits: 1750, plan_credits: 750, purchased_credits: 1000 }) })
    await flushPromises()
    expect(byTestId(wrapper, 'total-credits').text()).toBe('1,750')
    expect(wrapper.text()).not.toContain('Loading your account')

    answers.ledger.settle({ entries: [], next_cursor: null })
    answers.usage.settle(USAGE)
    await flushPromises()
    expect(wrapper.text()).toContain('No entries yet.')
    expect(wrapper.text()).not.toMatch(/Loading/)
    expect(wrapper.find('figcaption').text()).toContain('7 credits spent')
  })

  it('loads more entries with the cursor while the API has more', async () => {
    const api = accountApi({
      'GET /ledger': (call) => {
        const cursor = new URL(call.url).searchParams.get('cursor')
        if (!cursor) return { entries: [entry(9), entry(8)], next_cursor: 'page-2' }
        if (cursor === 'page-2') return { entries: [entry(7)], next_cursor: null }
        return jsonResponse(400, { error: { code: 'invalid_cursor', message: 'bad cursor' } })
      },
    })
    const { wrapper } = await mountView(AccountView)
    const first = new URL(api.callsTo('GET /ledger')[0].url).searchParams
    expect(first.get('limit')).toBe(String(LEDGER_PAGE))
    expect(first.has('cursor')).toBe(false)
    expect(wrapper.findAll('tbody tr')).toHaveLength(2)

    await button(wrapper, 'Load more').trigger('click')
    await flushPromises()
    expect(new URL(api.callsTo('GET /ledger')[1].url).searchParams.get('cursor')).toBe('page-2')
    expect(wrapper.findAll('tbody tr').map((row) => row.find('td:nth-child(2)').text())).toEqual([
      expect.stringMatching(/^Entry 9/),
      expect.stringMatching(/^Entry 8/),
      expect.stringMatching(/^Entry 7/),
    ])
    expect(button(wrapper, 'Load more')).toBeUndefined()
  })

  it('says when the history cannot be loaded instead of showing it empty', async () => {
    accountApi({ 'GET /ledger': jsonResponse(503, { error: { code: 'unavailable', message: 'Try later.' } }) })
    const { wrapper } = await mountView(AccountView)
    expect(wrapper.find('[role="alert"]').text()).toContain('Try later.')
    expect(wrapper.text()).not.toContain('No entries yet.')
  })

  it('labels the chart from today backwards, whatever its width', async () => {
    accountApi()
    await mountView(AccountView)
    const labels = charts[0].config.data.labels
    const tick = charts[0].config.options.scales.x.ticks.callback
    for (const width of [250, 600, 1000]) {
      const shown = labels.map((_, index) => tick.call({ chart: { width } }, index, index)).filter(Boolean)
      expect(shown[shown.length - 1]).toBe('Nov 30')
      expect(shown.length * 48).toBeLessThanOrEqual(width)
    }
    expect(labels.map((_, index) => tick.call({ chart: { width: 250 } }, index, index)).filter(Boolean)).toEqual([
      'Nov 2',
      'Nov 9',
      'Nov 16',
      'Nov 23',
      'Nov 30',
    ])
  })
})

describe('AccountView in an organisation', () => {
  beforeEach(async () => {
    charts.length = 0
    localStorage.setItem('credits-saas:org', JSON.stringify({ 'dev@example.com': 'org_acme' }))
    resetOrgs()
    await signInAs('dev@example.com')
  })

  const inOrg = (role) => user({ org: { id: 'org_acme', name: 'Acme', role, personal: false } })

  it('shows a developer the keys to manage but no billing action, and asks nothing billing-only', async () => {
    const api = accountApi({
      'GET /user': { user: inOrg('developer') },
      'GET /notifications': { low_balance: true, product_updates: true },
    })
    const { wrapper } = await mountView(AccountView)
    await flushPromises()
    expect(wrapper.find('h1').text()).toBe('Acme')
    expect(byTestId(wrapper, 'org-role').text()).toContain('your role: Developer')
    expect(button(wrapper, 'Manage billing')).toBeUndefined()
    expect(wrapper.findAll('a[href="/pricing"]').map((link) => link.text())).not.toContain('Change plan')
    expect(api.callsTo('GET /alerts')).toHaveLength(0)
    expect(api.callsTo('GET /auto-top-up')).toHaveLength(0)
    expect(api.callsTo('GET /invoices')).toHaveLength(0)
    expect(wrapper.text()).not.toContain('Billing history')
    expect(byTestId(wrapper, 'low-balance-alert').exists()).toBe(false)
    expect(byTestId(wrapper, 'auto-top-up').exists()).toBe(false)
    expect(wrapper.find('#notifications').exists()).toBe(true)
    expect(button(wrapper, 'Create key')).toBeTruthy()
    expect(wrapper.find('[aria-label="Revoke production"]').exists()).toBe(true)
  })

  it('shows a billing member the billing actions and no keys (GET /keys is not asked for)', async () => {
    const api = accountApi({
      'GET /user': { user: inOrg('billing') },
      'GET /alerts': { low_balance: null, default: 5 },
      'GET /auto-top-up': { enabled: false, status: 'off', monthly_limit: 2, payment_method: null },
      'GET /notifications': { low_balance: true, product_updates: true },
    })
    const { wrapper } = await mountView(AccountView)
    await flushPromises()
    expect(button(wrapper, 'Manage billing')).toBeTruthy()
    expect(api.callsTo('GET /alerts')).toHaveLength(1)
    expect(api.callsTo('GET /invoices').length).toBeGreaterThan(0)
    expect(wrapper.find('#billing-history-heading').text()).toBe('Billing history')
    expect(api.callsTo('GET /keys')).toHaveLength(0)
    expect(byTestId(wrapper, 'keys-not-for-role').exists()).toBe(true)
    expect(button(wrapper, 'Create key')).toBeUndefined()
  })
})
