"""Which organisation a request acts for, and as what: the `X-Org-Id`
header names it (absent: the caller's personal organisation, their own
account); the caller's membership, read with a consistent read, gives the
role. Anyone who is not a member gets 404 `org_not_found`, whether or not the
organisation exists, so the answer never confirms one."""
import re

from pynamodb.exceptions import DoesNotExist

from chalicelib.platform.errors import NotFound
from chalicelib.platform.models import Account, Membership
import chalicelib.orgs.roles as roles

ORG_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MEMBER_PREFIX = "member:"


def not_found():
    return NotFound("No organisation with this id that you are a member of.", code="org_not_found")


def member_key(user_id):
    return MEMBER_PREFIX + user_id


def membership(org_id, user_id):
    try:
        return Membership.get(org_id, member_key(user_id), consistent_read=True)
    except DoesNotExist:
        return None


class Acting:
    """An organisation's account and the caller's role in it."""

    def __init__(self, account, role, user_id, email=None):
        self.account = account
        self.role = role
        self.user_id = user_id
        self.email = email  # the caller's, from their ID token

    @property
    def org_id(self):
        return self.account.user_id

    @property
    def personal(self):
        return not self.account.is_team

    def view(self):
        return org_view(self.account, self.role)


def org_view(account, role):
    return {"id": account.user_id, "name": account.org_name or "Personal", "role": role,
            "personal": not account.is_team}


def open_team(org_id):
    """The team organisation's account, or None (no such account, a
    person's own, or a deleted team)."""
    try:
        account = Account.get(org_id, consistent_read=True)
    except DoesNotExist:
        return None
    return account if account.is_team and not account.closed_at else None


def resolve(identity, personal_account, org_id, right=roles.READ):
    """The organisation `org_id` (None: personal) as the caller (`identity`:
    user_id, email) may act for it with `right`: 404 unless a member, 403
    when the role lacks the right."""
    user_id = identity.user_id
    if org_id is None or org_id == "" or org_id == user_id:
        return Acting(personal_account, roles.OWNER, user_id, identity.email)
    if not isinstance(org_id, str) or not ORG_ID.fullmatch(org_id):
        raise not_found()
    member = membership(org_id, user_id)
    if member is None:
        raise not_found()
    account = open_team(org_id)
    if account is None:
        raise not_found()
    roles.require(member.role, right)
    return Acting(account, member.role, user_id, identity.email)
