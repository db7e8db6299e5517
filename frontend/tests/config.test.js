import { describe, expect, it, vi } from 'vitest'
import { ConfigError, getConfig, loadConfig, normaliseConfig, offersGoogle } from '../src/config.js'
import { amplifyConfig } from '../src/amplify.js'
import { jsonResponse } from './helpers.js'

const BASE = { apiUrl: 'http://127.0.0.1:8000/', region: 'us-east-1', userPoolId: 'us-east-1_x', userPoolClientId: 'abc' }

describe('loadConfig', () => {
  it('fetches /config.json and keeps the normalised settings', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { ...BASE, cognitoEndpoint: 'http://127.0.0.1:5000', localEmulator: true }))
    const config = await loadConfig(fetch)
    expect(fetch).toHaveBeenCalledWith('/config.json', expect.objectContaining({ cache: 'no-store' }))
    expect(config.apiUrl).toBe('http://127.0.0.1:8000')
    expect(config.cognitoEndpoint).toBe('http://127.0.0.1:5000')
    expect(config.localEmulator).toBe(true)
    expect(config.signInProviders).toEqual([])
    expect(getConfig()).toBe(config)
  })

  it('names the missing settings', async () => {
    const fetch = vi.fn(async () => jsonResponse(200, { apiUrl: 'x', region: 'r' }))
    await expect(loadConfig(fetch)).rejects.toThrow('config.json lacks userPoolId, userPoolClientId.')
  })

  it('reports a missing file and bad JSON', async () => {
    await expect(loadConfig(async () => jsonResponse(404, {}))).rejects.toThrow('HTTP 404')
    await expect(loadConfig(async () => new Response('{oops', { status: 200 }))).rejects.toThrow('not valid JSON')
    await expect(loadConfig(async () => { throw new TypeError('offline') })).rejects.toBeInstanceOf(ConfigError)
  })
})

describe('amplifyConfig', () => {
  it('points Amplify at the emulator only when an endpoint is set', () => {
    const local = amplifyConfig(normaliseConfig({ ...BASE, cognitoEndpoint: 'http://127.0.0.1:5000' }), 'http://localhost:5173')
    expect(local.Auth.Cognito).toEqual({
      userPoolId: 'us-east-1_x',
      userPoolClientId: 'abc',
      userPoolEndpoint: 'http://127.0.0.1:5000',
      loginWith: { email: true },
    })
    const aws = amplifyConfig(normaliseConfig(BASE), 'https://app.example.com')
    expect(aws.Auth.Cognito).not.toHaveProperty('userPoolEndpoint')
  })

  it('adds Google sign-in when the stage offers it', () => {
    const config = normaliseConfig({ ...BASE, signInProviders: ['Google'], oauthDomain: 'auth.example.com' })
    expect(offersGoogle(config)).toBe(true)
    const oauth = amplifyConfig(config, 'https://app.example.com').Auth.Cognito.loginWith.oauth
    expect(oauth).toMatchObject({
      domain: 'auth.example.com',
      providers: ['Google'],
      redirectSignIn: ['https://app.example.com/signin'],
      responseType: 'code',
    })
    expect(offersGoogle(normaliseConfig(BASE))).toBe(false)
  })
})
