/** The account's API keys (GET /keys) and what can be done to them. A new
 * key's full value is kept only in `created` until the panel is closed: the
 * API shows it once and never stores it. */
import { ref } from 'vue'
import { api } from '../api/client.js'

export const MAX_KEYS = 10

export function useApiKeys() {
  const keys = ref([])
  const loading = ref(false)
  const error = ref(null)
  const errorCode = ref(null)
  const created = ref(null)

  async function load() {
    loading.value = true
    error.value = null
    errorCode.value = null
    try {
      keys.value = (await api.get('/keys')).keys
    } catch (failure) {
      error.value = failure.message
      errorCode.value = failure.code
    } finally {
      loading.value = false
    }
  }

  /** Resolves to the new key (with its full `key`); one Idempotency-Key per
   * attempt, so a double submit creates one key. */
  async function create(fields, idempotencyKey) {
    created.value = await api.post('/keys', fields, { idempotencyKey })
    await load()
    return created.value
  }

  async function update(id, fields) {
    const changed = await api.patch(`/keys/${encodeURIComponent(id)}`, fields)
    keys.value = keys.value.map((key) => (key.id === id ? changed : key))
    return changed
  }

  async function revoke(id) {
    await api.delete(`/keys/${encodeURIComponent(id)}`)
    keys.value = keys.value.filter((key) => key.id !== id)
    if (created.value && created.value.id === id) created.value = null
  }

  return { keys, loading, error, errorCode, created, load, create, update, revoke }
}
