/** The organisation the signed-in person is working in: the list they
 * belong to (GET /orgs), the one chosen (remembered per browser and per
 * person in localStorage; none stored means the personal one), what their
 * role there allows, and a `version` that changes on every switch so the
 * pages that follow the organisation load again. */
import { computed, ref } from 'vue'
import { createOrg as postOrg, listOrgs } from '../api/orgs.js'
import { onSignOut, useSession } from './useSession.js'

const STORAGE_KEY = 'credits-saas:org'

export const ROLES = ['owner', 'admin', 'developer', 'billing']

/** What each role may do; the API enforces the same table (403 forbidden_role).
 * read: balance, usage, ledger · keys: create/edit/revoke keys · billing:
 * checkout, plan changes, portal, alerts, auto top-up, card · members:
 * invite, remove and change non-owners · owner: owners' roles, transfer,
 * delete the organisation. */
export const ROLE_RIGHTS = Object.freeze({
  owner: Object.freeze(['read', 'keys', 'billing', 'members', 'owner']),
  admin: Object.freeze(['read', 'keys', 'billing', 'members']),
  developer: Object.freeze(['read', 'keys']),
  billing: Object.freeze(['read', 'billing']),
})

export const ROLE_LABELS = Object.freeze({ owner: 'Owner', admin: 'Admin', developer: 'Developer', billing: 'Billing' })

export function roleCan(role, right) {
  return Boolean(role && ROLE_RIGHTS[role] && ROLE_RIGHTS[role].includes(right))
}

export function roleLabel(role) {
  return ROLE_LABELS[role] || role || ''
}

const session = useSession()
const orgs = ref([])
// 'idle' | 'loading' | 'ready' | 'unavailable' (this server has no /orgs: everyone is personal)
const status = ref('idle')
const version = ref(0)
// The stored choices, {email: org id}, read once and written through.
const choices = ref(readChoices())
let loading = null
// Bumped on sign-out: a list still on its way for the person before is dropped.
let generation = 0

function readChoices() {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY))
    return value && typeof value === 'object' && !Array.isArray(value) ? value : {}
  } catch {
    return {}
  }
}

function writeChoices(next) {
  choices.value = next
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(next))
  } catch {
    // Storage full or disabled: the choice lasts until the page is reloaded.
  }
}

const personKey = () => (typeof session.email === 'string' && session.email ? session.email.toLowerCase() : null)

/** The chosen organisation's id, or null for the personal one (the API's
 * default when no X-Org-Id is sent). What the API client sends. */
export function chosenOrgId() {
  const person = personKey()
  return (person && choices.value[person]) || null
}

const chosenId = computed(() => chosenOrgId())

/** The organisation shown: the chosen one from the list, else the personal
 * one. Before the list is in, a personal choice is known to be owned. */
const current = computed(() => {
  const id = chosenId.value
  const listed = id ? orgs.value.find((org) => org.id === id) : orgs.value.find((org) => org.personal)
  if (listed) return listed
  if (!id) return { id: null, name: 'Personal', role: 'owner', personal: true }
  return null // chosen, but the list is not in yet
})

const role = computed(() => (current.value ? current.value.role : null))

function remember(orgId) {
  const person = personKey()
  if (!person) return
  const next = { ...choices.value }
  if (orgId) next[person] = orgId
  else delete next[person]
  writeChoices(next)
}

/** Works in `orgId` from now on (null or the personal org's id: personal);
 * the pages that follow the organisation load again. */
export function switchOrg(orgId) {
  const chosen = orgs.value.find((org) => org.id === orgId)
  const next = !orgId || (chosen && chosen.personal) ? null : orgId
  if (next === chosenOrgId()) return
  remember(next)
  version.value += 1
}

/** Loads the person's organisations; a stored choice they no longer belong
 * to falls back to personal. Concurrent calls share one request. */
export function loadOrgs() {
  if (loading) return loading
  const asked = generation
  status.value = orgs.value.length ? status.value : 'loading'
  loading = listOrgs()
    .then((list) => {
      if (asked !== generation) return
      orgs.value = Array.isArray(list) ? list : []
      status.value = 'ready'
      const id = chosenOrgId()
      if (id && !orgs.value.some((org) => org.id === id)) switchOrg(null)
    })
    .catch((failure) => {
      if (asked !== generation || failure.status === 401) return
      // A server without organisations (404, or the failed CORS preflight an
      // unknown path gets): everyone works in their personal account.
      orgs.value = []
      status.value = 'unavailable'
      if (chosenOrgId()) switchOrg(null)
    })
    .finally(() => {
      if (asked === generation) loading = null
    })
  return loading
}

/** Creates an organisation (the caller is its owner) and switches to it.
 * Rejects with the API's error, e.g. 409 too_many_orgs. */
export async function createOrg(name) {
  const org = await postOrg(name)
  // A list asked for before the creation would not have it: let it land first.
  if (loading) await loading
  orgs.value = [...orgs.value.filter((known) => known.id !== org.id), org]
  switchOrg(org.id)
  return org
}

/** After leaving or deleting an organisation, or being told we are not in
 * it: back to personal, and the list read again. */
export async function forgetOrg(orgId) {
  orgs.value = orgs.value.filter((org) => org.id !== orgId)
  if (chosenOrgId() === orgId) switchOrg(null)
  await loadOrgs()
}

/** The API client's hook: the organisation it sent is not ours (any more). */
export function onOrgNotFound(orgId) {
  if (chosenOrgId() === orgId) forgetOrg(orgId)
}

/** For tests: forget the list and re-read the stored choices. */
export function resetOrgs() {
  generation += 1
  orgs.value = []
  status.value = 'idle'
  loading = null
  choices.value = readChoices()
}

onSignOut(() => {
  // The stored choice stays for the next sign-in; the list is the person's.
  generation += 1
  orgs.value = []
  status.value = 'idle'
  loading = null
})

export function useOrg() {
  return {
    orgs,
    status,
    current,
    role,
    version,
    can: (right) => roleCan(role.value, right),
    loadOrgs,
    switchOrg,
    createOrg,
    forgetOrg,
  }
}
