"""Organisations in the OpenAPI document: the `/orgs…` and
`/invitations/accept` routes, and the `X-Org-Id` header every account route
takes (chalicelib.orgs)."""
from chalicelib.web.openapi_parts import (
    ID_TOKEN, STRING, TIMESTAMP, USER_ERRORS, answer, error, json_content, name_schema, obj, operation, ref)

ORG_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"
ROLES = ["owner", "admin", "developer", "billing"]
INVITABLE = ["admin", "developer", "billing"]

ORG_HEADER = {
    "name": "X-Org-Id", "in": "header", "required": False,
    "description": "The organisation to act for (`GET /orgs`); absent: the caller's personal organisation. "
                   "An organisation the caller is not a member of answers 404 `org_not_found`.",
    "schema": {"type": "string", "pattern": ORG_ID_PATTERN}}
ORG_ID = {"name": "org_id", "in": "path", "required": True, "description": "The organisation's `id`.",
          "schema": {"type": "string", "pattern": ORG_ID_PATTERN}}
USER_ID = {"name": "user_id", "in": "path", "required": True, "description": "The member's `user_id`.",
           "schema": {"type": "string", "pattern": ORG_ID_PATTERN}}
INVITATION_ID = {"name": "invitation_id", "in": "path", "required": True, "description": "The invitation's `id`.",
                 "schema": {"type": "string", "pattern": "^[0-9a-f]{20}$"}}

NOT_A_MEMBER = error("The caller is not a member of this organisation, or there is none (`org_not_found`).")
FORBIDDEN_ROLE = error("The caller's role in the organisation does not allow this (`forbidden_role`).")
# Added to every route that acts for an organisation.
ORG_ERRORS = {"403": FORBIDDEN_ROLE, "404": NOT_A_MEMBER}
ORG_READ_ERRORS = {"404": NOT_A_MEMBER}


def with_org_header(entry, reads_only=False):
    """An account route's operation, taking `X-Org-Id` and answering its errors."""
    entry = dict(entry)
    entry["parameters"] = [ref("parameters", "OrgId")] + list(entry.get("parameters") or [])
    added = ORG_READ_ERRORS if reads_only else ORG_ERRORS
    entry["responses"] = dict({code: value for code, value in added.items() if code not in entry["responses"]},
                              **entry["responses"])
    return entry


def _org_route(summary, responses, readme, parameters=(), body=None):
    return operation(summary, ID_TOKEN, dict({"403": FORBIDDEN_ROLE, "404": NOT_A_MEMBER}, **responses), readme,
                     parameters=[ORG_ID] + list(parameters), body=body, errors=USER_ERRORS)


def _body(schema):
    return {"required": True, "content": json_content(schema)}


def _closed(schema):
    schema["additionalProperties"] = False
    return schema


