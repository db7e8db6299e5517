/** Stands in for 'aws-amplify/auth' (see tests/setup.js). A module of its own
 * so that every test file in a worker, and the app modules they share, see
 * the same mock functions. */
import { vi } from 'vitest'

export const fetchAuthSession = vi.fn(async () => ({ tokens: undefined }))
export const signOut = vi.fn(async () => {})
export const signIn = vi.fn()
export const signUp = vi.fn()
