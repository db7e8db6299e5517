"""Credits: the two balances of an account and every change to them —
spending on a metered call, grants, purchases and take-backs, each with its
ledger entry in the same transaction (`balances`); the plans and their
allowances as synced from products.json (`plans`); daily usage (`usage`);
reading the ledger (`ledger`); the operators' day counters (`stats`); and the
Free plan's weekly refill, a Step Functions execution per Free account
(`refill`); low-balance alerts and the balance crossings the metered call
sees in its own answer (`alerts`), judged by the thresholds on the account
(`thresholds`)."""
from chalicelib import notices
from chalicelib.platform import settings
from chalicelib.platform import once


@once
def plan_catalog():
    from chalicelib.credits.plans import Plans  # pynamodb: off the cold start of other routes
    return Plans()


@once
def wallet():
    """Spends, grants and purchases: every change to a balance."""
    from chalicelib.credits.balances import Credits  # pynamodb: off the cold start of other routes
    return Credits(low_balance_alerts())


@once
def low_balance_alerts():
    """Low-balance alerts: crossings, the first 402's email, GET/PUT /alerts."""
    from chalicelib.credits.alerts import Alerts  # pynamodb: off the cold start of other routes
    return Alerts(plan_catalog(), notices.record)


@once
def ledger_pages():
    from chalicelib.credits.ledger import Ledger  # pynamodb: off the cold start of other routes
    return Ledger()


def refills():
    """Free-plan refill executions, or None when the stage has no state machine."""
    if not settings.refill_state_machine_arn():
        return None
    return _refills()


@once
def _refills():
    from chalicelib.credits.refill import Refills, default_client  # pynamodb, boto3: off the cold start
    return Refills(default_client, settings.refill_state_machine_arn(), settings.free_refill_period_seconds(),
                   lambda: plan_catalog().allowance(settings.FREE_PLAN))
