/** What must survive a page change in this tab: the action a signed-out
 * visitor chose (resumed after sign-in), and the purchase on its way through
 * Stripe Checkout (so the success page knows what to wait for). */
import { onSignOut } from './useSession.js'

const ACTION = 'credits-saas:pending-action'
// An action older than this is dropped: the visitor has moved on.
const ACTION_TTL_MS = 30 * 60 * 1000
const PURCHASE = 'credits-saas:pending-purchase'
const RETURN_TO = 'credits-saas:sign-in-return'
const CARD = 'credits-saas:pending-card'

function read(key) {
  try {
    const value = JSON.parse(sessionStorage.getItem(key))
    return value && typeof value === 'object' ? value : null
  } catch {
    return null
  }
}

function write(key, value) {
  try {
    sessionStorage.setItem(key, JSON.stringify(value))
  } catch {
    // Storage full or disabled: the flow still works, it only cannot resume.
  }
}

/** kind: "subscribe" | "buy" | "free"; plan: the plan's name. */
export function savePendingAction(kind, plan, now = Date.now()) {
  write(ACTION, { kind, plan, at: now })
}

/** The saved action, removed so it runs once; null when none or stale. */
export function takePendingAction(now = Date.now()) {
  const action = read(ACTION)
  sessionStorage.removeItem(ACTION)
  if (!action || typeof action.at !== 'number' || now - action.at > ACTION_TTL_MS) return null
  return action
}

/** Where to go after signing in; kept because a sign-in through Google
 * comes back to /signin without the original query. */
export function saveSignInReturn(path) {
  if (path) write(RETURN_TO, { path })
}

export function takeSignInReturn() {
  const saved = read(RETURN_TO)
  sessionStorage.removeItem(RETURN_TO)
  return saved ? saved.path : null
}

/** The purchase about to start (the plan's name and credits) and the
 * balances before it. */
export function savePendingPurchase(plan, subscribe, user) {
  write(PURCHASE, {
    plan: plan.name,
    credits: typeof plan.credits === 'number' ? plan.credits : null,
    subscribe,
    purchasedBefore: user ? user.purchased_credits : null,
    planBefore: user ? user.plan : null,
  })
}

export function readPendingPurchase() {
  return read(PURCHASE)
}

export function clearPendingPurchase() {
  sessionStorage.removeItem(PURCHASE)
}

/** Whether the account shows the purchase: a pack raised the purchased
 * credits; a subscription made the bought plan the current one and its
 * first allowance arrived (Stripe sends the two as separate events). */
export function purchaseArrived(purchase, user) {
  if (!purchase || !user) return false
  if (purchase.subscribe) {
    return user.plan === purchase.plan && (purchase.credits === null || user.plan_credits >= purchase.credits)
  }
  return typeof purchase.purchasedBefore === 'number' && user.purchased_credits > purchase.purchasedBefore
}

/** A card about to be saved on Stripe's page: which card there was before
 * ("visa 4242", or null), so the account page knows what to wait for. */
export function savePendingCard(card, now = Date.now()) {
  write(CARD, { before: cardKey(card), at: now })
}

/** The saved marker, removed so it is waited for once; null when none or stale. */
export function takePendingCard(now = Date.now()) {
  const pending = read(CARD)
  sessionStorage.removeItem(CARD)
  if (!pending || typeof pending.at !== 'number' || now - pending.at > ACTION_TTL_MS) return null
  return pending
}

export function cardKey(card) {
  return card ? `${card.brand} ${card.last4}` : null
}

onSignOut(() => {
  sessionStorage.removeItem(CARD)
  sessionStorage.removeItem(ACTION)
  sessionStorage.removeItem(RETURN_TO)
  clearPendingPurchase()
})
