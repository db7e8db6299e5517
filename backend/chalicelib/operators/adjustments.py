"""Credits an operator grants (positive) or voids (negative), with a reason.

One adjustment is one transaction: the ledger entry `adjustment:<Idempotency-Key>`
(written only if absent, so a double submit adjusts once), the balance
change, and the audit record. The balance change is one of a few
conditional expressions picked from a read of the account; each condition
only holds while the branch it was picked for is still right, so a metered
call or a grant racing the adjustment makes it re-read and try again — no
credit is ever lost or made up (docs/data-model.md, "Operator adjustments").

A grant adds to the named bucket. A void takes from the named bucket first,
then from the other one; it takes the total below zero (credits owed) only
with `allow_negative`.
"""
from pynamodb.exceptions import DoesNotExist, TransactWriteError

import chalicelib.operators.audit as audit
from chalicelib.platform import clock, db, metrics
from chalicelib.credits.balances import APPLIED, DUPLICATE, MAX_ATTEMPTS
from chalicelib.platform.errors import BadRequest, Conflict, NotFound, TransientError, excerpt
from chalicelib.platform.models import Account, LedgerEntry

KIND = "adjustment"
KEY_PREFIX = "adjustment:"
BUCKETS = ("purchased", "plan")
MAX_CREDITS = 10_000_000
REASON_CHARS = (3, 200)


def parse(body):
    """(credits, bucket, reason, allow_negative) from a request body, or a 400."""
    amount = body.get("credits")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0 or abs(amount) > MAX_CREDITS:
        raise BadRequest('"credits" must be a whole number from -%d to %d, not 0 (got %s).'
                         % (MAX_CREDITS, MAX_CREDITS, excerpt(amount)), code="invalid_credits")
    bucket = body.get("bucket", "purchased")
    if bucket not in BUCKETS:
        raise BadRequest('"bucket" must be "purchased" or "plan" (got %s).' % excerpt(bucket),
                         code="invalid_bucket")
    allow_negative = body.get("allow_negative", False)
    if not isinstance(allow_negative, bool):
        raise BadRequest('"allow_negative" must be true or false.', code="invalid_allow_negative")
    return amount, bucket, parse_reason(body.get("reason")), allow_negative


def parse_reason(reason):
    low, high = REASON_CHARS
    if not isinstance(reason, str) or not low <= len(reason.strip()) <= high:
        raise BadRequest('"reason" must be %d to %d characters: say why, for the record.' % (low, high),
                         code="invalid_reason")
    return reason.strip()


def balance_change(account, amount, bucket, allow_negative):
    """(condition, actions) moving `amount` credits into or out of `bucket`,
    for the account as read. purchased = min(purchased_credits, credits)
    and plan = credits - purchased (docs/data-model.md)."""
    total, bound = int(account.credits), int(account.purchased_credits or 0)
    exists = Account.user_id.exists()
    credits, purchased = Account.credits, Account.purchased_credits
    if amount > 0 and bucket == "purchased":
        return exists, [credits.add(amount), purchased.add(amount)]
    if amount > 0:
        # Plan credits: first make the bound exact (no more than the total,
        # not below zero), then add to the total.
        if bound <= total:
            return exists & (purchased <= credits), [credits.add(amount)]
        if total >= 0:
            return exists & (purchased > credits) & (credits >= 0), [
                purchased.set(credits), credits.set(credits + amount)]
        return exists & (credits < 0), [purchased.set(0), credits.add(amount)]
    taken = -amount
    covered = exists if allow_negative else exists & (credits >= taken)
    if bucket == "plan":
        # Lowering the total takes plan credits first, then purchased ones.
        return covered, [credits.add(amount)]
    if bound >= taken:
        return covered & (purchased >= taken), [credits.add(amount), purchased.add(amount)]
    return covered & (purchased < taken), [purchased.set(0), credits.add(amount)]


class Adjustments:
    def __init__(self, credits):
        self._credits = credits  # chalicelib.credits.balances.Credits

    def apply(self, user_id, amount, bucket, reason, request_key, operator, allow_negative=False):
        """Returns (ledger entry, applied): applied is False for a repeat of
        the same Idempotency-Key (nothing changed the second time)."""
        key = KEY_PREFIX + request_key
        entry = LedgerEntry(user_id, key, kind=KIND, credits=amount, description=reason,
                            reference=key, operator=operator)
        action = "grant" if amount > 0 else "void"
        for attempt in range(MAX_ATTEMPTS * 2):
            account = self._account(user_id)
            if amount < 0 and not allow_negative and int(account.credits) < -amount:
                raise Conflict("The account has %d credits; voiding %d would take it below zero. "
                               "Send \"allow_negative\": true to do so." % (int(account.credits), -amount),
                               code="would_go_negative", remaining=int(account.credits))
            condition, actions = balance_change(account, amount, bucket, allow_negative)
            entry.at = clock.iso()
            record = audit.record(operator, action, user_id, reason, credits=amount, bucket=bucket,
                                  ledger_key=key)
            try:
                outcome = self._credits._transact(entry, actions, condition, also=[record])
            except TransactWriteError:
                outcome = DUPLICATE if self._exists(entry) else None
                if outcome is None:
                    raise TransientError("The account is busy; try again with the same Idempotency-Key.")
            if outcome == APPLIED:
                metrics.count("OperatorActions", type=action)
                if amount > 0:
                    metrics.count("CreditsGranted", amount, kind=KIND)
                return entry, True
            if outcome == DUPLICATE:
                return self._first(entry), False
            db.back_off(min(attempt, 4))
        raise TransientError("The account kept changing; try again with the same Idempotency-Key.")

    @staticmethod
    def _account(user_id):
        try:
            return Account.get(user_id, consistent_read=True)
        except DoesNotExist:
            raise NotFound("No account with this id.", code="not_found")

    @staticmethod
    def _exists(entry):
        try:
            LedgerEntry.get(entry.user_id, entry.key, consistent_read=True)
        except DoesNotExist:
            return False
        return True

    @staticmethod
    def _first(entry):
        """The entry the key first wrote; a different adjustment under the
        same key is a 409."""
        first = LedgerEntry.get(entry.user_id, entry.key, consistent_read=True)
        if first.kind != KIND or int(first.credits) != int(entry.credits) or first.description != entry.description:
            raise Conflict("This Idempotency-Key was used for another adjustment; use a new key.",
                           code="idempotency_key_reused")
        return first
