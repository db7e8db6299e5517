"""Every change to a balance goes through here.

Spending is one conditional UpdateItem; a spend with the caller's
Idempotency-Key is a transaction of that update and a `MeteredCall` record
(docs/data-model.md). Grants are a transaction of the
ledger entry (keyed by its idempotency key, written only if absent) and the
balance change, so a repeated grant changes nothing.
"""
import datetime

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

import chalicelib.credits.thresholds as thresholds
import chalicelib.credits.stats as stats
import chalicelib.credits.usage as usage
from chalicelib.keys import account_keys, key_format, rate_limits
from chalicelib.platform import clock, db
from chalicelib.platform.errors import Conflict, Forbidden, InsufficientCredits, RateLimited, Unauthorized
from chalicelib.platform.models import Account, LedgerEntry, MeteredCall, plain

MAX_ATTEMPTS = 5
MAX_ACCOUNTS_REMEMBERED = 10_000
IDEMPOTENCY_SECONDS = 24 * 3600
CALL_PREFIX = "call:"
APPLIED, DUPLICATE, REFUSED = "applied", "duplicate", "refused"
INVALID_KEY = "The API key is missing, unknown or revoked."
SUSPENDED = "This account is suspended; its account page says why."


class Credits:
    def __init__(self, alerts=None):
        # Account id -> the day whose usage this process last saw fit on the
        # account item (see _write_spend).
        self._usage_checked = {}
        # chalicelib.credits.alerts.Alerts: crossings seen in the spend's
        # answer, the email of a first 402. None: no alerts (some tests).
        self._alerts = alerts

    def spend(self, user_id, key_hash, cost, day=None):
        """Spend `cost` credits if the key is one of the account's keys, within
        its rate limit, and the balance covers it; returns the remaining
        total. One conditional UpdateItem, which also counts the call against
        the key's limit and its last use."""
        return self._spend(user_id, key_hash, cost, day)[0]

    def spend_once(self, user_id, key_hash, cost, request_key, route, day=None):
        """Like spend, but the caller's idempotency key charges once per
        account within 24 hours. Returns (remaining total, replayed)."""
        return self._spend(user_id, key_hash, cost, day, request_key, route)

    def _spend(self, user_id, key_hash, cost, day, request_key=None, route=None):
        day = (day or clock.today()).isoformat()
        slot = Account.api_keys[key_format.key_id(key_hash)]
        for attempt in range(MAX_ATTEMPTS):
            now = int(clock.now().timestamp())
            account = Account(user_id)
            actions = [
                Account.credits.set(Account.credits - cost),
                Account.usage[day].set((Account.usage[day] | 0) + cost),
            ] + rate_limits.record(slot, now) + [thresholds.ANSWER_ACTION]
            condition = spend_condition(slot, key_format.verifier(key_hash), cost, now)
            try:
                if request_key is not None:
                    return self._spend_with_record(account, key_hash, actions, condition, request_key,
                                                   route, cost)
                attributes = self._write_spend(user_id, day, actions, condition)
                if self._alerts is not None:
                    self._alerts.after_spend(user_id, attributes, cost)
            except (UpdateError, TransactWriteError) as error:
                if _is_conflict(error) and attempt + 1 < MAX_ATTEMPTS:
                    db.back_off(attempt)
                    continue
                if not _is_refusal(error):
                    raise
                self._explain_refusal(user_id, key_hash, cost, now)
                continue
            return int(attributes["credits"]["N"]), False
        remaining = int(Account.get(user_id, consistent_read=True).credits)
        raise InsufficientCredits("Not enough credits for this request.", required=cost, remaining=remaining)

    def _spend_with_record(self, account, key_hash, actions, condition, request_key, route, cost):
        """The spend with an idempotency key: TransactWriteItems of the
        `MeteredCall` record (only if absent or expired) and the spend, then
        the new balance read back and stored on the record, so a retry gets
        the first answer. A retry is answered from the record the failed
        transaction returns (no extra read)."""
        now = clock.now()
        record = MeteredCall(account.user_id, CALL_PREFIX + request_key, route=route, cost=cost,
                             expires_at=now + datetime.timedelta(seconds=IDEMPOTENCY_SECONDS))
        fresh = MeteredCall.key.does_not_exist() | (MeteredCall.expires_at < now)
        try:
            with TransactWrite(connection=db.connection()) as transaction:
                transaction.save(record, condition=fresh, return_values="ALL_OLD")
                transaction.update(account, actions=actions, condition=condition, return_values="ALL_OLD")
        except TransactWriteError as error:
            reasons = (getattr(error, "cancellation_reasons", None) or []) + [None, None]
            if reasons[0] is not None and reasons[0].code == "ConditionalCheckFailed":
                if reasons[1] is not None and reasons[1].code == "ConditionalCheckFailed":
                    self._check_key(reasons[1].raw_item, key_hash)
                return self._replay(account.user_id, request_key, route, reasons[0].raw_item), True
            raise
        fresh_account = Account.get(account.user_id, consistent_read=True)
        remaining = int(fresh_account.credits)
        if self._alerts is not None:
            # A transaction returns no values: the balance read just after
            # stands in for the write's (exact unless another call lands in between).
            self._alerts.after_spend(account.user_id, fresh_account.serialize(), cost)
        MeteredCall(account.user_id, record.key).update(actions=[MeteredCall.remaining.set(remaining)])
        self._keep_usage_small(account.user_id, plain(fresh_account.usage))
        return remaining, False

    @staticmethod
    def _check_key(raw_account, key_hash):
        """A replay needs a current key of the account, like any call."""
        raw_account = raw_account or {}
        slot = (((raw_account.get("k") or {}).get("M") or {}).get(key_format.key_id(key_hash)) or {}).get("M") or {}
        legacy = (raw_account.get("api_key_hash") or {}).get("S")
        if not (key_format.same_hash((slot.get("h") or {}).get("S"), key_format.verifier(key_hash))
                or key_format.same_hash(legacy, key_hash)):
            raise Unauthorized(INVALID_KEY, code="invalid_api_key")
        if "suspended" in raw_account:
            raise Forbidden(SUSPENDED, code="account_suspended")

    def _replay(self, user_id, request_key, route, raw_item):
        if raw_item:
            record = MeteredCall.from_raw_data(raw_item)
        else:
            record = MeteredCall.get(user_id, CALL_PREFIX + request_key, consistent_read=True)
        if record.route != route:
            raise Conflict("This Idempotency-Key was used with %s; use a new key for another call."
                           % record.route, code="idempotency_key_reused")
        if record.remaining is None:
            # The first call charged but has not stored its answer yet.
            return int(Account.get(user_id, consistent_read=True).credits)
        return int(record.remaining)

    def _explain_refusal(self, user_id, key_hash, cost, now):
        """Off the hot path: say why the conditional write failed. Returns when
        the refusal was a race (with a grant, or the window moving on) or the
        account's single key from before named keys has just been moved into
        its slot, so the caller tries again."""
        try:
            account = Account.get(user_id, consistent_read=True)
        except DoesNotExist:
            raise Unauthorized(INVALID_KEY, code="invalid_api_key")
        if account.api_key_hash is not None or account.api_keys is None:
            if key_format.same_hash(account.api_key_hash, key_hash):
                account_keys.migrate(account)
                return
            raise Unauthorized(INVALID_KEY, code="invalid_api_key")
        slot = account_keys.slots_of(account).get(key_format.key_id(key_hash))
        if slot is None or not key_format.same_hash(slot.get("h"), key_format.verifier(key_hash)):
            raise Unauthorized(INVALID_KEY, code="invalid_api_key")
        if account.suspended is not None:
            raise Forbidden(SUSPENDED, code="account_suspended")
        if rate_limits.is_limited(slot, now):
            seconds = rate_limits.retry_after(slot, now)
            raise RateLimited("This API key's rate limit is reached; retry in %d second%s."
                              % (seconds, "" if seconds == 1 else "s"), headers={"Retry-After": str(seconds)})
        if int(account.credits) < cost:
            if self._alerts is not None:
                self._alerts.after_refusal(account)
            raise InsufficientCredits("This request costs %s; %d left." % (
                "1 credit" if cost == 1 else "%d credits" % cost, int(account.credits)),
                required=cost, remaining=int(account.credits))

    def _write_spend(self, user_id, day, actions, condition):
        """The spend's one UpdateItem; returns its answer: what it set
        (`UPDATED_NEW`: the new balance and the thresholds a crossing is
        judged by, see chalicelib/credits/alerts.py). Only a day new to the
        account can bring too many days of usage onto its item, so only the
        first spend of a day in this process asks for the whole item
        (`ALL_NEW`, under 1 KB) and looks at them, to move older days off it."""
        whole = self._usage_checked.get(user_id) != day
        response = db.table_connection(Account).update_item(
            user_id, actions=actions, condition=condition, return_values="ALL_NEW" if whole else "UPDATED_NEW")
        attributes = response["Attributes"]
        if whole:
            if self._keep_usage_small(user_id, plain(Account.from_raw_data(attributes).usage)):
                if len(self._usage_checked) >= MAX_ACCOUNTS_REMEMBERED:
                    self._usage_checked.clear()
                self._usage_checked[user_id] = day
        return attributes

    @staticmethod
    def _keep_usage_small(user_id, counts):
        """Moves older days of usage off the account item (about once a week
        per active account), so a metered call stays one write unit. True
        when the item's days fit (the move, if any, applied)."""
        return usage.fits_on_account(counts) or usage.move_older_days(user_id, counts)

    def add_purchased(self, user_id, amount, key, kind, description, reference=None, actions=()):
        """Add a one-off pack. Blind ADD keeps min(purchased, total) exact."""
        entry = self._entry(user_id, key, kind, amount, description, reference)
        account_actions = [Account.credits.add(amount), Account.purchased_credits.add(amount)]
        return self._transact(entry, account_actions + list(actions), Account.user_id.exists()) == APPLIED

    def reset_plan(self, user_id, amount, key, kind, description, reference=None, condition=None,
                   actions=()):
        """Reset plan credits to `amount` for a new period, keeping purchased
        credits. Returns False when the key was already granted or `condition`
        no longer holds."""
        entry = self._entry(user_id, key, kind, amount, description, reference)
        previous_branch = None
        for _ in range(MAX_ATTEMPTS):
            try:
                account = Account.get(user_id, consistent_read=True)
            except DoesNotExist:
                return False
            branch = reset_branch(account)
            if branch == previous_branch:
                return False
            previous_branch = branch
            branch_condition, branch_actions = _reset_expression(branch, amount)
            # The low-balance alert's default follows the allowance (thresholds.py).
            thresholds.ensure(account, lambda plan: amount)
            branch_actions = branch_actions + [
                Account.thresholds.low_balance_default.set(thresholds.default_threshold(amount))]
            full_condition = Account.user_id.exists() & branch_condition
            if condition is not None:
                full_condition = full_condition & condition
            result = self._transact(entry, branch_actions + list(actions), full_condition)
            if result != REFUSED:
                return result == APPLIED
        return False

    def record(self, user_id, key, kind, amount, description, reference=None):
        """A ledger entry with no balance change (e.g. a superseded period)."""
        try:
            self._entry(user_id, key, kind, amount, description, reference).save(condition=LedgerEntry.key.does_not_exist())
        except PutError as error:
            if not db.is_condition_failure(error):
                raise
            return False
        return True

    def _entry(self, user_id, key, kind, amount, description, reference=None):
        """`reference` defaults to the entry's own key (its id for support)."""
        return LedgerEntry(user_id, key, at=clock.iso(), kind=kind, credits=amount,
                           description=description, reference=reference or key)

    def _transact(self, entry, actions, condition, also=()):
        """The ledger entry and the balance change (and the items in `also`,
        saved only if new), together or not at all.
        APPLIED, DUPLICATE (the ledger key exists) or REFUSED (only the
        account condition failed; the caller decides). Conflicts with another
        transaction on the item are retried here."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                with TransactWrite(connection=db.connection()) as transaction:
                    transaction.save(entry, condition=LedgerEntry.key.does_not_exist())
                    transaction.update(Account(entry.user_id), actions=actions, condition=condition)
                    for item in also:
                        transaction.save(item, condition=type(item).key.does_not_exist())
            except TransactWriteError as error:
                codes = db.cancellation_codes(error)
                if codes and codes[0] == "ConditionalCheckFailed":
                    return DUPLICATE
                if len(codes) > 1 and codes[-1] == "ConditionalCheckFailed":  # the update comes last
                    return REFUSED
                if "TransactionConflict" in codes and attempt + 1 < MAX_ATTEMPTS:
                    db.back_off(attempt)
                    continue
                raise
            stats.count_entry(entry.kind, entry.credits, entry.at[:10])
            return APPLIED


def spend_condition(slot, verifier, cost, now):
    """What the metered call's one write requires: the key's slot holds its
    verifier, the key is within its rate limit, the balance covers the cost,
    and no operator has suspended the account."""
    return ((slot["h"] == verifier) & rate_limits.admits(slot, now) & (Account.credits >= cost)
            & Account.suspended.does_not_exist())


WITHIN_TOTAL, KEEPING_PURCHASED, COVERING_DEBT = "within_total", "keeping_purchased", "covering_debt"


def reset_branch(account):
    """Which of the three reset expressions fits the account as read."""
    if account.credits < 0:
        return COVERING_DEBT
    return WITHIN_TOTAL if account.purchased_credits <= account.credits else KEEPING_PURCHASED


def _reset_expression(branch, amount):
    """credits := amount + min(purchased, credits), as one of three conditional
    expressions: DynamoDB has no min(), but the condition picks the branch. An
    account that owes credits (a refund or dispute took back credits already
    spent: credits < 0, nothing purchased left) pays the debt from the new
    allowance, once: purchased_credits goes to 0 with it."""
    if branch == COVERING_DEBT:
        return (Account.credits < 0,
                [Account.purchased_credits.set(0), Account.credits.set(Account.credits + amount)])
    if branch == WITHIN_TOTAL:
        return (Account.purchased_credits <= Account.credits,
                [Account.credits.set(Account.purchased_credits + amount)])
    return ((Account.purchased_credits > Account.credits) & (Account.credits >= 0),
            [Account.purchased_credits.set(Account.credits),
             Account.credits.set(Account.credits + amount)])


def _is_conflict(error):
    return db.is_transaction_conflict(error) or "TransactionConflict" in db.cancellation_codes(error)


def _is_refusal(error):
    """The account's condition failed: wrong key or not enough credits."""
    return db.is_condition_failure(error) or db.cancellation_codes(error)[1:2] == ["ConditionalCheckFailed"]
