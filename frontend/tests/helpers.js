import { vi } from 'vitest'
import { enableAutoUnmount, mount, flushPromises } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import { fetchAuthSession } from 'aws-amplify/auth'
import { refreshSession } from '../src/composables/useSession.js'
import { setUser } from '../src/composables/useAccount.js'

export const API = 'https://api.example.test'

// Test Utils' auto-unmount may be enabled once per copy of the library, and
// the files of a worker share one: tests/setup.js calls this after each test.
let unmountWrappers = () => {}
enableAutoUnmount((hook) => {
  unmountWrappers = hook
})
export const unmountAll = () => unmountWrappers()

export function jsonResponse(status, body) {
  return new Response(body === undefined ? '' : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  })
}

/** Stubs globalThis.fetch with answers keyed by "METHOD /path"; a value is
 * an answer body (200), a Response, or a function of the call. */
export function stubApi(handlers) {
  const calls = []
  const fetch = vi.fn(async (url, init = {}) => {
    const parsed = new URL(url)
    const call = {
      key: `${init.method || 'GET'} ${parsed.pathname}`,
      url,
      headers: init.headers || {},
      body: init.body ? JSON.parse(init.body) : undefined,
    }
    calls.push(call)
    const handler = handlers[call.key]
    if (handler === undefined) return jsonResponse(404, { error: { code: 'not_found', message: `No ${call.key}` } })
    const answer = typeof handler === 'function' ? await handler(call) : handler
    return answer instanceof Response ? answer : jsonResponse(200, answer)
  })
  vi.stubGlobal('fetch', fetch)
  return { fetch, calls, callsTo: (key) => calls.filter((call) => call.key === key) }
}

export async function signInAs(email = 'ada@example.com', groups = undefined) {
  const payload = groups ? { email, 'cognito:groups': groups } : { email }
  fetchAuthSession.mockResolvedValue({
    tokens: { idToken: { toString: () => 'id-token-123', payload } },
  })
  await refreshSession()
}

export async function signOutNow() {
  fetchAuthSession.mockResolvedValue({ tokens: undefined })
  await refreshSession()
  setUser(null)
}

const Stub = { template: '<div />' }

/** A router with the app's paths and empty pages, for mounting one view. */
export function testRouter() {
  const paths = ['/', '/pricing', '/signin', '/account', '/members', '/invite', '/quickstart', '/checkout/success', '/checkout/cancel',
    '/admin', '/admin/accounts', '/admin/accounts/:id', '/admin/audit']
  return createRouter({ history: createMemoryHistory(), routes: paths.map((path) => ({ path, component: Stub })) })
}

export async function mountView(component, { path = '/', props } = {}) {
  const router = testRouter()
  router.push(path)
  await router.isReady()
  const wrapper = mount(component, { props, global: { plugins: [router] }, attachTo: document.body })
  await flushPromises()
  return { wrapper, router }
}

export function user(overrides = {}) {
  return {
    id: 'u1',
    email: 'ada@example.com',
    plan: 'Free',
    credits: 50,
    plan_credits: 50,
    purchased_credits: 0,
    subscription: null,
    next_reset_at: '2026-12-06T10:00:00Z',
    ...overrides,
  }
}

export const PLANS = {
  plans: [
    { name: 'Free', credits: 50, interval: 'week', prices: {} },
    {
      name: 'Basic',
      credits: 1000,
      interval: 'month',
      prices: {
        one_off: { amount: 500, currency: 'gbp', lookup_key: 'basic_one_off' },
        monthly: { amount: 500, currency: 'gbp', lookup_key: 'basic_monthly' },
      },
    },
    {
      name: 'Power',
      credits: 100000,
      interval: 'month',
      prices: {
        one_off: { amount: 5000, currency: 'gbp', lookup_key: 'power_one_off' },
        monthly: { amount: 5000, currency: 'gbp', lookup_key: 'power_monthly' },
      },
    },
  ],
}

export { flushPromises }
