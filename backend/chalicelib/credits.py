"""Every change to a balance goes through here.

Spending is one conditional UpdateItem. Grants are a transaction of the
ledger entry (keyed by its idempotency key, written only if absent) and the
balance change, so a repeated grant changes nothing.
"""
from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib import clock, db, usage
from chalicelib.errors import InsufficientCredits, Unauthorized
from chalicelib.models import Account, LedgerEntry, plain

MAX_ATTEMPTS = 5
APPLIED, DUPLICATE, REFUSED = "applied", "duplicate", "refused"
INVALID_KEY = "The API key is missing, unknown or revoked."


class Credits:
    def spend(self, user_id, key_hash, cost, day=None):
        """Spend `cost` credits if the key is the account's current key and the
        balance covers it; returns the remaining total."""
        day = (day or clock.today()).isoformat()
        for attempt in range(MAX_ATTEMPTS):
            account = Account(user_id)
            try:
                account.update(
                    actions=[
                        Account.credits.set(Account.credits - cost),
                        Account.usage[day].set((Account.usage[day] | 0) + cost),
                    ],
                    condition=(Account.api_key_hash == key_hash) & (Account.credits >= cost),
                )
            except UpdateError as error:
                if db.is_transaction_conflict(error) and attempt + 1 < MAX_ATTEMPTS:
                    db.back_off(attempt)
                    continue
                if not db.is_condition_failure(error):
                    raise
                self._explain_refusal(user_id, key_hash, cost)
                continue
            self._trim_usage(account)
            return int(account.credits)
        raise InsufficientCredits("Not enough credits for this request.")

    def _explain_refusal(self, user_id, key_hash, cost):
        """Off the hot path: say why the conditional write failed. Returns when
        the refusal was a race with a grant, so the caller tries again."""
        try:
            account = Account.get(user_id, consistent_read=True)
        except DoesNotExist:
            raise Unauthorized(INVALID_KEY, code="invalid_api_key")
        if account.api_key_hash != key_hash:
            raise Unauthorized(INVALID_KEY, code="invalid_api_key")
        if int(account.credits) < cost:
            raise InsufficientCredits("This request costs %s; %d left." % (
                "1 credit" if cost == 1 else "%d credits" % cost, int(account.credits)))

    def _trim_usage(self, account):
        """Moves older days of usage off the account item (about once a week
        per active account), so a metered call stays one write unit."""
        usage.move_older_days(account.user_id, plain(account.usage))

    def add_purchased(self, user_id, amount, key, kind, reference, actions=()):
        """Add a one-off pack. Blind ADD keeps min(purchased, total) exact."""
        entry = self._entry(user_id, key, kind, amount, reference)
        account_actions = [Account.credits.add(amount), Account.purchased_credits.add(amount)]
        return self._transact(entry, account_actions + list(actions), Account.user_id.exists()) == APPLIED

    def reset_plan(self, user_id, amount, key, kind, reference, condition=None, actions=()):
        """Reset plan credits to `amount` for a new period, keeping purchased
        credits. Returns False when the key was already granted or `condition`
        no longer holds."""
        entry = self._entry(user_id, key, kind, amount, reference)
        previous_branch = None
        for _ in range(MAX_ATTEMPTS):
            try:
                account = Account.get(user_id, consistent_read=True)
            except DoesNotExist:
                return False
            branch = account.purchased_credits <= account.credits
            if branch == previous_branch:
                return False
            previous_branch = branch
            branch_condition, branch_actions = _reset_expression(branch, amount)
            full_condition = Account.user_id.exists() & branch_condition
            if condition is not None:
                full_condition = full_condition & condition
            result = self._transact(entry, branch_actions + list(actions), full_condition)
            if result != REFUSED:
                return result == APPLIED
        return False

    def record(self, user_id, key, kind, amount, reference):
        """A ledger entry with no balance change (e.g. a superseded period)."""
        from pynamodb.exceptions import PutError

        try:
            self._entry(user_id, key, kind, amount, reference).save(condition=LedgerEntry.key.does_not_exist())
        except PutError as error:
            if not db.is_condition_failure(error):
                raise
            return False
        return True

    def _entry(self, user_id, key, kind, amount, reference):
        return LedgerEntry(user_id, key, at=clock.iso(), kind=kind, credits=amount, reference=reference)

    def _transact(self, entry, actions, condition):
        """The ledger entry and the balance change, together or not at all.
        APPLIED, DUPLICATE (the ledger key exists) or REFUSED (only the
        account condition failed; the caller decides). Conflicts with another
        transaction on the item are retried here."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                with TransactWrite(connection=db.connection()) as transaction:
                    transaction.save(entry, condition=LedgerEntry.key.does_not_exist())
                    transaction.update(Account(entry.user_id), actions=actions, condition=condition)
            except TransactWriteError as error:
                codes = db.cancellation_codes(error)
                if codes and codes[0] == "ConditionalCheckFailed":
                    return DUPLICATE
                if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                    return REFUSED
                if "TransactionConflict" in codes and attempt + 1 < MAX_ATTEMPTS:
                    db.back_off(attempt)
                    continue
                raise
            return APPLIED


def _reset_expression(purchased_within_total, amount):
    """credits := amount + min(purchased, credits), as one of two conditional
    expressions: DynamoDB has no min(), but the condition picks the branch."""
    if purchased_within_total:
        return (Account.purchased_credits <= Account.credits,
                [Account.credits.set(Account.purchased_credits + amount)])
    return (Account.purchased_credits > Account.credits,
            [Account.purchased_credits.set(Account.credits),
             Account.credits.set(Account.credits + amount)])
