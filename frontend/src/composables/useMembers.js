/** The Members page's state for one organisation: its members and pending
 * invitations, and what can be done to them. Each action rejects with the
 * API's error (its `message` is for the person, e.g. 409 last_owner). */
import { ref } from 'vue'
import {
  changeMemberRole,
  createInvitation,
  deleteOrg,
  listInvitations,
  listMembers,
  removeMember,
  revokeInvitation,
  transferOwnership,
} from '../api/orgs.js'

/** The roles an invitation may give (owners are made by a transfer or a role change). */
export const INVITE_ROLES = ['developer', 'billing', 'admin']

// Owners first, then by email: the list reads the same on every load.
const ROLE_ORDER = { owner: 0, admin: 1, developer: 2, billing: 3 }

export function sortMembers(members) {
  return [...members].sort((a, b) =>
    (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || String(a.email).localeCompare(String(b.email)))
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

/** The message for an email address as typed, or null when it looks right. */
export function emailProblem(value) {
  const email = String(value || '').trim()
  if (!email) return 'Enter the email address to invite.'
  if (!EMAIL.test(email)) return 'Enter an email address like name@example.com.'
  return null
}

/** `orgIdOf`: a function giving the organisation's id (known once the
 * list of organisations is in); `canManage`: whether the person may manage
 * members (the invitations are theirs to see). */
export function useMembers(orgIdOf, { canManage = () => false } = {}) {
  const members = ref([])
  const invitations = ref([])
  const loading = ref(false)
  const error = ref(null)

  /** Members for everyone in the organisation; pending invitations only
   * for those who may manage members. */
  async function load() {
    loading.value = true
    error.value = null
    try {
      const orgId = orgIdOf()
      const [found, pending] = await Promise.all([
        listMembers(orgId),
        canManage() ? listInvitations(orgId) : Promise.resolve([]),
      ])
      members.value = sortMembers(found)
      invitations.value = pending
    } catch (failure) {
      error.value = failure.message
    } finally {
      loading.value = false
    }
  }

  async function invite(email, role) {
    const invitation = await createInvitation(orgIdOf(), email.trim(), role)
    invitations.value = [...invitations.value.filter((known) => known.id !== invitation.id), invitation]
    return invitation
  }

  async function revoke(invitationId) {
    await revokeInvitation(orgIdOf(), invitationId)
    invitations.value = invitations.value.filter((known) => known.id !== invitationId)
  }

  async function changeRole(userId, role) {
    const member = await changeMemberRole(orgIdOf(), userId, role)
    members.value = sortMembers(members.value.map((known) => (known.user_id === userId ? { ...known, ...member } : known)))
    return member
  }

  /** Resolves to {removed, revoked_keys}. Removing oneself is leaving. */
  async function remove(userId) {
    const answer = await removeMember(orgIdOf(), userId)
    members.value = members.value.filter((known) => known.user_id !== userId)
    return answer
  }

  /** The new owner is `userId`; the caller becomes an admin. */
  async function transfer(userId) {
    const org = await transferOwnership(orgIdOf(), userId)
    await load()
    return org
  }

  const destroy = () => deleteOrg(orgIdOf())

  return { members, invitations, loading, error, load, invite, revoke, changeRole, remove, transfer, destroy }
}
