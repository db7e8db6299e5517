import { describe, expect, it } from 'vitest'
import {
  purchaseArrived, savePendingAction, savePendingCard, saveSignInReturn, takePendingAction, takePendingCard, takeSignInReturn,
} from '../src/composables/pending.js'

describe('pending action', () => {
  it('runs once', () => {
    savePendingAction('buy', 'Basic', 1000)
    expect(takePendingAction(2000)).toMatchObject({ kind: 'buy', plan: 'Basic' })
    expect(takePendingAction(2000)).toBeNull()
  })

  it('is dropped when the visitor came back much later', () => {
    savePendingAction('subscribe', 'Power', 0)
    expect(takePendingAction(31 * 60 * 1000)).toBeNull()
  })
})

describe('purchaseArrived', () => {
  it('sees a pack by the purchased credits and a subscription by the plan', () => {
    const pack = { plan: 'Basic', subscribe: false, purchasedBefore: 200 }
    expect(purchaseArrived(pack, { plan: 'Free', purchased_credits: 200 })).toBe(false)
    expect(purchaseArrived(pack, { plan: 'Free', purchased_credits: 1200 })).toBe(true)
    const plan = { plan: 'Power', credits: 100000, subscribe: true, planBefore: 'Basic' }
    expect(purchaseArrived(plan, { plan: 'Basic', plan_credits: 1000, purchased_credits: 0 })).toBe(false)
    expect(purchaseArrived(plan, { plan: 'Power', plan_credits: 1000, purchased_credits: 0 })).toBe(false)
    expect(purchaseArrived(plan, { plan: 'Power', plan_credits: 100000, purchased_credits: 0 })).toBe(true)
    expect(purchaseArrived(null, { plan: 'Power' })).toBe(false)
  })
})

describe('sign-in return path', () => {
  it('is kept once for the way back from a redirect sign-in', () => {
    saveSignInReturn('/pricing')
    expect(takeSignInReturn()).toBe('/pricing')
    expect(takeSignInReturn()).toBeNull()
  })
})

describe('the card being saved on Stripe\'s page', () => {
  it('is taken once, and dropped when stale', () => {
    savePendingCard({ brand: 'visa', last4: '4242' }, 1000)
    expect(takePendingCard(2000)).toEqual({ before: 'visa 4242', at: 1000 })
    expect(takePendingCard(2000)).toBeNull()
    savePendingCard(null, 1000)
    expect(takePendingCard(1000 + 31 * 60 * 1000)).toBeNull()
  })
})
