/** The signed-in user's account (GET /user), shared by the views and
 * dropped on sign-out. */
import { ref } from 'vue'
import { api } from '../api/client.js'
import { onSignOut } from './useSession.js'

const user = ref(null)

onSignOut(() => {
  user.value = null
})

export async function loadUser() {
  const answer = await api.get('/user')
  user.value = answer.user
  return user.value
}

export function setUser(value) {
  user.value = value
}

export function useAccount() {
  return { user, loadUser, setUser }
}
