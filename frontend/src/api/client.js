/** The one client every view uses for the credits-saas API: base URL from
 * config.json, the Cognito ID token as a Bearer token, the chosen
 * organisation as X-Org-Id on account routes, JSON both ways, and every
 * failure turned into an ApiError {status, code, message}. */
import { getConfig } from '../config.js'

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

const NETWORK_MESSAGE = 'We could not reach the service. Check your connection and try again.'

const hooks = {
  /** Resolves to the current ID token, or null when signed out. */
  getToken: async () => null,
  /** Called on a 401 from a signed-in route (sends the user to sign in). */
  onUnauthorized: () => {},
  /** The chosen organisation's id, or null for the caller's personal one. */
  getOrgId: () => null,
  /** Called when the API says the caller is not in the organisation sent
   * (removed, or it was deleted): the app falls back to personal. */
  onOrgNotFound: () => {},
}

// The routes that act on an organisation's account (wallet, plan, keys,
// usage, alerts): they take X-Org-Id. Others are per user (/notifications),
// name the organisation in the path (/orgs/…) or are public.
const ACCOUNT_ROUTES = [
  '/user', '/keys', '/generate-key', '/usage', '/ledger', '/checkout', '/change-plan', '/cancel-plan-change',
  '/stop-subscriptions', '/billing-portal', '/alerts', '/auto-top-up', '/payment-method', '/invoices',
]

/** Whether `path` ("/keys/abc?x=1") is an account route. */
export function isAccountRoute(path) {
  const bare = path.split(/[?#]/)[0]
  return ACCOUNT_ROUTES.some((route) => bare === route || bare.startsWith(`${route}/`))
}

export function configureApi(overrides) {
  Object.assign(hooks, overrides)
}

function serverMessage(status) {
  if (status >= 500) return `The service had a problem (HTTP ${status}). Please try again in a moment.`
  return `The request failed (HTTP ${status}).`
}

async function readBody(response) {
  const text = await response.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    return null
  }
}

function errorFrom(status, body) {
  const error = body && typeof body === 'object' ? body.error : null
  const code = (error && error.code) || (status >= 500 ? 'server_error' : 'http_error')
  const message = (error && error.message) || serverMessage(status)
  return new ApiError(status, code, message)
}

function unauthorized(error) {
  hooks.onUnauthorized(error)
  return error
}

/** method, path ("/user"), and options: body (JSON), auth (default true),
 * idempotencyKey. Resolves to the parsed JSON answer. */
export async function request(method, path, { body, auth = true, idempotencyKey } = {}) {
  const headers = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (idempotencyKey) headers['Idempotency-Key'] = idempotencyKey
  if (auth) {
    let token = null
    try {
      token = await hooks.getToken()
    } catch {
      token = null
    }
    if (!token) throw unauthorized(new ApiError(401, 'unauthorized', 'Please sign in to continue.'))
    headers.Authorization = `Bearer ${token}`
  }
  const orgId = auth && isAccountRoute(path) ? hooks.getOrgId() : null
  if (orgId) headers['X-Org-Id'] = orgId
  let response
  try {
    response = await globalThis.fetch(`${getConfig().apiUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'network_error', NETWORK_MESSAGE)
  }
  const parsed = await readBody(response)
  if (!response.ok) {
    const error = errorFrom(response.status, parsed)
    if (orgId && response.status === 404 && error.code === 'org_not_found') hooks.onOrgNotFound(orgId)
    throw auth && response.status === 401 ? unauthorized(error) : error
  }
  return parsed
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body = {}, options = {}) => request('POST', path, { ...options, body }),
  put: (path, body = {}, options = {}) => request('PUT', path, { ...options, body }),
  patch: (path, body = {}, options = {}) => request('PATCH', path, { ...options, body }),
  delete: (path, options) => request('DELETE', path, options),
}
