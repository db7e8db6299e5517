"""Deleting a person's account (`DELETE /user {"confirm": "<their email>"}`).

Refused (409 `owns_organisations`, listing them) while the person is the
last owner of a team organisation: its members would be left without one.
Otherwise the account is marked at once (`deletion_started_at`: from then on
only `DELETE /user` is answered for it, so a deletion cut short by a crash
is finished by calling again), and these steps run in order, each one
idempotent:

1. subscriptions cancelled now (the account goes to Free);
2. API keys revoked;
3. the Free refill stopped;
4. memberships of team organisations removed (their keys there with them);
5. the Stripe customer deleted;
6. the Cognito user deleted (the person can no longer sign in);
7. the last email, confirming the deletion, sent (once: `farewell_sent`);
8. personal data erased: the email address from the account item, the
   optional-email settings, invitations to the address anywhere (found
   through their pointers, `InvitedAddress`), the
   automatic top-up's card details — then `deleted_at` set.

The account item stays, with amounts, dates and Stripe references only, as
the owner of the ledger (bookkeeping), and an audit record says who deleted
what and when. The old ID token then answers 401 (`account_deleted`)."""
import logging

import chalicelib.credits.thresholds as thresholds
from chalicelib.orgs.access import Acting
from chalicelib.orgs.invitations import invitations_to
from chalicelib.platform import clock, db, metrics
from chalicelib.platform.errors import BadRequest, Conflict
from chalicelib.keys.account_keys import ApiKeys
from chalicelib.platform.models import Account, AuditRecord, MemberOf, OrgCounts, TopUp

logger = logging.getLogger("credits-saas")

STEPS = ("cancel_subscriptions", "revoke_keys", "stop_refill", "leave_organisations", "delete_stripe_customer",
         "delete_sign_in", "send_farewell", "erase_personal_data")


def parse_confirmation(body):
    confirm = body.get("confirm")
    if not isinstance(confirm, str) or not confirm.strip() or len(confirm) > 254:
        raise BadRequest('"confirm" must be your account\'s email address.', code="invalid_confirmation")
    return confirm.strip().lower()


class AccountDeletion:
    def __init__(self, billing, refills, members, mailer, cognito, user_pool_id):
        # Collaborators that may be absent on a stage (Stripe, Step Functions)
        # or costly to build are callables, called when a step needs them.
        self._billing = billing
        self._refills = refills
        self._members = members
        self._mailer = mailer
        self._cognito = cognito
        self._user_pool_id = user_pool_id

    def delete(self, identity, account, confirm):
        """Runs (or finishes) the deletion; returns what was done."""
        address = (account.email or identity.email or "").lower()
        if not account.deletion_started_at and confirm != address:
            raise Conflict('"confirm" is not your account\'s email address; nothing was deleted.',
                           code="confirmation_mismatch")
        owned = self.last_owner_of(identity.user_id)
        if owned:
            raise Conflict("You are the last owner of %d team organisation%s: transfer or delete %s first."
                           % (len(owned), "" if len(owned) == 1 else "s", "it" if len(owned) == 1 else "them"),
                           code="owns_organisations", organisations=owned)
        account = self._start(account)
        for step in STEPS:
            getattr(self, step)(identity, account)
            account = Account.get(account.user_id, consistent_read=True)
        metrics.count("AccountsDeleted")
        return {"deletion": {"status": "done", "steps": list(STEPS), "deleted_at": account.deleted_at}}

    @staticmethod
    def last_owner_of(user_id):
        """The team organisations the person is the only owner of."""
        owned = []
        for item in MemberOf.query(user_id, MemberOf.key.startswith("org:"), consistent_read=True):
            if item.role != "owner":
                continue
            org_id = item.key[len("org:"):]
            counts = OrgCounts.get(org_id, "org", consistent_read=True)
            if int(counts.owners) <= 1:
                owned.append({"id": org_id, "name": item.name})
        return owned

    @staticmethod
    def _start(account):
        """Marks the account (once) and writes the audit record (once: its key
        is the start time)."""
        if not account.deletion_started_at:
            started = clock.iso()
            try:
                Account(account.user_id).update(actions=[Account.deletion_started_at.set(started)],
                                                condition=Account.deletion_started_at.does_not_exist())
            except Exception as error:
                if not db.is_condition_failure(error):
                    raise
            account = Account.get(account.user_id, consistent_read=True)
        record = AuditRecord(key="%s:delete_account:%s" % (account.deletion_started_at, account.user_id),
                             operator="self:%s" % account.user_id, action="delete_account",
                             account_id=account.user_id, reason="The account's owner asked for its deletion.",
                             details={"steps": list(STEPS)})
        try:
            record.save(condition=AuditRecord.key.does_not_exist())
        except Exception as error:
            if not db.is_condition_failure(error):
                raise
        return account

    # The steps, in order ----------------------------------------------------------

    def cancel_subscriptions(self, identity, account):
        service = self._billing()
        if service is not None and account.stripe_customer_id:
            service.stop_subscriptions(account)

    @staticmethod
    def revoke_keys(identity, account):
        ApiKeys().revoke_all(account.user_id)

    def stop_refill(self, identity, account):
        refills = self._refills()
        if refills is not None:
            refills.stop(account)

    def leave_organisations(self, identity, account):
        for item in MemberOf.query(account.user_id, MemberOf.key.startswith("org:"), consistent_read=True):
            org_id = item.key[len("org:"):]
            team = Account.get(org_id, consistent_read=True)
            self._members.remove(Acting(team, item.role, account.user_id), account.user_id)

    def delete_stripe_customer(self, identity, account):
        service = self._billing()
        if service is not None:
            service.delete_customer(account)

    def delete_sign_in(self, identity, account):
        """The Cognito user goes: nobody can sign in as them again."""
        pool = self._user_pool_id()
        if not pool:
            return
        try:
            self._cognito().admin_delete_user(UserPoolId=pool, Username=account.user_id)
        except Exception as error:
            if _error_code(error) != "UserNotFoundException":
                raise

    def send_farewell(self, identity, account):
        """The last email, to the address about to be erased; a failure to
        send is logged and does not keep the data (the deletion matters more)."""
        if account.farewell_sent or not account.email:
            return
        try:
            self._mailer().send_now(account.email, "account_deleted", {})
        except Exception as error:  # noqa: BLE001 - logged without the address
            logger.warning("the deletion email of account %s could not be sent: %s", account.user_id,
                           _error_code(error) or type(error).__name__)
        Account(account.user_id).update(actions=[Account.farewell_sent.set(True)])

    @staticmethod
    def erase_personal_data(identity, account):
        address = (account.email or identity.email or "").lower()
        if address:
            for invitation, pointer in invitations_to(address):
                if invitation is not None and invitation.email == address:
                    invitation.delete()
                pointer.delete()
        try:
            TopUp(account.user_id).delete()
        except Exception as error:  # noqa: BLE001 - none to delete is fine
            if not db.is_condition_failure(error):
                raise
        thresholds.ensure(account)  # the map the customer's thresholds are removed from
        Account(account.user_id).update(actions=[
            Account.email.remove(), Account.email_off.remove(), Account.thresholds.low_balance.remove(),
            Account.thresholds.top_up.remove(), Account.deleted_at.set(account.deleted_at or clock.iso())])


def _error_code(error):
    response = getattr(error, "response", None) or {}
    return (response.get("Error") or {}).get("Code")
