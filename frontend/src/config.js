/** Run-time settings, read from /config.json before the app mounts, so one
 * build serves every stage (see public/config.example.json). */

const REQUIRED = ['apiUrl', 'region', 'userPoolId', 'userPoolClientId']

let current = null

export class ConfigError extends Error {
  constructor(message) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** Checks a parsed config.json and fills in the optional fields. */
export function normaliseConfig(raw) {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('config.json must hold a JSON object.')
  }
  const missing = REQUIRED.filter((key) => typeof raw[key] !== 'string' || !raw[key].trim())
  if (missing.length) {
    throw new ConfigError(`config.json lacks ${missing.join(', ')}.`)
  }
  const providers = Array.isArray(raw.signInProviders) ? raw.signInProviders.filter((p) => typeof p === 'string') : []
  return Object.freeze({
    apiUrl: raw.apiUrl.trim().replace(/\/+$/, ''),
    region: raw.region,
    userPoolId: raw.userPoolId,
    userPoolClientId: raw.userPoolClientId,
    cognitoEndpoint: raw.cognitoEndpoint ? String(raw.cognitoEndpoint).replace(/\/+$/, '') : null,
    localEmulator: raw.localEmulator === true,
    signInProviders: Object.freeze(providers),
    oauthDomain: raw.oauthDomain || null,
  })
}

/** Fetches and checks /config.json; the result is kept for getConfig(). */
export async function loadConfig(fetchImpl = globalThis.fetch) {
  let response
  try {
    response = await fetchImpl('/config.json', { cache: 'no-store', headers: { Accept: 'application/json' } })
  } catch {
    throw new ConfigError('Could not load /config.json: the site is unreachable.')
  }
  if (!response.ok) {
    throw new ConfigError(`Could not load /config.json (HTTP ${response.status}).`)
  }
  let raw
  try {
    raw = await response.json()
  } catch {
    throw new ConfigError('/config.json is not valid JSON.')
  }
  current = normaliseConfig(raw)
  return current
}

export function getConfig() {
  if (!current) throw new ConfigError('The configuration has not been loaded yet.')
  return current
}

/** For tests: install a configuration without fetching it. */
export function setConfig(raw) {
  current = raw === null ? null : normaliseConfig(raw)
  return current
}

export function offersGoogle(config) {
  return config.signInProviders.some((p) => p.toLowerCase() === 'google')
}
