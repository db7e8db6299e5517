/** Who is signed in, checked lightly with Amplify's session (no UI code), and
 * the sign-out that forgets every piece of user data held in memory. */
import { reactive, readonly } from 'vue'
import { fetchAuthSession, signOut as amplifySignOut } from 'aws-amplify/auth'

const state = reactive({ checked: false, signedIn: false, email: null, operator: false })
// The Cognito group whose members see the operators' pages (the API checks
// the same claim on every /admin route; hiding the link is only courtesy).
export const OPERATORS_GROUP = 'admins'
const forgetters = new Set()
// Amplify's sign-out revokes the refresh token first (a request that may be
// retried); until it has cleared the tokens, nobody counts as signed in.
let signingOut = null

/** Registers a function that drops user data on sign-out. */
export function onSignOut(forget) {
  forgetters.add(forget)
  return () => forgetters.delete(forget)
}

function forgetUserData() {
  state.signedIn = false
  state.email = null
  state.operator = false
  for (const forget of forgetters) forget()
}

/** Re-reads the session (Amplify refreshes expired tokens itself). */
export async function refreshSession() {
  if (signingOut) await signingOut
  try {
    const { tokens } = await fetchAuthSession()
    const idToken = tokens && tokens.idToken
    if (idToken) {
      state.signedIn = true
      state.email = (idToken.payload && idToken.payload.email) || null
      const groups = (idToken.payload && idToken.payload['cognito:groups']) || []
      state.operator = Array.isArray(groups) && groups.includes(OPERATORS_GROUP)
    } else if (state.signedIn) {
      forgetUserData()
    }
  } catch {
    if (state.signedIn) forgetUserData()
  }
  state.checked = true
  return state.signedIn
}

/** The ID token the API expects, or null when signed out. */
export async function idToken() {
  if (signingOut) await signingOut
  const { tokens } = await fetchAuthSession()
  return tokens && tokens.idToken ? tokens.idToken.toString() : null
}

/** Forgets the user's data at once; resolves when Amplify has cleared the
 * tokens too. */
export function signOut() {
  forgetUserData()
  if (!signingOut) {
    signingOut = Promise.resolve()
      .then(() => amplifySignOut())
      .catch(() => {})
      .finally(() => {
        signingOut = null
      })
  }
  return signingOut
}

export function useSession() {
  return readonly(state)
}
