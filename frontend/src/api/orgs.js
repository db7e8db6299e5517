/** Organisations, their members and invitations, as the API serves them
 * (all through the one client in client.js). These routes name the
 * organisation in the path, so they never carry X-Org-Id.
 *
 * - GET /orgs                                   {"orgs": [{"id", "name", "role", "personal"}]}, personal first
 * - POST /orgs {"name"}                         201 {"org"}; 409 too_many_orgs
 * - DELETE /orgs/{id}                           204; 409 subscription_active, personal_org
 * - GET /orgs/{id}/members                      {"members": [{"user_id", "email", "role", "joined_at"}]}
 * - PATCH /orgs/{id}/members/{user} {"role"}    {"member"}; 409 last_owner; 403 forbidden_role
 * - DELETE /orgs/{id}/members/{user}            {"removed", "revoked_keys"} (oneself: leaving); 409 last_owner
 * - POST /orgs/{id}/transfer {"user_id"}        {"org"} (the caller becomes admin)
 * - GET /orgs/{id}/invitations                  {"invitations": [{"id", "email", "role", "expires_at"}]}
 * - POST /orgs/{id}/invitations {"email","role"} 201 {"invitation"}
 * - DELETE /orgs/{id}/invitations/{inv}         204
 * - POST /invitations/accept {"token"}          {"org"}; 403 invitation_email_mismatch, 410 invitation_expired,
 *                                               404 invitation_not_found
 */
import { api } from './client.js'

const org = (id) => `/orgs/${encodeURIComponent(id)}`

export const listOrgs = async () => (await api.get('/orgs')).orgs

export const createOrg = async (name) => (await api.post('/orgs', { name })).org

export const deleteOrg = (orgId) => api.delete(org(orgId))

export const listMembers = async (orgId) => (await api.get(`${org(orgId)}/members`)).members

export const changeMemberRole = async (orgId, userId, role) =>
  (await api.patch(`${org(orgId)}/members/${encodeURIComponent(userId)}`, { role })).member

/** Resolves to {removed, revoked_keys}: the keys the member had created in it. */
export const removeMember = (orgId, userId) => api.delete(`${org(orgId)}/members/${encodeURIComponent(userId)}`)

export const transferOwnership = async (orgId, userId) =>
  (await api.post(`${org(orgId)}/transfer`, { user_id: userId })).org

export const listInvitations = async (orgId) => (await api.get(`${org(orgId)}/invitations`)).invitations

export const createInvitation = async (orgId, email, role) =>
  (await api.post(`${org(orgId)}/invitations`, { email, role })).invitation

export const revokeInvitation = (orgId, invitationId) =>
  api.delete(`${org(orgId)}/invitations/${encodeURIComponent(invitationId)}`)

export const acceptInvitation = async (token) => (await api.post('/invitations/accept', { token })).org
