import { afterEach, beforeEach, vi } from 'vitest'
import { setConfig } from '../src/config.js'
import { configureApi } from '../src/api/client.js'
import { idToken, refreshSession } from '../src/composables/useSession.js'
import { setUser } from '../src/composables/useAccount.js'
import { chosenOrgId, onOrgNotFound, resetOrgs } from '../src/composables/useOrg.js'
import * as amplifyAuth from './mocks/aws-amplify-auth.js'
import { unmountAll } from './helpers.js'

// The test files of a worker share one environment and one copy of each
// module (isolate: false), so everything a test may change is reset here.

// One module, not a factory: a factory would give each file fresh mocks while
// the app modules loaded by an earlier file keep calling the old ones.
vi.mock('aws-amplify/auth', () => import('./mocks/aws-amplify-auth.js'))

export const TEST_CONFIG = {
  apiUrl: 'https://api.example.test/',
  region: 'eu-west-2',
  userPoolId: 'eu-west-2_test',
  userPoolClientId: 'client',
}

beforeEach(async () => {
  sessionStorage.clear()
  localStorage.clear()
  // Back to the mocks' own answers (signed out), with no calls recorded.
  for (const mock of Object.values(amplifyAuth)) mock.mockReset()
  // Nobody signed in: forgets the user, the organisations and pending flows.
  await refreshSession()
  setUser(null)
  resetOrgs()
  setConfig(TEST_CONFIG)
  configureApi({ getToken: idToken, onUnauthorized: () => {}, getOrgId: chosenOrgId, onOrgNotFound })
})

afterEach(() => {
  // A page left mounted would keep its timers and watchers (and its real
  // fetches once the stub is gone) and its elements in the next test's DOM.
  unmountAll()
  document.body.replaceChildren()
})
