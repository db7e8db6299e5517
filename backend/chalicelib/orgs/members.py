"""Members of a team organisation: listing them, changing a role, removing
one (or leaving) and transferring ownership. Every change is one
transaction whose conditions re-check what the decision read (the target's
role; at least one owner left; at most 10 owned organisations per user), so
concurrent changes can never leave an organisation without an owner. A
removed member's API keys in the organisation are revoked in the same
transaction."""
from pynamodb.exceptions import TransactWriteError

from chalicelib.keys.account_keys import RECORD_PREFIX, ApiKeys
from chalicelib.platform import db, metrics
from chalicelib.platform.errors import BadRequest, Conflict, Forbidden, NotFound
from chalicelib.platform.models import Account, ApiKeyRecord, MemberOf, Membership, OrgCounts
import chalicelib.orgs.access as access
import chalicelib.orgs.roles as roles
from chalicelib.orgs.directory import MAX_OWNED, member_of_key, owned_update

ATTEMPTS = 5


def parse_user_id(body):
    user_id = body.get("user_id")
    if not isinstance(user_id, str) or not access.ORG_ID.fullmatch(user_id):
        raise BadRequest('"user_id" must be the id of a member.', code="invalid_user_id")
    return user_id


def member_view(member):
    return {"user_id": member.key[len(access.MEMBER_PREFIX):], "email": member.email,
            "role": member.role, "joined_at": member.joined_at}


def last_owner():
    return Conflict("An organisation needs an owner: make someone else owner first.", code="last_owner")


def member_not_found():
    return NotFound("No member with this id in the organisation.", code="member_not_found")


class Retry(Exception):
    """A concurrent change touched the same items: read again and decide again."""


def _run(attempt):
    """Runs `attempt()` until it stops asking to be retried."""
    for number in range(ATTEMPTS):
        try:
            return attempt()
        except Retry:
            db.back_off(number)
    raise Conflict("The organisation changed while we were updating it; try again.", code="conflict")


def _cancelled(codes, error, conditions):
    """A cancelled transaction: the first failed condition's error from
    `conditions` (position -> error), else Retry on a conflict or a changed
    item, else the error itself."""
    for position, code in enumerate(codes):
        if code == "ConditionalCheckFailed" and position in conditions:
            raise conditions[position]
    if "ConditionalCheckFailed" in codes or "TransactionConflict" in codes:
        raise Retry()
    raise error


