"""Operators (the Cognito group `admins`): finding an account (`account_search`),
granting or voiding credits with a reason (`adjustments`), suspending and
revoking keys (`suspensions`), the business summary (`summary`) and the audit
list every action writes to (`audit`) — all behind one console (`console`)
that the `/admin` routes and scripts/admin.py share."""
from chalicelib import accounts, credits, notices
from chalicelib.platform import once


@once
def operator_console():
    from chalicelib.operators.console import Console  # pynamodb: off the cold start of other routes
    from chalicelib.operators.summary import Summary
    return Console(accounts.registry(), credits.wallet(), credits.ledger_pages(), Summary(credits.plan_catalog()),
                   notify=notices.record, plans=credits.plan_catalog())
