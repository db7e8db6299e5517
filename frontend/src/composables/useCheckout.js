/** Starting a Stripe Checkout: one POST /checkout per click (its own
 * Idempotency-Key), then the browser goes to the session's URL. While one is
 * on its way no other checkout can start. */
import { ref } from 'vue'
import { api } from '../api/client.js'
import { savePendingPurchase } from './pending.js'
import { onPageRestored } from './onPageRestored.js'

export function checkoutKey(plan, subscribe) {
  return `${plan}:${subscribe ? 'subscribe' : 'buy'}`
}

export function useCheckout({ redirect = (url) => window.location.assign(url) } = {}) {
  const inFlight = ref(null)
  const error = ref(null)
  onPageRestored(() => {
    inFlight.value = null
  })

  /** plan: {name, credits} from GET /plans; user: the account before. */
  async function startCheckout(plan, subscribe, user) {
    if (inFlight.value) return false
    inFlight.value = checkoutKey(plan.name, subscribe)
    error.value = null
    try {
      savePendingPurchase(plan, subscribe, user)
      const answer = await api.post('/checkout', { plan: plan.name, subscribe }, { idempotencyKey: crypto.randomUUID() })
      redirect(answer.url)
      return true
    } catch (failure) {
      inFlight.value = null
      error.value = failure.message || 'The checkout could not start.'
      return false
    }
  }

  return { inFlight, error, startCheckout }
}
