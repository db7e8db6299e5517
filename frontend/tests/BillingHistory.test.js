import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import BillingHistory from '../src/components/BillingHistory.vue'
import PlanCard from '../src/components/PlanCard.vue'
import { flushPromises, mountView, signInAs, stubApi, testRouter } from './helpers.js'

const invoice = (overrides = {}) => ({
  id: 'in_1',
  number: 'ABC-0001',
  created: '2026-12-04T10:00:00Z',
  description: 'Basic pack',
  total: 500,
  tax: 83,
  currency: 'gbp',
  status: 'paid',
  hosted_url: 'https://stripe.example/invoice/in_1',
  pdf_url: 'https://stripe.example/invoice/in_1/pdf',
  ...overrides,
})

describe('BillingHistory', () => {
  it('lists each invoice with its total, its VAT and a PDF download link', async () => {
    await signInAs()
    const api = stubApi({
      'GET /invoices': { invoices: [invoice(), invoice({ id: 'in_2', description: 'Automatic top-up: Basic pack', tax: 0 })], next_cursor: null },
    })
    const { wrapper } = await mountView(BillingHistory)
    const rows = wrapper.findAll('tbody tr')
    expect(rows).toHaveLength(2)
    expect(rows[0].text()).toContain('Basic pack')
    expect(rows[0].text()).toContain('ABC-0001')
    expect(rows[0].text()).toContain('£5.00')
    expect(rows[0].text()).toContain('£0.83')
    expect(rows[0].text()).toContain('Paid')
    expect(rows[1].text()).toContain('£0')
    const link = rows[0].find('a[download]')
    expect(link.attributes('href')).toBe('https://stripe.example/invoice/in_1/pdf')
    expect(link.attributes('aria-label')).toBe('Download invoice ABC-0001 (PDF)')
    expect(api.callsTo('GET /invoices')[0].url).toContain('limit=20')
    expect(wrapper.find('.more').exists()).toBe(false)
  })

  it('offers to pay an open invoice and loads older ones page by page', async () => {
    await signInAs()
    const api = stubApi({
      'GET /invoices': (call) => (call.url.includes('cursor=in_1')
        ? { invoices: [invoice({ id: 'in_0', number: 'ABC-0000' })], next_cursor: null }
        : { invoices: [invoice({ status: 'open' })], next_cursor: 'in_1' }),
    })
    const { wrapper } = await mountView(BillingHistory)
    expect(wrapper.find('tbody').text()).toContain('Pay now')
    await wrapper.find('.more button').trigger('click')
    await flushPromises()
    expect(wrapper.findAll('tbody tr')).toHaveLength(2)
    expect(api.callsTo('GET /invoices')).toHaveLength(2)
  })

  it('says when there is nothing yet, and shows a failure with a retry', async () => {
    await signInAs()
    stubApi({ 'GET /invoices': { invoices: [], next_cursor: null } })
    const { wrapper } = await mountView(BillingHistory)
    expect(wrapper.text()).toContain('No invoices yet')
    stubApi({})
    const failed = (await mountView(BillingHistory)).wrapper
    expect(failed.find('[role="alert"]').text()).toContain('Try again')
  })
})

describe('PlanCard VAT', () => {
  const plan = (behavior) => ({
    name: 'Basic',
    credits: 1000,
    interval: 'month',
    prices: {
      one_off: { amount: 500, currency: 'gbp', lookup_key: 'basic_one_off', tax_behavior: behavior },
      monthly: { amount: 500, currency: 'gbp', lookup_key: 'basic_monthly', tax_behavior: behavior },
    },
  })
  const card = (behavior) => mount(PlanCard, { props: { plan: plan(behavior) }, global: { plugins: [testRouter()] } })

  it('says "incl. VAT" or "+ VAT" as the prices carry it, and nothing for untaxed prices', () => {
    expect(card('inclusive').find('.plan-price').text()).toContain('incl. VAT')
    expect(card('exclusive').find('.plan-price').text()).toContain('+ VAT')
    expect(card(null).text()).not.toContain('VAT')
  })
})
