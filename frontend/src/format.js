/** Numbers, money and dates as people read them. */

/** A Stripe amount (in the currency's smallest unit) as "£5.00". */
export function formatPrice(price, locale) {
  const currency = String(price.currency || '').toUpperCase()
  const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency })
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

/** ISO string or Unix seconds to a readable date (and time when asked). */
export function formatDate(value, { withTime = false, locale } = {}) {
  if (value === null || value === undefined || value === '') return ''
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value)
  if (Number.isNaN(date.getTime())) return String(value)
  const options = withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' }
  return new Intl.DateTimeFormat(locale, options).format(date)
}
