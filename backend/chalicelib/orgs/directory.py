"""Team organisations: creating one (the creator its owner, at most 10
owned per user), listing the caller's, and deleting one."""
import secrets

from pynamodb.exceptions import TransactWriteError

from chalicelib.platform import clock, db, metrics, names, settings
from chalicelib.platform.errors import BadRequest, Conflict, excerpt
from chalicelib.keys.account_keys import ApiKeys
from chalicelib.platform.models import Account, Invitation, MemberOf, Membership, OrgCounts, OwnedOrgs, Thresholds
from chalicelib.credits.plans import Plans
import chalicelib.credits.thresholds as thresholds
import chalicelib.orgs.access as access
import chalicelib.orgs.roles as roles

MAX_OWNED = 10
MAX_NAME = 64
ORG_PREFIX = "org:"
# Subscription states in which Stripe may still charge the organisation.
LIVE_SUBSCRIPTION = ("active", "trialing", "past_due", "unpaid", "incomplete")


def parse_name(body):
    name = body.get("name")
    if not names.valid_name(name, MAX_NAME):
        raise BadRequest('"name" must be 1 to %d printable characters (got %s).' % (MAX_NAME, excerpt(name)),
                         code="invalid_name")
    return " ".join(name.split())


def new_org_id():
    return "org_" + secrets.token_hex(10)


def member_of_key(org_id):
    return ORG_PREFIX + org_id


def owned_update(user_id, delta):
    """An `OwnedOrgs` change for a transaction: (item, actions, condition)."""
    item = OwnedOrgs(user_id)
    if delta > 0:
        return item, [OwnedOrgs.owned.add(delta)], (
            OwnedOrgs.owned.does_not_exist() | (OwnedOrgs.owned <= MAX_OWNED - delta))
    return item, [OwnedOrgs.owned.add(delta)], None


def too_many_orgs():
    return Conflict("You own %d organisations already; delete one or transfer it first." % MAX_OWNED,
                    code="too_many_orgs")


class Directory:
    def __init__(self, billing=lambda: None):
        self._billing = billing  # called when a deletion needs it: None on a stage without Stripe

    def create(self, user_id, email, name):
        """A new team organisation, the caller its owner: its account (no
        credits, no refill), counts and the owner's membership in one
        transaction."""
        now = clock.iso()
        org_id = new_org_id()
        default = thresholds.default_threshold(Plans().allowance(settings.FREE_PLAN))
        account = Account(org_id, created_at=now, org_name=name, credits=0, purchased_credits=0,
                          usage={}, api_keys={}, thresholds=Thresholds(low_balance_default=default))
        owned, owned_actions, owned_condition = owned_update(user_id, 1)
        try:
            with db.Transaction() as transaction:
                transaction.save(account, condition=Account.user_id.does_not_exist())
                transaction.save(OrgCounts(org_id, members=1, owners=1, created_by=user_id))
                transaction.save(Membership(org_id, access.member_key(user_id), role=roles.OWNER,
                                            email=email, joined_at=now))
                transaction.save(MemberOf(user_id, member_of_key(org_id), role=roles.OWNER, name=name))
                transaction.update(owned, actions=owned_actions, condition=owned_condition)
        except TransactWriteError as error:
            if transaction.codes(error)[4:5] == ["ConditionalCheckFailed"]:
                raise too_many_orgs()
            raise
        metrics.count("OrganisationChanges", kind="created")
        return access.org_view(account, roles.OWNER)

    def list(self, user_id):
        """The caller's organisations: the personal one first, then teams by name."""
        teams = [{"id": item.key[len(ORG_PREFIX):], "name": item.name, "role": item.role, "personal": False}
                 for item in MemberOf.query(user_id, MemberOf.key.startswith(ORG_PREFIX), consistent_read=True)]
        personal = {"id": user_id, "name": "Personal", "role": roles.OWNER, "personal": True}
        return [personal] + sorted(teams, key=lambda org: (org["name"].lower(), org["id"]))

    def delete(self, acting):
        """Deletes a team organisation: its keys stop with the first write;
        then its invitations and memberships go, then its Stripe customer.
        Each step is idempotent, so
        calling again after a failure finishes the job. The account item and
        its ledger stay (bookkeeping), marked closed."""
        if acting.personal:
            raise Conflict("A personal organisation cannot be deleted.", code="personal_org")
        roles.require(acting.role, roles.OWNERSHIP)
        account = acting.account
        subscription = account.subscription
        if subscription is not None and subscription.status in LIVE_SUBSCRIPTION:
            raise Conflict("Cancel the organisation's subscription before deleting it.",
                           code="subscription_active")
        org_id = account.user_id
        ApiKeys().revoke_all(org_id, actions=[Account.closed_at.set(clock.iso())])
        for invitation in Invitation.query(org_id, Invitation.key.startswith("invite:")):
            invitation.delete()
        for member in Membership.query(org_id, Membership.key.startswith(access.MEMBER_PREFIX),
                                       consistent_read=True):
            remove_membership(org_id, member)
        OrgCounts(org_id).delete()
        service = self._billing()
        if service is not None:  # its Stripe customer (saved cards, addresses) goes too
            service.delete_customer(account)
        metrics.count("OrganisationChanges", kind="deleted")


def remove_membership(org_id, member):
    """One member out of a deleted organisation (its counts go with it)."""
    user_id = member.key[len(access.MEMBER_PREFIX):]
    try:
        with db.Transaction() as transaction:
            transaction.delete(Membership(org_id, member.key), condition=Membership.key.exists())
            transaction.delete(MemberOf(user_id, member_of_key(org_id)))
            if member.role == roles.OWNER:
                item, actions, _ = owned_update(user_id, -1)
                transaction.update(item, actions=actions)
    except TransactWriteError as error:
        if transaction.codes(error)[:1] != ["ConditionalCheckFailed"]:
            raise
