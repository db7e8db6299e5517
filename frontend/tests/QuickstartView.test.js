import { describe, expect, it } from 'vitest'
import QuickstartView from '../src/views/QuickstartView.vue'
import CheckoutCancelView from '../src/views/CheckoutCancelView.vue'
import { readPendingPurchase, savePendingPurchase } from '../src/composables/pending.js'
import { API, PLANS, mountView, signInAs, signOutNow, stubApi, user } from './helpers.js'

describe('QuickstartView', () => {
  it('fills in the API URL, the route costs and the error answers', async () => {
    await signOutNow()
    stubApi({})
    const { wrapper } = await mountView(QuickstartView)
    expect(wrapper.find('[data-testid="api-url"]').text()).toBe(API)
    const text = wrapper.text()
    expect(text).toContain(`curl -i -X POST "${API}/test"`)
    expect(text).toContain(`API_URL = "${API}"`)
    const rows = wrapper.findAll('tbody tr').map((row) => [row.find('code').text(), row.find('.numeric').text()])
    expect(rows).toEqual([['POST /test', '1'], ['POST /test/heavy', '5']])
    expect(text).toContain('"invalid_api_key"')
    expect(text).toContain('"insufficient_credits"')
  })

  it('explains retry-safe calls, the credit headers, the 402 figures and links the contract', async () => {
    await signOutNow()
    stubApi({})
    const { wrapper } = await mountView(QuickstartView)
    const text = wrapper.text()
    expect(text).toContain('-H "Idempotency-Key: $CALL_ID"')
    expect(text).toContain('"Idempotency-Key": str(uuid.uuid4())')
    expect(text).toContain('Idempotent-Replayed: true')
    expect(text).toContain('24 hours')
    expect(wrapper.findAll('dt').map((dt) => dt.text())).toEqual(['X-Credits-Cost', 'X-Credits-Remaining', 'Idempotent-Replayed'])
    expect(text).toMatch(/"required": 5,\s+"remaining": 3/)
    expect(text).toContain(`error['required']`)
    const contract = wrapper.find('[data-testid="openapi-url"]')
    expect(contract.attributes('href')).toBe(`${API}/openapi.json`)
  })

  it('explains several keys and the 429 with Retry-After', async () => {
    await signInAs()
    stubApi({})
    const { wrapper } = await mountView(QuickstartView)
    const text = wrapper.text()
    expect(text).toContain('up to 10')
    expect(text).toContain('Revoking one stops it at once')
    expect(text).toContain('HTTP/1.1 429 Too Many Requests')
    expect(text).toContain('"rate_limited"')
    expect(text).toContain('time.sleep(int(response.headers["Retry-After"]))')
  })
})

describe('CheckoutCancelView', () => {
  it('says nothing was charged and shows the plans again', async () => {
    await signOutNow()
    savePendingPurchase({ name: 'Basic', credits: 1000 }, false, user())
    stubApi({ 'GET /plans': PLANS })
    const { wrapper } = await mountView(CheckoutCancelView, { path: '/checkout/cancel' })
    expect(wrapper.text()).toContain('Nothing was charged')
    expect(wrapper.findAll('article')).toHaveLength(3)
    expect(readPendingPurchase()).toBeNull()
  })
})
