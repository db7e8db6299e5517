/** The credit history (GET /ledger), a page at a time: `loadMore` follows
 * the API's `next_cursor` and appends. */
import { ref } from 'vue'
import { api } from '../api/client.js'

export const LEDGER_PAGE = 20

export function useLedger() {
  const entries = ref([])
  const nextCursor = ref(null)
  const loading = ref(false)
  const error = ref(null)

  async function fetchPage(cursor) {
    loading.value = true
    error.value = null
    try {
      const query = new URLSearchParams({ limit: String(LEDGER_PAGE) })
      if (cursor) query.set('cursor', cursor)
      const answer = await api.get(`/ledger?${query}`)
      entries.value = cursor ? [...entries.value, ...answer.entries] : answer.entries
      nextCursor.value = answer.next_cursor || null
    } catch (failure) {
      error.value = failure.message
    } finally {
      loading.value = false
    }
  }

  return {
    entries,
    nextCursor,
    loading,
    error,
    load: () => fetchPage(null),
    loadMore: () => (nextCursor.value && !loading.value ? fetchPage(nextCursor.value) : Promise.resolve()),
  }
}
