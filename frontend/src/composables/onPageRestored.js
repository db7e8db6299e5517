import { onBeforeUnmount, onMounted } from 'vue'

/** Runs `reset` when the browser restores this page from its back/forward
 * cache, e.g. Back from Stripe's page after a redirect, so buttons left
 * "busy" by that redirect work again. */
export function onPageRestored(reset) {
  const listener = (event) => {
    if (event.persisted) reset()
  }
  onMounted(() => window.addEventListener('pageshow', listener))
  onBeforeUnmount(() => window.removeEventListener('pageshow', listener))
}
