import { beforeEach, vi } from 'vitest'
import { setConfig } from '../src/config.js'
import { configureApi } from '../src/api/client.js'
import { idToken } from '../src/composables/useSession.js'
import { chosenOrgId, onOrgNotFound, resetOrgs } from '../src/composables/useOrg.js'

vi.mock('aws-amplify/auth', () => ({
  fetchAuthSession: vi.fn(async () => ({ tokens: undefined })),
  signOut: vi.fn(async () => {}),
  signIn: vi.fn(),
  signUp: vi.fn(),
}))

export const TEST_CONFIG = {
  apiUrl: 'https://api.example.test/',
  region: 'eu-west-2',
  userPoolId: 'eu-west-2_test',
  userPoolClientId: 'client',
}

beforeEach(() => {
  sessionStorage.clear()
  localStorage.clear()
  resetOrgs()
  setConfig(TEST_CONFIG)
  configureApi({ getToken: idToken, onUnauthorized: () => {}, getOrgId: chosenOrgId, onOrgNotFound })
})
