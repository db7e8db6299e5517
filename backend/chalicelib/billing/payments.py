"""Taking credits back from a payment, and giving them back, exactly.

Refunds and disputes (chalicelib.billing.refunds, chalicelib.billing.disputes) say which of a
payment's refunds count and whether its funds are withdrawn; this module
turns each change of that into one ledger entry and one balance change, in
one transaction with the payment's record (`PaymentRecord`):

    taken = granted                                   while a dispute holds the funds
    taken = floor(granted * refunded / amount)        otherwise

so partial refunds add up to the whole grant exactly, and the sum taken
never exceeds what the payment granted. Each step is conditional on the
record's version, so concurrent and repeated deliveries apply it once.

Where the credits come from (docs/data-model.md has the representation):
* a pack's: the purchased credits. While enough are left (purchased_credits
  >= n) both numbers drop by n; otherwise purchased_credits goes to 0 and
  the rest comes out of the plan credits. The total may go below zero: the
  account owes credits, and metered calls get 402 until covered.
* a subscription invoice's: the plan credits, only while its period is the
  account's current one (an older period's credits have lapsed, so the entry
  records 0). Beyond the plan credits, the total goes down (purchased first).
Giving back is the reverse: purchased credits for a pack, plan credits for
the current period's invoice.
"""
import logging
import math

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.platform import clock, db, metrics
from chalicelib.platform.models import Account, LedgerEntry, PaymentRecord
from chalicelib.billing.stripe_objects import money

logger = logging.getLogger("credits-saas")

PURCHASED, PLAN = "purchased", "plan"
MAX_ATTEMPTS = 8


class PaymentBusy(Exception):
    """Too many concurrent changes to one payment; Stripe's retry applies it."""


class Source:
    """What one charge paid for: found by chalicelib.billing.refunds from Stripe."""

    def __init__(self, user_id, charge_id, amount, currency, granted, bucket, label, reference,
                 subscription_id=None, period_start=None):
        self.user_id, self.charge_id = user_id, charge_id
        self.amount, self.currency, self.granted = int(amount), currency, int(granted)
        self.bucket, self.label, self.reference = bucket, label, reference
        self.subscription_id, self.period_start = subscription_id, period_start

    def new_record(self):
        return PaymentRecord(
            self.user_id, record_key(self.charge_id), version=0, granted=self.granted,
            amount=self.amount, currency=self.currency, bucket=self.bucket, label=self.label,
            reference=self.reference, subscription_id=self.subscription_id,
            period_start=self.period_start, refunds={}, disputes={}, taken=0)


def record_key(charge_id):
    return "payment:%s" % charge_id


def target_taken(granted, amount, refunds, disputes):
    """Credits a payment has given up: all while its funds are disputed, else
    the refunded share (rounded down, so the shares add up to the whole)."""
    if disputes:
        return granted
    refunded = min(amount, sum(int(value) for value in refunds.values()))
    return granted if refunded >= amount else math.floor(granted * refunded / amount) if amount else 0


class Step:
    """One change to a payment: a refund counts or stops counting, funds are
    withdrawn or reinstated. `apply(refunds, disputes)` makes the change."""

    def __init__(self, kind, object_id, amount, description):
        self.kind, self.object_id, self.amount, self.description = kind, object_id, int(amount), description

    @property
    def ledger_key(self):
        return "%s:%s" % (self.kind, self.object_id)

    def apply(self, refunds, disputes):
        changes = {"refund": (refunds, True), "refund_reversed": (refunds, False),
                   "dispute": (disputes, True), "dispute_reinstated": (disputes, False)}
        mapping, present = changes[self.kind]
        if present:
            mapping[self.object_id] = self.amount
        else:
            mapping.pop(self.object_id, None)

    def pending(self, record):
        """Still to do on this record? (A repeat or a lost race finds it done.)"""
        mapping = record.refunds if self.kind.startswith("refund") else record.disputes
        present = self.object_id in plain(mapping)
        return not present if self.kind in ("refund", "dispute") else present


def plain(mapping):
    if mapping is None:
        return {}
    return mapping.as_dict() if hasattr(mapping, "as_dict") else dict(mapping)