class Members:
    def list(self, acting):
        _team_only(acting)
        return [member_view(member) for member in Membership.query(
            acting.org_id, Membership.key.startswith(access.MEMBER_PREFIX), consistent_read=True)]

    def change_role(self, acting, user_id, role):
        _team_only(acting)
        roles.require(acting.role, roles.MEMBERS)

        def attempt():
            target = self._member(acting.org_id, user_id)
            if roles.OWNER in (target.role, role):
                roles.require(acting.role, roles.OWNERSHIP)
            if target.role == role:
                return member_view(target)
            conditions = {}
            with_counts = (target.role == roles.OWNER) != (role == roles.OWNER)
            try:
                with db.Transaction() as transaction:
                    transaction.update(Membership(acting.org_id, target.key), actions=[Membership.role.set(role)],
                                       condition=Membership.role == target.role)
                    transaction.update(MemberOf(user_id, member_of_key(acting.org_id)),
                                       actions=[MemberOf.role.set(role)], condition=MemberOf.key.exists())
                    if with_counts:
                        delta = 1 if role == roles.OWNER else -1
                        transaction.update(OrgCounts(acting.org_id), actions=[OrgCounts.owners.add(delta)],
                                           condition=None if delta > 0 else OrgCounts.owners > 1)
                        if delta < 0:
                            conditions[2] = last_owner()
                        item, owned_actions, owned_condition = owned_update(user_id, delta)
                        transaction.update(item, actions=owned_actions, condition=owned_condition)
                        if delta > 0:
                            conditions[3] = too_many_orgs_of_member()
            except TransactWriteError as error:
                _cancelled(transaction.codes(error), error, conditions)
            metrics.count("OrganisationChanges", kind="role_changed")
            return dict(member_view(target), role=role)

        return _run(attempt)

    def remove(self, acting, user_id):
        """Removes a member (or the caller: leaving) and revokes the API keys
        they created in the organisation, in one transaction."""
        _team_only(acting)
        if user_id != acting.user_id:
            roles.require(acting.role, roles.MEMBERS)

        def attempt():
            target = self._member(acting.org_id, user_id)
            if target.role == roles.OWNER and user_id != acting.user_id:
                roles.require(acting.role, roles.OWNERSHIP)
            keys = [record.key[len(RECORD_PREFIX):] for record in ApiKeyRecord.query(
                acting.org_id, ApiKeyRecord.key.startswith(RECORD_PREFIX), consistent_read=True)
                if record.created_by == user_id]
            conditions = {}
            try:
                with db.Transaction() as transaction:
                    transaction.delete(Membership(acting.org_id, target.key), condition=Membership.role == target.role)
                    transaction.delete(MemberOf(user_id, member_of_key(acting.org_id)))
                    counts = [OrgCounts.members.add(-1)]
                    if target.role == roles.OWNER:
                        counts.append(OrgCounts.owners.add(-1))
                        conditions[2] = last_owner()
                    transaction.update(OrgCounts(acting.org_id), actions=counts,
                                       condition=OrgCounts.owners > 1 if target.role == roles.OWNER else None)
                    if target.role == roles.OWNER:
                        item, owned_actions, _ = owned_update(user_id, -1)
                        transaction.update(item, actions=owned_actions)
                    if keys:
                        transaction.update(Account(acting.org_id), actions=[
                            Account.api_keys[key_id].remove() for key_id in keys])
                        for key_id in keys:
                            transaction.delete(ApiKeys.record_item(acting.org_id, key_id))
            except TransactWriteError as error:
                _cancelled(transaction.codes(error), error, conditions)
            metrics.count("OrganisationChanges", kind="member_removed")
            return {"removed": user_id, "revoked_keys": keys}

        return _run(attempt)

    def transfer(self, acting, user_id):
        """Makes a member the owner and the caller an admin, in one transaction."""
        _team_only(acting)
        roles.require(acting.role, roles.OWNERSHIP)
        if user_id == acting.user_id:
            raise Conflict("You are an owner already; name another member.", code="conflict")

        def attempt():
            target = self._member(acting.org_id, user_id)
            conditions = {}
            try:
                with db.Transaction() as transaction:
                    transaction.update(Membership(acting.org_id, access.member_key(acting.user_id)),
                                       actions=[Membership.role.set(roles.ADMIN)],
                                       condition=Membership.role == roles.OWNER)
                    conditions[0] = Forbidden("Only an owner can transfer the organisation.", code="forbidden_role")
                    transaction.update(MemberOf(acting.user_id, member_of_key(acting.org_id)),
                                       actions=[MemberOf.role.set(roles.ADMIN)])
                    item, owned_actions, _ = owned_update(acting.user_id, -1)
                    transaction.update(item, actions=owned_actions)
                    transaction.update(Membership(acting.org_id, target.key), actions=[Membership.role.set(roles.OWNER)],
                                       condition=Membership.role == target.role)
                    if target.role != roles.OWNER:
                        transaction.update(MemberOf(user_id, member_of_key(acting.org_id)),
                                           actions=[MemberOf.role.set(roles.OWNER)])
                        item, owned_actions, owned_condition = owned_update(user_id, 1)
                        transaction.update(item, actions=owned_actions, condition=owned_condition)
                        conditions[5] = too_many_orgs_of_member()
                    else:  # the target owned it already: one owner fewer
                        transaction.update(OrgCounts(acting.org_id), actions=[OrgCounts.owners.add(-1)],
                                           condition=OrgCounts.owners > 1)
                        conditions[4] = last_owner()
            except TransactWriteError as error:
                _cancelled(transaction.codes(error), error, conditions)
            metrics.count("OrganisationChanges", kind="transferred")
            return access.org_view(acting.account, roles.ADMIN)

        return _run(attempt)

    @staticmethod
    def _member(org_id, user_id):
        member = access.membership(org_id, user_id) if access.ORG_ID.fullmatch(user_id or "") else None
        if member is None:
            raise member_not_found()
        return member


def too_many_orgs_of_member():
    return Conflict("That member owns %d organisations already." % MAX_OWNED, code="too_many_orgs")


def _team_only(acting):
    if acting.personal:
        raise Conflict("A personal organisation has no other members; create a team organisation.",
                       code="personal_org")
