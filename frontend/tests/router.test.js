import { describe, expect, it } from 'vitest'
import { requireSession, safeRedirect } from '../src/router/index.js'
import { signInAs, signOutNow } from './helpers.js'

describe('router', () => {
  it('follows only same-site paths after sign-in', () => {
    expect(safeRedirect('/pricing')).toBe('/pricing')
    expect(safeRedirect('/account?tab=1')).toBe('/account?tab=1')
    expect(safeRedirect('//evil.example')).toBe('/account')
    expect(safeRedirect('https://evil.example')).toBe('/account')
    expect(safeRedirect('/\\evil.example')).toBe('/account')
    expect(safeRedirect(undefined)).toBe('/account')
  })

  it('sends a signed-out visitor of a private page to sign in and back', async () => {
    await signOutNow()
    const to = { fullPath: '/account', meta: { requiresAuth: true } }
    expect(await requireSession(to)).toEqual({ path: '/signin', query: { redirect: '/account' } })
    expect(await requireSession({ fullPath: '/pricing', meta: {} })).toBe(true)
    await signInAs()
    expect(await requireSession(to)).toBe(true)
  })
})