class TakeBacks:
    def __init__(self, notify=None):
        self._notify = notify  # chalicelib.notices.record: tells the customer when they owe credits

    def record(self, source):
        try:
            return PaymentRecord.get(source.user_id, record_key(source.charge_id), consistent_read=True)
        except DoesNotExist:
            return None

    def settle(self, source, step):
        """Applies `step` once. Returns the credits it moved (negative: taken),
        or None when it was applied already."""
        for attempt in range(MAX_ATTEMPTS):
            record = self.record(source)
            fresh = record is None
            record = record or source.new_record()
            if not step.pending(record):
                return None
            refunds, disputes = plain(record.refunds), plain(record.disputes)
            before = target_taken(int(record.granted), int(record.amount), refunds, disputes)
            step.apply(refunds, disputes)
            after = target_taken(int(record.granted), int(record.amount), refunds, disputes)
            outcome = self._write(source, record, fresh, step, refunds, disputes, after, before - after)
            if outcome is not None:
                _count(step, outcome)
                if outcome < 0:
                    self._tell_if_owed(source, step)
                return outcome
            db.back_off(attempt)
        raise PaymentBusy("payment %s changed %d times while applying %s" % (
            source.charge_id, MAX_ATTEMPTS, step.ledger_key))

    def _write(self, source, record, fresh, step, refunds, disputes, taken, delta):
        """Tries the balance change, then (if the credits have lapsed) the same
        step recording 0. None: the record moved on; read it again."""
        for change in _balance_changes(source, delta, step.kind in ("refund", "dispute")):
            result = self._transact(source, record, fresh, step, refunds, disputes, taken, change)
            if result == "applied":
                return change.credits
            if result == "stale":
                return None
        return None

    def _transact(self, source, record, fresh, step, refunds, disputes, taken, change):
        description = step.description + change.note
        entry = LedgerEntry(source.user_id, step.ledger_key, at=clock.iso(), kind=step.kind,
                            credits=change.credits, description=description, reference=step.object_id)
        version_ok = (PaymentRecord.key.does_not_exist() if fresh
                      else PaymentRecord.version == int(record.version))
        record_actions = [PaymentRecord.version.set(int(record.version) + 1),
                          PaymentRecord.refunds.set(refunds), PaymentRecord.disputes.set(disputes),
                          PaymentRecord.taken.set(taken)]
        if fresh:
            record_actions += [getattr(PaymentRecord, name).set(getattr(record, name))
                               for name in ("granted", "amount", "currency", "bucket", "label", "reference")]
            record_actions += [getattr(PaymentRecord, name).set(getattr(record, name))
                               for name in ("subscription_id", "period_start") if getattr(record, name) is not None]
        try:
            with TransactWrite(connection=db.connection()) as transaction:
                transaction.update(PaymentRecord(source.user_id, record.key), actions=record_actions,
                                   condition=version_ok)
                transaction.save(entry, condition=LedgerEntry.key.does_not_exist())
                if change.actions:
                    transaction.update(Account(source.user_id), actions=change.actions,
                                       condition=Account.user_id.exists() & change.condition)
        except TransactWriteError as error:
            codes = db.cancellation_codes(error) + [None, None, None]
            if codes[0] == "ConditionalCheckFailed" or codes[1] == "ConditionalCheckFailed":
                return "stale"
            if codes[2] == "ConditionalCheckFailed":
                return "refused"
            if "TransactionConflict" in codes:
                return "stale"
            raise
        return "applied"


    def _tell_if_owed(self, source, step):
        """After a take-back (never inside its transaction): when the balance
        is now below zero, one email per refund or dispute (its ledger key is
        the cause). A failure here is logged and counted, never raised: the
        take-back is done."""
        if self._notify is None:
            return
        try:
            account = Account.get(source.user_id, consistent_read=True, attributes_to_get=["user_id", "credits"])
            balance = int(account.credits)
        except Exception as error:  # noqa: BLE001 - an email never fails the take-back it follows
            logger.warning("could not read the balance of %s after %s: %s", source.user_id, step.ledger_key,
                           type(error).__name__)
            metrics.count("EmailRecordFailures")
            return
        if balance < 0:
            what = "A refund" if step.kind == "refund" else "A dispute"
            self._notify(source.user_id, "credits_owed", step.ledger_key, owed=-balance, balance=balance,
                         taken_by="%s of %s on your %s" % (what, money(step.amount, source.currency), source.label))


def _count(step, credits):
    """Metrics (docs/operations.md): a refund or dispute that took effect, and
    the credits it moved (taken back: kind refund/dispute, a positive count)."""
    if step.kind == "refund":
        metrics.count("Refunds")
    elif step.kind == "dispute":
        metrics.count("Disputes")
    if credits:
        metrics.count("CreditsGranted", abs(credits), kind=step.kind)


class BalanceChange:
    def __init__(self, credits, actions=(), condition=None, note=""):
        self.credits, self.actions, self.condition, self.note = credits, list(actions), condition, note


def _balance_changes(source, delta, taking):
    """The ways to apply `delta` credits (positive: give back), in the order to
    try them; the first whose condition holds is applied."""
    if delta == 0:
        return [BalanceChange(0, note=" (nothing left to take back)" if taking else " (nothing to give back)")]
    if source.bucket == PLAN:
        current = ((Account.subscription.id == source.subscription_id)
                   & (Account.plan_period_start == source.period_start))
        return [BalanceChange(delta, [Account.credits.add(delta)], current),
                BalanceChange(0, note=" (that period has ended: its credits had lapsed)")]
    if delta > 0:
        return [BalanceChange(delta, [Account.credits.add(delta), Account.purchased_credits.add(delta)],
                              Account.user_id.exists())]
    n = -delta
    return [BalanceChange(delta, [Account.credits.add(delta), Account.purchased_credits.add(delta)],
                          Account.purchased_credits >= n),
            BalanceChange(delta, [Account.credits.add(delta), Account.purchased_credits.set(0)],
                          Account.purchased_credits < n)]
