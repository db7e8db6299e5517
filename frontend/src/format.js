/** Numbers, money and dates as people read them. */

/** A Stripe amount (in the currency's smallest unit) as "£5.00". */
export function formatPrice(price, locale) {
  const currency = String(price.currency || '').toUpperCase()
  // Nothing to pay reads "£0", not "£0.00".
  const whole = price.amount === 0 ? { maximumFractionDigits: 0 } : {}
  const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency, ...whole })
  const digits = formatter.resolvedOptions().maximumFractionDigits
  return formatter.format(price.amount / 10 ** digits)
}

export function formatNumber(value, locale) {
  return new Intl.NumberFormat(locale).format(value)
}

const INTERVALS = { day: 'day', week: 'week', month: 'month', year: 'year' }

export function perInterval(interval) {
  return INTERVALS[interval] || interval
}

function toDate(value) {
  if (value === null || value === undefined || value === '') return null
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}

/** ISO string or Unix seconds to a readable date (and time when asked). */
export function formatDate(value, { withTime = false, locale } = {}) {
  if (value === null || value === undefined || value === '') return ''
  const date = toDate(value)
  if (!date) return String(value)
  const options = withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' }
  return new Intl.DateTimeFormat(locale, options).format(date)
}

/** The time of day of an ISO string or Unix seconds, e.g. "5:28 AM". */
export function formatTime(value, { locale } = {}) {
  const date = toDate(value)
  return date ? new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(date) : ''
}

/** A UTC calendar day ("2026-11-29", as /usage gives it) as "Nov 29": read
 * and shown in UTC, so no browser time zone moves it to another day. */
export function formatDay(day, { locale } = {}) {
  const date = new Date(`${day}T00:00:00Z`)
  if (Number.isNaN(date.getTime())) return String(day)
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date)
}

/** A UTC calendar day ("2026-11-29") with its year, e.g. "Nov 29, 2026", in UTC. */
export function formatUtcDate(day, { locale } = {}) {
  const date = new Date(`${day}T00:00:00Z`)
  if (Number.isNaN(date.getTime())) return String(day)
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date)
}
