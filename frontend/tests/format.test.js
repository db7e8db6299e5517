import { afterEach, describe, expect, it } from 'vitest'
import { formatDay, formatPrice, formatTime } from '../src/format.js'

const zone = process.env.TZ

describe('format', () => {
  afterEach(() => {
    if (zone === undefined) delete process.env.TZ
    else process.env.TZ = zone
  })

  it('shows a UTC calendar day as that day in every browser time zone', () => {
    for (const tz of ['Pacific/Honolulu', 'UTC', 'Pacific/Kiritimati']) {
      process.env.TZ = tz
      expect(formatDay('2026-11-29', { locale: 'en-US' })).toBe('Nov 29')
      expect(formatDay('2026-12-01', { locale: 'en-US' })).toBe('Dec 1')
    }
  })

  it('prices nothing as a whole zero and anything else to the cent', () => {
    expect(formatPrice({ amount: 0, currency: 'gbp' }, 'en-GB')).toBe('£0')
    expect(formatPrice({ amount: 500, currency: 'gbp' }, 'en-GB')).toBe('£5.00')
    expect(formatPrice({ amount: 500, currency: 'jpy' }, 'en-GB')).toBe('JP¥500')
  })

  it('gives the time of day of a timestamp, and nothing for none', () => {
    process.env.TZ = 'UTC'
    expect(formatTime('2026-11-29T17:05:00Z', { locale: 'en-GB' })).toBe('17:05')
    expect(formatTime(null)).toBe('')
  })
})
