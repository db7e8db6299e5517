"""Invitations to a team organisation. The token in the emailed link names
the invitation and carries 192 random bits; only its SHA-256 is stored, and
the email is sent during the request (not through the outbox) so that the
token never rests in a table. An invitation is bound to the invited address
(case-insensitive), works once (accepting deletes it in the transaction
that adds the member, so concurrent accepts make one membership), expires
after 7 days, and inviting the same address again replaces its token."""
import datetime
import hashlib
import hmac
import re
import secrets

from pynamodb.exceptions import DoesNotExist, TransactWriteError

from chalicelib.platform import clock, db, metrics, settings
from chalicelib.platform.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound, UpstreamError, excerpt
from chalicelib.platform.models import Account, Invitation, InvitedAddress, MemberOf, Membership, OrgCounts
import chalicelib.orgs.access as access
import chalicelib.orgs.roles as roles
from chalicelib.orgs.directory import member_of_key

PREFIX = "invite:"
VALID_FOR = datetime.timedelta(days=7)
KEEP_AFTER_EXPIRY = datetime.timedelta(days=30)  # so a late click still hears "expired", not "unknown"
MAX_MEMBERS = 50
SECRET_BYTES = 24
MAX_EMAIL = 254
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
TOKEN = re.compile(r"(org_[0-9a-f]{20})\.([0-9a-f]{20})\.([A-Za-z0-9_-]{32})")


def parse_email(body):
    email = body.get("email")
    if not isinstance(email, str) or len(email) > MAX_EMAIL or not EMAIL.fullmatch(email.strip()):
        raise BadRequest('"email" must be an email address (got %s).' % excerpt(email), code="invalid_email")
    return email.strip().lower()


def parse_token(body):
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise BadRequest('"token" must be the token from the invitation link.', code="invalid_token")
    return token


def invitation_id(org_id, email):
    return hashlib.sha256(("%s:%s" % (org_id, email)).encode()).hexdigest()[:20]


def address_partition(email):
    """The partition of the pointers to the invitations to `email`."""
    return "invited:" + hashlib.sha256(email.encode()).hexdigest()


def invitations_to(email):
    """The invitations to `email` anywhere, with their pointers (for
    erasing a person: chalicelib.privacy)."""
    found = []
    for pointer in InvitedAddress.query(address_partition(email.lower()), consistent_read=True):
        org_id, _, ident = pointer.key.partition(":")
        try:
            found.append((Invitation.get(org_id, PREFIX + ident, consistent_read=True), pointer))
        except DoesNotExist:
            found.append((None, pointer))
    return found


def token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_view(item):
    return {"id": item.key[len(PREFIX):], "email": item.email, "role": item.role,
            "expires_at": clock.iso_seconds(datetime.datetime.fromtimestamp(int(item.valid_until), datetime.timezone.utc))}


def not_found():
    return NotFound("This invitation is not valid: it was used, revoked or replaced.", code="invitation_not_found")


def too_many_members():
    return Conflict("An organisation can have at most %d members." % MAX_MEMBERS, code="too_many_members")


