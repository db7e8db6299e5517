"""Where an account's thresholds live: one map, `th` (docs/data-model.md).

`th.lb` is the customer's low-balance alert (absent: the default), `th.ld`
the default for the current allowance (10 %, set by each plan grant), and
`th.tt`, while automatic top-up is on, its threshold. They are one map so
that the metered write names them with one action (`ANSWER_ACTION`, which
leaves the map as it is) and its small `UPDATED_NEW` answer carries all of
them (chalicelib/credits/alerts.py). A moved map always has `ld`.

Accounts from before the map keep the three at the top level of the item
(`lb`, `ld`, `tt`) until `ensure` moves them into `th`, once: every writer of
a threshold calls it first (a nested `SET th.x` needs the map), and so does
the metered call whose answer shows no moved map.
"""
from pynamodb.exceptions import UpdateError

from chalicelib.platform import db, settings
from chalicelib.platform.models import Account, Thresholds

ANSWER_ACTION = Account.thresholds.set(Account.thresholds | {"M": {}})


def default_threshold(allowance):
    """10 % of the plan's allowance, rounded up."""
    return -(-max(0, int(allowance or 0)) // 10)  # ceil(allowance / 10), in integers


def from_answer(raw_item):
    """(alert threshold, top-up threshold) from an account item in wire format
    (the metered write's answer), None where there is none; None when the item
    has no moved map (see `ensure`)."""
    raw = (raw_item.get("th") or {}).get("M")
    if raw is None:
        return None
    return _pair(Thresholds().deserialize(raw))


def of(account):
    """(alert threshold, top-up threshold) of a moved account."""
    return _pair(account.thresholds)


def _pair(th):
    """(th.lb or its default th.ld, th.tt); None for a map not moved yet (no `ld`)."""
    if th is None or th.low_balance_default is None:
        return None
    alert = th.low_balance if th.low_balance is not None else th.low_balance_default
    return _int(alert), _int(th.top_up)


def ensure(account, allowance_of=None):
    """The account with its thresholds in `th`: moves them there if they are
    not yet (from the top level, `ld` from the plan's allowance if absent),
    in one conditional write that only the first mover wins. Returns the
    account as read after a move, else as given. `allowance_of(plan)`: the
    plan's credits (default: chalicelib.credits.plans.Plans.allowance)."""
    if is_moved(account):
        return account
    if allowance_of is None:
        from chalicelib.credits.plans import Plans  # only for an account not moved yet

        allowance_of = Plans().allowance
    th = account.thresholds or Thresholds()
    default = account.legacy_low_balance_default
    if default is None:
        default = default_threshold(allowance_of(account.plan or settings.FREE_PLAN))
    moved = Thresholds(low_balance=_first(th.low_balance, account.legacy_low_balance),
                       low_balance_default=default,
                       top_up=_first(th.top_up, account.legacy_top_up_threshold))
    try:
        Account(account.user_id).update(
            actions=[Account.thresholds.set(moved), Account.legacy_low_balance.remove(),
                     Account.legacy_low_balance_default.remove(), Account.legacy_top_up_threshold.remove()],
            condition=Account.user_id.exists() & (
                Account.thresholds.does_not_exist() | Account.thresholds.low_balance_default.does_not_exist()))
    except UpdateError as error:
        if not db.is_condition_failure(error):
            raise
    return Account.get(account.user_id, consistent_read=True)


def ensure_for(user_id):
    """`ensure` for a writer that has not read the account."""
    return ensure(Account.get(user_id, consistent_read=True))


def customer_alert(account):
    """The customer's own low-balance threshold (None: the default), moved or not."""
    moved = account.thresholds.low_balance if account.thresholds is not None else None
    return _int(_first(moved, account.legacy_low_balance))


def is_moved(account):
    return _pair(account.thresholds) is not None


def _first(*values):
    return next((value for value in values if value is not None), None)


def _int(value):
    return None if value is None else int(value)