def paths():
    org = ref("schemas", "Org")
    member = ref("schemas", "Member")
    invitation = ref("schemas", "Invitation")
    return {
        "/orgs": {
            "get": operation(
                "The caller's organisations", ID_TOKEN,
                {"200": answer("The personal organisation first, then team organisations by name.",
                               obj(["orgs"], orgs={"type": "array", "items": org}))},
                "`{\"orgs\": [{\"id\", \"name\", \"role\", \"personal\"}]}`", errors=USER_ERRORS),
            "post": operation(
                "Create a team organisation", ID_TOKEN,
                {"201": answer("The organisation; the caller is its owner.", obj(["org"], org=org)),
                 "400": error("A missing or bad `name` (`invalid_name`)."),
                 "409": error("The caller owns 10 organisations already (`too_many_orgs`).")},
                "201 `{\"org\"}`; 409 `too_many_orgs` past 10 owned",
                body=_body(_closed(obj(["name"], name=name_schema(
                    64, "1-64 characters, at least one not a space; no control, format or private-use "
                        "characters; runs of spaces are stored as one.")))),
                errors=USER_ERRORS),
        },
        "/orgs/{org_id}": {"delete": _org_route(
            "Delete a team organisation (owner)",
            {"204": {"description": "Deleted: its keys stop at once; memberships and invitations go."},
             "409": error("A live subscription (`subscription_active`), or a personal organisation "
                          "(`personal_org`).")},
            "204; owner only; 409 `subscription_active` while a subscription is live")},
        "/orgs/{org_id}/members": {"get": _org_route(
            "The organisation's members",
            {"200": answer("Every member.", obj(["members"], members={"type": "array", "items": member})),
             "409": error("A personal organisation has no members list (`personal_org`).")},
            "`{\"members\": [{\"user_id\", \"email\", \"role\", \"joined_at\"}]}`")},
        "/orgs/{org_id}/members/{user_id}": {
            "patch": _org_route(
                "Change a member's role (owner, admin)",
                {"200": answer("The member with the new role.", obj(["member"], member=member)),
                 "400": error("`role` is not a role (`invalid_role`)."),
                 "404": error("Not a member of the organisation (`org_not_found`), or no such member "
                              "(`member_not_found`)."),
                 "409": error("The last owner cannot be demoted (`last_owner`); the target owns 10 "
                              "organisations (`too_many_orgs`); a personal organisation (`personal_org`).")},
                "`{\"member\"}`; admins never change owners; 409 `last_owner`", parameters=[USER_ID],
                body=_body(_closed(obj(["role"], role={"type": "string", "enum": ROLES})))),
            "delete": _org_route(
                "Remove a member, or leave",
                {"200": answer("Removed; the API keys they created here are revoked.", ref("schemas", "Removal")),
                 "404": error("Not a member of the organisation (`org_not_found`), or no such member "
                              "(`member_not_found`)."),
                 "409": error("The last owner cannot leave or be removed (`last_owner`).")},
                "`{\"removed\", \"revoked_keys\"}`; their keys stop at once; 409 `last_owner`",
                parameters=[USER_ID]),
        },
        "/orgs/{org_id}/transfer": {"post": _org_route(
            "Transfer ownership (owner)",
            {"200": answer("The member is owner; the caller is now an admin.", obj(["org"], org=org)),
             "400": error("A missing or bad `user_id` (`invalid_user_id`)."),
             "409": error("The caller named themselves (`conflict`), the member owns 10 organisations "
                          "(`too_many_orgs`).")},
            "`{\"org\"}` with the caller's new role (admin)",
            body=_body(_closed(obj(["user_id"], user_id={"type": "string", "pattern": ORG_ID_PATTERN}))))},
        "/orgs/{org_id}/invitations": {
            "get": _org_route(
                "Pending invitations (owner, admin)",
                {"200": answer("Invitations not yet accepted, revoked or expired.",
                               obj(["invitations"], invitations={"type": "array", "items": invitation}))},
                "`{\"invitations\": [{\"id\", \"email\", \"role\", \"expires_at\"}]}`"),
            "post": _org_route(
                "Invite someone by email (owner, admin)",
                {"201": answer("Invited: the email with a one-time link is sent; inviting the address again "
                               "replaces the link.", obj(["invitation"], invitation=invitation)),
                 "400": error("A bad `email` (`invalid_email`) or `role` (`invalid_role`)."),
                 "409": error("Already a member (`already_member`), 50 members (`too_many_members`), or a "
                              "personal organisation (`personal_org`)."),
                 "502": error("The invitation is saved but the email could not be sent (`email_unavailable`).")},
                "201 `{\"invitation\"}`; emails a link valid 7 days",
                body=_body(_closed(obj(["email", "role"], email={"type": "string", "format": "email",
                                                                 "maxLength": 254},
                                       role={"type": "string", "enum": INVITABLE})))),
        },
        "/orgs/{org_id}/invitations/{invitation_id}": {"delete": _org_route(
            "Revoke an invitation (owner, admin)",
            {"204": {"description": "Revoked: its link no longer works."},
             "404": error("Not a member of the organisation (`org_not_found`), or no such invitation "
                          "(`invitation_not_found`).")},
            "204", parameters=[INVITATION_ID])},
        "/invitations/accept": {"post": operation(
            "Accept an invitation", ID_TOKEN,
            {"200": answer("The caller is a member now.", obj(["org"], org=org)),
             "400": error("A missing `token` (`invalid_token`)."),
             "403": error("The invitation is for another email address (`invitation_email_mismatch`)."),
             "404": error("Used, revoked, replaced or unknown (`invitation_not_found`)."),
             "409": error("The organisation has 50 members (`too_many_members`)."),
             "410": error("Expired (`invitation_expired`).")},
            "`{\"org\"}`; the token from the emailed link, once, by the invited address",
            body=_body(_closed(obj(["token"], token={"type": "string", "minLength": 1, "maxLength": 200}))),
            errors=USER_ERRORS)},
    }


def schemas():
    return {
        "Org": obj(["id", "name", "role", "personal"], id=STRING, name=STRING,
                   role={"type": "string", "enum": ROLES}, personal={"type": "boolean"}),
        "Member": obj(["user_id", "email", "role", "joined_at"], user_id=STRING,
                      email={"type": ["string", "null"]}, role={"type": "string", "enum": ROLES},
                      joined_at=TIMESTAMP),
        "Invitation": obj(["id", "email", "role", "expires_at"], id=STRING, email=STRING,
                          role={"type": "string", "enum": INVITABLE}, expires_at=TIMESTAMP),
        "Removal": obj(["removed", "revoked_keys"], removed=STRING,
                       revoked_keys={"type": "array", "items": STRING}),
    }
