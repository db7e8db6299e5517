import { describe, expect, it, vi } from 'vitest'
import { requireSession, safeRedirect, scrollBehavior, signInAgain } from '../src/router/index.js'
import { signInAs, signOutNow, testRouter } from './helpers.js'

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

describe('signInAgain', () => {
  it('forgets the refused session once and returns to the page after sign-in', async () => {
    const router = testRouter()
    await router.push('/checkout/success?session_id=cs_1')
    const signOut = vi.fn(async () => {})
    const handle = signInAgain(router, signOut)
    await Promise.all([handle(), handle()])
    expect(signOut).toHaveBeenCalledTimes(1)
    expect(router.currentRoute.value.path).toBe('/signin')
    expect(router.currentRoute.value.query.redirect).toBe('/checkout/success?session_id=cs_1')
    await handle()
    expect(signOut).toHaveBeenCalledTimes(1)
  })
})

describe('scrollBehavior', () => {
  it('starts a new page at the top, and goes to an anchor on the page already shown', () => {
    const section = document.createElement('section')
    section.id = 'notifications'
    document.body.append(section)
    try {
      expect(scrollBehavior({ path: '/account', hash: '' }, { path: '/pricing' })).toEqual({ top: 0 })
      expect(scrollBehavior({ path: '/account', hash: '#notifications' }, { path: '/pricing' })).toEqual({ top: 0 })
      expect(scrollBehavior({ path: '/account', hash: '#notifications' }, { path: '/account' })).toEqual({ el: section })
      expect(scrollBehavior({ path: '/account', hash: '#nowhere' }, { path: '/account' })).toEqual({ top: 0 })
    } finally {
      section.remove()
    }
  })
})
