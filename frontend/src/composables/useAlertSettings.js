/** The state of the account page's "Alerts and auto top-up" panel: the
 * low-balance alert (GET/PUT /alerts), the optional emails (GET/PUT
 * /notifications) and auto top-up (GET/PUT /auto-top-up, POST
 * /payment-method). Each part loads on its own: a part the server does not
 * have yet (404) is `unavailable`, an error in one never hides the others. */
import { reactive, ref } from 'vue'
import { cardKey, savePendingCard, takePendingCard } from './pending.js'
import {
  getAlerts,
  getAutoTopUp,
  getNotifications,
  saveAlerts,
  saveAutoTopUp,
  saveNotifications,
  startPaymentMethodSetup,
} from '../api/alerts.js'

export const PACKS = ['Basic', 'Power']
export const MONTHLY_LIMIT_MIN = 1
export const MONTHLY_LIMIT_MAX = 20

function isWhole(value) {
  if (typeof value === 'number') return Number.isInteger(value)
  return typeof value === 'string' && /^\s*\d+\s*$/.test(value)
}

/** The message for a credits threshold as typed, or null when it is fine. */
export function thresholdProblem(value) {
  if (value === '' || value === null || value === undefined) return 'Enter a number of credits.'
  if (!isWhole(value) || Number(value) < 1) return 'Enter a whole number of credits, 1 or more.'
  return null
}

/** The message for a monthly limit as typed, or null when it is fine. */
export function monthlyLimitProblem(value) {
  if (value === '' || value === null || value === undefined) return 'Enter how many top-ups a month you allow.'
  if (!isWhole(value) || Number(value) < MONTHLY_LIMIT_MIN || Number(value) > MONTHLY_LIMIT_MAX) {
    return `Enter a whole number from ${MONTHLY_LIMIT_MIN} to ${MONTHLY_LIMIT_MAX}.`
  }
  return null
}

/** {field: message} for an auto top-up form; empty when it can be sent. */
export function topUpProblems(form) {
  const problems = {}
  const threshold = thresholdProblem(form.threshold)
  if (threshold) problems.threshold = threshold
  if (!PACKS.includes(form.pack)) problems.pack = 'Choose the Basic or the Power pack.'
  const limit = monthlyLimitProblem(form.monthly_limit)
  if (limit) problems.monthly_limit = limit
  return problems
}

function part() {
  // status: 'loading' | 'ready' | 'unavailable' (the server has no such route) | 'error'
  return reactive({ status: 'loading', data: null, error: null, errorCode: null })
}

async function fill(target, fetch) {
  target.status = 'loading'
  target.error = null
  target.errorCode = null
  try {
    target.data = await fetch()
    target.status = 'ready'
  } catch (failure) {
    target.data = null
    if (failure.status === 404) {
      target.status = 'unavailable'
    } else {
      target.status = 'error'
      target.error = failure.message
      target.errorCode = failure.code
    }
  }
}

// After Stripe's card page, how often and how long to look for the new card
// (Stripe tells the API by webhook, which may land a moment later).
export const CARD_POLL_MS = 1500
export const CARD_POLL_TRIES = 14

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

export function useAlertSettings({ navigate = (url) => window.location.assign(url), pollMs = CARD_POLL_MS } = {}) {
  // null | 'waiting' | 'saved' | 'not_yet': the card just saved on Stripe's page.
  const cardArrival = ref(null)
  let stopped = false
  const alerts = part()
  const notifications = part()
  const autoTopUp = part()

  const loadAlerts = () => fill(alerts, getAlerts)
  const loadNotifications = () => fill(notifications, getNotifications)
  const loadAutoTopUp = () => fill(autoTopUp, getAutoTopUp)

  /** Loads the parts together (`billing`: false leaves out the alert and
   * auto top-up, which belong to the organisation's billing). A route the server does not have
   * answers 404, but a browser rarely sees that 404: the CORS preflight of
   * an unknown path fails too, and fetch reports a network error. So when
   * the server answered another part and a part failed only to be reached,
   * that part is missing on this server, not lost on the network. */
  async function load({ billing = true } = {}) {
    // Without the billing right the alert and auto top-up are not the
    // person's to see (the API answers 403): only their own emails load.
    const parts = billing ? [alerts, notifications, autoTopUp] : [notifications]
    const loaders = billing ? [loadAlerts, loadNotifications, loadAutoTopUp] : [loadNotifications]
    const unreached = []
    await Promise.all(loaders.map((loader) => loader()).map((loading, index) =>
      loading.then(() => {
        if (parts[index].status === 'error' && parts[index].errorCode === 'network_error') unreached.push(parts[index])
      })))
    const answered = parts.some((target) => target.status !== 'error' || target.errorCode !== 'network_error')
    if (answered) {
      for (const target of unreached) {
        target.status = 'unavailable'
        target.error = null
      }
    }
  }

  /** `lowBalance`: credits, or null for the default. Rejects with the
   * API's error (its `message` is for the customer). */
  async function saveAlert(lowBalance) {
    alerts.data = await saveAlerts(lowBalance)
    return alerts.data
  }

  /** Turns one optional email on or off; the others stay as they are. */
  async function setNotification(name, on) {
    notifications.data = await saveNotifications({ ...notifications.data, [name]: on })
    return notifications.data
  }

  /** Rejects with 409 `payment_method_required` when enabling without a card. */
  async function saveTopUp(form) {
    autoTopUp.data = await saveAutoTopUp({
      enabled: Boolean(form.enabled),
      threshold: Number(form.threshold),
      pack: form.pack,
      monthly_limit: Number(form.monthly_limit),
    })
    return autoTopUp.data
  }

  /** Sends the browser to the page where the customer saves a card; it
   * comes back to the account page. */
  async function setUpCard() {
    const answer = await startPaymentMethodSetup()
    savePendingCard(autoTopUp.data ? autoTopUp.data.payment_method : null)
    navigate(answer.url)
  }

  /** Back from Stripe's card page: until the new card shows, ask again a
   * few times. Call after load(). */
  async function awaitNewCard() {
    const pending = takePendingCard()
    if (!pending || autoTopUp.status !== 'ready') return
    const arrived = () => {
      const card = autoTopUp.data && autoTopUp.data.payment_method
      return Boolean(card) && cardKey(card) !== pending.before
    }
    if (arrived()) {
      cardArrival.value = 'saved'
      return
    }
    cardArrival.value = 'waiting'
    for (let tries = 0; tries < CARD_POLL_TRIES && !stopped; tries += 1) {
      await wait(pollMs)
      if (stopped) return
      try {
        autoTopUp.data = await getAutoTopUp()
      } catch {
        continue // a passing failure: try again
      }
      if (arrived()) {
        cardArrival.value = 'saved'
        return
      }
    }
    cardArrival.value = 'not_yet'
  }

  function stop() {
    stopped = true
  }

  return {
    alerts,
    notifications,
    autoTopUp,
    load,
    loadAlerts,
    loadNotifications,
    loadAutoTopUp,
    saveAlert,
    setNotification,
    saveTopUp,
    setUpCard,
    cardArrival,
    awaitNewCard,
    stop,
  }
}
