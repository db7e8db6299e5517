"""Who may do what in an organisation. A role is read from the database on
every request (never taken from the request); each route names the right it
needs, and a role without it gets 403 `forbidden_role`."""
from chalicelib.platform.errors import BadRequest, Forbidden

OWNER, ADMIN, DEVELOPER, BILLING = "owner", "admin", "developer", "billing"
ROLES = (OWNER, ADMIN, DEVELOPER, BILLING)
# Roles an invitation may carry: owners are made by an owner (role change or transfer).
INVITABLE = (ADMIN, DEVELOPER, BILLING)

READ = "read"  # balance, usage, ledger
KEYS = "keys"  # create, edit and revoke API keys
BILLING_RIGHT = "billing"  # buy, switch plan, portal, alerts, automatic top-up, invoices
MEMBERS = "members"  # invite, remove, change roles (of members who are not owners)
OWNERSHIP = "ownership"  # change owners' roles, transfer ownership, delete the organisation

RIGHTS = {
    OWNER: frozenset((READ, KEYS, BILLING_RIGHT, MEMBERS, OWNERSHIP)),
    ADMIN: frozenset((READ, KEYS, BILLING_RIGHT, MEMBERS)),
    DEVELOPER: frozenset((READ, KEYS)),
    BILLING: frozenset((READ, BILLING_RIGHT)),
}

WITH_KEYS = tuple(role for role in ROLES if KEYS in RIGHTS[role])

WHAT = {
    READ: "see this organisation's account",
    KEYS: "manage this organisation's API keys",
    BILLING_RIGHT: "manage this organisation's billing",
    MEMBERS: "manage this organisation's members",
    OWNERSHIP: "do this: it takes an owner of the organisation",
}


def can(role, right):
    return right in RIGHTS.get(role, ())


def require(role, right):
    if not can(role, right):
        raise Forbidden("Your role (%s) cannot %s." % (role, WHAT[right]), code="forbidden_role")


def parse_role(body, allowed=ROLES):
    role = body.get("role")
    if role not in allowed:
        raise BadRequest('"role" must be one of %s.' % ", ".join(allowed), code="invalid_role")
    return role
