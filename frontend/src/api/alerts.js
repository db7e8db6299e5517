/** The account's alerts, email preferences, auto top-up and saved card, as
 * the API serves them (all through the one client in client.js).
 *
 * - GET/PUT /alerts          {"low_balance": N|null, "default": D}
 * - GET/PUT /notifications   {"low_balance": bool, "product_updates": bool}
 * - GET/PUT /auto-top-up     {"enabled", "threshold", "pack", "monthly_limit", "status",
 *                             "action_url", "this_month", "last_attempt", "payment_method"}
 * - POST /payment-method     {"url"} of a Checkout page (setup mode) that saves a card
 */
import { api } from './client.js'

export const getAlerts = () => api.get('/alerts')

/** `lowBalance`: credits, or null for the default. */
export const saveAlerts = (lowBalance) => api.put('/alerts', { low_balance: lowBalance })

export const getNotifications = () => api.get('/notifications')

export const saveNotifications = ({ low_balance, product_updates }) =>
  api.put('/notifications', { low_balance, product_updates })

export const getAutoTopUp = () => api.get('/auto-top-up')

export const saveAutoTopUp = ({ enabled, threshold, pack, monthly_limit }) =>
  api.put('/auto-top-up', { enabled, threshold, pack, monthly_limit })

/** Resolves to {url}: where the browser goes to save (or change) a card. */
export const startPaymentMethodSetup = () => api.post('/payment-method')
