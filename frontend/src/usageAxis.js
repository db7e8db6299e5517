/** Which days of the usage chart get a label. Counting back from the last
 * bar (today), so the newest day is always labelled; as many labels as the
 * chart's width has room for, a week apart on phones. */
const STEPS = [1, 2, 3, 7, 14]
const PIXELS_PER_LABEL = 48

export function labelStep(days, width) {
  const room = Math.max(1, Math.floor(width / PIXELS_PER_LABEL))
  return STEPS.find((step) => labelCount(days, step) <= room) || STEPS[STEPS.length - 1]
}

export function labelCount(days, step) {
  return days > 0 ? Math.floor((days - 1) / step) + 1 : 0
}

export function isLabelled(index, days, step) {
  return (days - 1 - index) % step === 0
}