class Invitations:
    def __init__(self, mailer, invite_url=None):
        self._mailer = mailer  # called with no argument: notices' sender, built on first use
        self._invite_url = invite_url or (lambda token: settings.frontend_origin().rstrip("/") + "/invite?token=" + token)

    def list(self, acting):
        roles.require(acting.role, roles.MEMBERS)
        items = Invitation.query(acting.org_id, Invitation.key.startswith(PREFIX), consistent_read=True)
        now = clock.now().timestamp()
        return sorted((invitation_view(item) for item in items if int(item.valid_until) > now),
                      key=lambda view: view["email"])

    def invite(self, acting, email, role):
        """Records the invitation (replacing one for the same address) and emails the link."""
        if acting.personal:
            raise Conflict("Invite people to a team organisation, not your personal one.", code="personal_org")
        roles.require(acting.role, roles.MEMBERS)
        if role not in roles.INVITABLE:
            raise BadRequest('"role" must be one of %s.' % ", ".join(roles.INVITABLE), code="invalid_role")
        members = list(Membership.query(acting.org_id, Membership.key.startswith(access.MEMBER_PREFIX),
                                        consistent_read=True))
        if any((member.email or "").lower() == email for member in members):
            raise Conflict("This address belongs to a member already.", code="already_member")
        if len(members) >= MAX_MEMBERS:
            raise too_many_members()
        ident = invitation_id(acting.org_id, email)
        token = "%s.%s.%s" % (acting.org_id, ident, secrets.token_urlsafe(SECRET_BYTES))
        now = clock.now()
        item = Invitation(acting.org_id, PREFIX + ident, email=email, role=role, token_hash=token_hash(token),
                          invited_by=acting.user_id, created_at=clock.iso(now),
                          valid_until=int((now + VALID_FOR).timestamp()),
                          expires_at=now + VALID_FOR + KEEP_AFTER_EXPIRY)
        with db.Transaction() as transaction:
            transaction.save(item)
            transaction.save(InvitedAddress(address_partition(email), "%s:%s" % (acting.org_id, ident),
                                            expires_at=item.expires_at))
        try:
            self._mailer().send_now(email, "invitation", {
                "inviter": acting.email or "A member", "org": acting.account.org_name,
                "role": role, "invite_url": self._invite_url(token)})
        except Exception as error:
            raise UpstreamError("The invitation is saved but its email could not be sent; invite again.",
                                code="email_unavailable") from error
        metrics.count("OrganisationChanges", kind="invited")
        return invitation_view(item)

    def revoke(self, acting, ident):
        roles.require(acting.role, roles.MEMBERS)
        if not re.fullmatch(r"[0-9a-f]{20}", ident or ""):
            raise NotFound("No invitation with this id.", code="invitation_not_found")
        try:
            Invitation(acting.org_id, PREFIX + ident).delete(condition=Invitation.key.exists())
        except Exception as error:
            if db.is_condition_failure(error):
                raise NotFound("No invitation with this id.", code="invitation_not_found")
            raise

    def accept(self, user_id, email, token):
        """Adds the caller, whose verified email must be the invited one, to
        the organisation; returns the organisation as the caller now sees it."""
        match = TOKEN.fullmatch(token)
        if match is None:
            raise not_found()
        org_id, ident, _ = match.groups()
        try:
            item = Invitation.get(org_id, PREFIX + ident, consistent_read=True)
        except DoesNotExist:
            raise not_found()
        if not hmac.compare_digest(item.token_hash, token_hash(token)):
            raise not_found()
        if int(item.valid_until) <= clock.now().timestamp():
            raise ApiError("This invitation has expired; ask for a new one.", code="invitation_expired", status=410)
        if (email or "").strip().lower() != item.email:
            raise Forbidden("This invitation is for another email address; sign in with the invited one.",
                            code="invitation_email_mismatch")
        account = access.open_team(org_id)
        if account is None:
            raise not_found()
        already = access.membership(org_id, user_id)
        if already is not None:  # a member already: the invitation is used up all the same
            try:
                item.delete(condition=Invitation.token_hash == item.token_hash)
            except Exception as error:
                if db.is_condition_failure(error):
                    raise not_found()
                raise
            return access.org_view(account, already.role)
        try:
            with db.Transaction() as transaction:
                transaction.delete(Invitation(org_id, item.key), condition=Invitation.token_hash == item.token_hash)
                transaction.save(Membership(org_id, access.member_key(user_id), role=item.role, email=item.email,
                                            joined_at=clock.iso()), condition=Membership.key.does_not_exist())
                transaction.save(MemberOf(user_id, member_of_key(org_id), role=item.role, name=account.org_name))
                transaction.update(OrgCounts(org_id), actions=[OrgCounts.members.add(1)],
                                   condition=OrgCounts.members < MAX_MEMBERS)
                transaction.condition_check(Account, org_id, condition=Account.closed_at.does_not_exist())
        except TransactWriteError as error:
            codes = transaction.codes(error)
            if codes[3:4] == ["ConditionalCheckFailed"] and codes[0] != "ConditionalCheckFailed":
                raise too_many_members()
            if "ConditionalCheckFailed" in codes or "TransactionConflict" in codes:
                raise not_found()
            raise
        metrics.count("OrganisationChanges", kind="invitation_accepted")
        return access.org_view(account, item.role)
