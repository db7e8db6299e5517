"""Low-balance alerts and crossings.

A *crossing* is one write taking the balance from at least a threshold to
below it. The metered call's one UpdateItem also sets the thresholds' map to
itself (chalicelib/credits/thresholds.py), so its `UPDATED_NEW` answer,
which names every attribute the update sets, carries them: the crossing is
seen from that answer alone. The new balance `b`, the call's cost `c` and a
threshold `N` (the alert's, `lb` or its default `ld`, and `tt` while
automatic top-up is on) give `b < N <= b + c`. Only the
write that crossed sees that, however many calls race, so each crossing is
recorded once: one conditional PutItem of a `Crossing` item, the metered
call's second and last request, and only on a crossing. The ledger table's
stream hands it to app.py's `send_emails`, which records the `low_balance`
email and starts the top-up (chalicelib.billing.top_ups), off the call's
answer. Nothing re-arms explicitly: the balance can only climb back to N or
more by a grant, purchase, refill or top-up, and the next crossing then
fires again.

`credits_used_up`: the first refused call (402) of a period records one
email, keyed by the period (the plan's period start, or the Free refill's
period).
"""
import datetime
import logging
import secrets

import chalicelib.credits.thresholds as thresholds
from chalicelib.platform import clock, db, metrics, settings
from chalicelib.platform.errors import BadRequest, NotFound
from chalicelib.platform.models import CROSSING_PREFIX, Account, Crossing

logger = logging.getLogger("credits-saas")

MAX_THRESHOLD = 1_000_000_000
KEEP = datetime.timedelta(days=90)
MAX_REMEMBERED = 10_000


def crossed(threshold, balance, cost):
    """The write that left `balance` after spending `cost` took it from >= threshold to < threshold."""
    return threshold is not None and balance < threshold <= balance + cost


class Alerts:
    def __init__(self, plans, notify):
        self._plans = plans  # chalicelib.credits.plans.Plans
        self._notify = notify  # chalicelib.notices.record
        self._used_up = set()  # (account, period) whose email this process recorded
        self._said_answer_incomplete = False

    # The metered call ----------------------------------------------------------

    def after_spend(self, user_id, raw_item, cost):
        """Called with the metered write's answer: records a crossing, if this
        write made one (one conditional PutItem; never raises). Returns the
        crossing's id or None."""
        try:
            balance = int(raw_item["credits"]["N"])
            found = thresholds.from_answer(raw_item)
            alert, top_up = found if found is not None else self._read_thresholds(user_id)
            alert = alert if crossed(alert, balance, cost) else None
            top_up = top_up if crossed(top_up, balance, cost) else None
            if alert is None and top_up is None:
                return None
            return self.record_crossing(user_id, balance, alert, top_up)
        except Exception as error:  # noqa: BLE001 - the call is charged and answered whatever happens here
            logger.warning("could not record a balance crossing of account %s: %s", user_id, type(error).__name__)
            metrics.count("CrossingRecordFailures")
            return None

    def _read_thresholds(self, user_id):
        """The answer had no moved map: an account from before it (moved now,
        once; chalicelib/credits/thresholds.py), or a database that left the
        map out of the answer because its value did not change (DynamoDB
        names it; an emulator may not, which is said once)."""
        account = Account.get(user_id, consistent_read=True)
        if thresholds.is_moved(account) and not self._said_answer_incomplete:
            logger.warning("the metered write's answer lacks the thresholds it sets; reading them instead")
            self._said_answer_incomplete = True
        metrics.count("ThresholdReads")
        return thresholds.of(thresholds.ensure(account, self._plans.allowance))

    @staticmethod
    def record_crossing(user_id, balance, alert, top_up):
        crossing_id = "%s-%s" % (clock.now().strftime("%Y%m%dT%H%M%S%f"), secrets.token_hex(3))
        now = clock.now()
        Crossing(user_id, CROSSING_PREFIX + crossing_id, credits=balance, alert=alert, top_up=top_up,
                 crossed_at=clock.iso(), expires_at=now + KEEP).save(condition=Crossing.key.does_not_exist())
        metrics.count("BalanceCrossings")
        return crossing_id

    def after_refusal(self, account):
        """A 402: the first of the account's current period records one
        `credits_used_up` email (a repeat in this process asks nothing)."""
        period = "%s-%s-%s" % (account.plan, int(account.plan_period_start or 0),
                               "%s.%s" % (account.refill_execution or "", int(account.refill_period or 0))
                               if account.plan == settings.FREE_PLAN else "")
        marker = (account.user_id, period)
        if marker in self._used_up:
            return
        self._notify(account.user_id, "credits_used_up", period, credits=int(account.credits))
        if len(self._used_up) >= MAX_REMEMBERED:
            self._used_up.clear()
        self._used_up.add(marker)

    # The stream ------------------------------------------------------------------

    def on_crossing(self, crossing):
        """The email of a recorded crossing (once: keyed by the crossing)."""
        if crossing.alert is None:
            return
        if self._notify(crossing.user_id, "low_balance", crossing.key[len(CROSSING_PREFIX):],
                        credits=int(crossing.credits), threshold=int(crossing.alert)) is None:
            raise RuntimeError("the low-balance email was not recorded; the stream delivers the crossing again")

    # GET and PUT /alerts ------------------------------------------------------------

    def default_for(self, account):
        return thresholds.default_threshold(self._plans.allowance(account.plan))

    def view(self, account):
        account = thresholds.ensure(account, self._plans.allowance)
        default = self.default_for(account)
        if int(account.thresholds.low_balance_default) != default:
            self._store(account.user_id, [Account.thresholds.low_balance_default.set(default)])
        low_balance = account.thresholds.low_balance
        return {"low_balance": None if low_balance is None else int(low_balance), "default": default}

    def save(self, account, threshold):
        account = thresholds.ensure(account, self._plans.allowance)
        default = self.default_for(account)
        action = (Account.thresholds.low_balance.remove() if threshold is None
                  else Account.thresholds.low_balance.set(threshold))
        self._store(account.user_id, [action, Account.thresholds.low_balance_default.set(default)])
        return {"low_balance": threshold, "default": default}

    @staticmethod
    def _store(user_id, actions):
        from pynamodb.exceptions import UpdateError  # pynamodb: already loaded by the models

        try:
            Account(user_id).update(actions=actions, condition=Account.user_id.exists())
        except UpdateError as error:
            if db.is_condition_failure(error):
                raise NotFound("No account with this id.", code="not_found")
            raise


def parse(body):
    """`{"low_balance": N | null}`, N a whole number of credits >= 0 (400 `invalid_alerts`)."""
    value = body.get("low_balance", "missing") if isinstance(body, dict) else "missing"
    if set(body or ()) != {"low_balance"} or not (
            value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_THRESHOLD)):
        raise BadRequest('The body must be {"low_balance": N} with N a whole number of credits from 0 to %d, '
                         'or {"low_balance": null} for the default.' % MAX_THRESHOLD, code="invalid_alerts")
    return value
