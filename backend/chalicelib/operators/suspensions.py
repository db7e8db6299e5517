"""Stopping an account's metered calls: suspension and key revocation.

Suspending sets `suspended` on the account item — the metered call's one
conditional write requires it absent, so the next call is refused (403
`account_suspended`, nothing charged) with no extra request on the hot path.
Who, when and why sit in a `Suspension` item beside the ledger, written in
the same transaction as the flag and the audit record. The customer's user
routes keep working, so their account page can say why.
"""
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.keys import account_keys
import chalicelib.operators.audit as audit
from chalicelib.platform import clock, db, metrics
from chalicelib.platform.errors import NotFound
from chalicelib.platform.models import Account, AuditRecord, Suspension
from chalicelib.accounts.suspension import view

NO_ACCOUNT = "No account with this id."


class AccountControls:
    def __init__(self, notify=None):
        self._notify = notify  # chalicelib.notices.record: the customer hears of a suspension and its end

    def suspend(self, user_id, reason, operator):
        """Suspends (or re-states the reason of a suspension); returns its view.
        The customer gets an email each time, once (the audit record is the cause)."""
        since = clock.iso()
        detail = Suspension(user_id, reason=reason, since=since, operator=operator)
        record = audit.record(operator, "suspend", user_id, reason)
        self._write(user_id, [Account.suspended.set(True)], record, save=detail)
        metrics.count("OperatorActions", type="suspend")
        if self._notify is not None:
            self._notify(user_id, "account_suspended", record.key, reason=reason)
        return view(detail)

    def unsuspend(self, user_id, reason, operator):
        record = audit.record(operator, "unsuspend", user_id, reason)
        self._write(user_id, [Account.suspended.remove()], record, deletes=[Suspension(user_id)])
        metrics.count("OperatorActions", type="unsuspend")
        if self._notify is not None:
            self._notify(user_id, "account_unsuspended", record.key)

    def revoke_key(self, user_id, reason, operator, key_id=None):
        """Revokes one of the account's API keys (`key_id`) or, without one,
        all of them: they fail their next call, with this write. The customer
        can make new ones (which a suspension would still refuse). Returns
        the ids revoked."""
        account = self._account(user_id)
        keys = account_keys.ApiKeys()
        account = keys.migrated(account)
        known = [key["id"] for key in keys.list(account)]
        if key_id is not None:
            if key_id not in account_keys.slots_of(account):
                raise NotFound("The account has no key with this id.", code="not_found")
            revoked, actions = [key_id], [Account.api_keys[key_id].remove()]
        else:
            # Emptying the map also stops a key made since it was listed.
            revoked, actions = sorted(set(known) | set(account_keys.slots_of(account))), [Account.api_keys.set({})]
        record = audit.record(operator, "revoke_key", user_id, reason, keys=",".join(revoked) or None)
        records = [keys.record_item(user_id, revoked_id) for revoked_id in revoked]
        self._write(user_id, actions, record, deletes=records)
        metrics.count("OperatorActions", type="revoke_key")
        return revoked

    @staticmethod
    def _account(user_id):
        try:
            return Account.get(user_id, consistent_read=True)
        except DoesNotExist:
            raise NotFound(NO_ACCOUNT, code="not_found")

    @staticmethod
    def _write(user_id, actions, record, save=None, deletes=()):
        """The account change, the suspension detail and the audit record:
        all or nothing; a 404 when there is no such account."""
        try:
            with TransactWrite(connection=db.connection()) as transaction:
                transaction.update(Account(user_id), actions=actions, condition=Account.user_id.exists())
                if save is not None:
                    transaction.save(save)
                for item in deletes:
                    transaction.delete(item)
                transaction.save(record, condition=AuditRecord.key.does_not_exist())
        except TransactWriteError as error:
            if "ConditionalCheckFailed" in db.cancellation_codes(error):
                raise NotFound(NO_ACCOUNT, code="not_found")
            raise
