import { describe, expect, it, vi } from 'vitest'
import { ApiError, api, configureApi } from '../src/api/client.js'
import { API, jsonResponse, signInAs, signOutNow, stubApi } from './helpers.js'

describe('api client', () => {
  it('sends the ID token as a Bearer token and JSON bodies', async () => {
    await signInAs()
    const { calls } = stubApi({ 'POST /checkout': { session_id: 'cs_1', url: 'https://pay' } })
    const answer = await api.post('/checkout', { plan: 'Basic', subscribe: true }, { idempotencyKey: 'k-1' })
    expect(answer.url).toBe('https://pay')
    expect(calls[0].url).toBe(`${API}/checkout`)
    expect(calls[0].headers).toMatchObject({
      Authorization: 'Bearer id-token-123',
      'Content-Type': 'application/json',
      'Idempotency-Key': 'k-1',
    })
    expect(calls[0].body).toEqual({ plan: 'Basic', subscribe: true })
  })

  it('calls public routes without a token', async () => {
    await signOutNow()
    const { calls } = stubApi({ 'GET /plans': { plans: [] } })
    await api.get('/plans', { auth: false })
    expect(calls[0].headers).not.toHaveProperty('Authorization')
  })

  it('turns the error body into an ApiError', async () => {
    await signInAs()
    stubApi({
      'POST /checkout': jsonResponse(409, { error: { code: 'already_subscribed', message: 'You already subscribe to Basic.' } }),
    })
    const error = await api.post('/checkout', {}).catch((e) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 409, code: 'already_subscribed', message: 'You already subscribe to Basic.' })
  })

  it('explains 5xx answers without a JSON body and network failures', async () => {
    await signInAs()
    stubApi({ 'GET /user': new Response('<html>Bad gateway</html>', { status: 502 }) })
    const upstream = await api.get('/user').catch((e) => e)
    expect(upstream).toMatchObject({ status: 502, code: 'server_error' })
    expect(upstream.message).toContain('try again')

    vi.stubGlobal('fetch', vi.fn(async () => { throw new TypeError('Failed to fetch') }))
    const offline = await api.get('/user').catch((e) => e)
    expect(offline).toMatchObject({ status: 0, code: 'network_error' })
  })

  it('sends the user to sign in on a 401', async () => {
    await signInAs()
    const onUnauthorized = vi.fn()
    configureApi({ onUnauthorized })
    stubApi({ 'GET /user': jsonResponse(401, { error: { code: 'invalid_token', message: 'The ID token is not valid: expired' } }) })
    const error = await api.get('/user').catch((e) => e)
    expect(error.status).toBe(401)
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })

  it('does not call a signed-in route without a session', async () => {
    await signOutNow()
    const onUnauthorized = vi.fn()
    configureApi({ onUnauthorized })
    const { fetch } = stubApi({})
    const error = await api.get('/user').catch((e) => e)
    expect(error.status).toBe(401)
    expect(fetch).not.toHaveBeenCalled()
    expect(onUnauthorized).toHaveBeenCalledTimes(1)
  })
})
