"""A copy of a person's data (`GET /user/export`, UK GDPR portability): their
profile, organisations and roles, their personal organisation's API keys
(never a secret), ledger, daily usage and invoices, and their email
settings, as one JSON document. A few per hour: each hour's count is one
conditional write (429 with `Retry-After` past it)."""
import datetime

from chalicelib.platform import clock, db, metrics
from chalicelib.platform.errors import RateLimited
from chalicelib.platform.models import ExportCount
from chalicelib.credits.usage import daily_usage
from chalicelib.keys.account_keys import ApiKeys
from chalicelib.notices import preferences

PER_HOUR = 3
USAGE_DAYS = 400  # every day the account can hold usage for
LEDGER_PAGE = 100
INVOICES_PAGE = 100


class DataExport:
    def __init__(self, directory, ledger, stripe, history):
        self._directory = directory
        self._ledger = ledger
        self._stripe = stripe  # called when needed: None on a stage without Stripe
        self._history = history  # called when needed: chalicelib.billing.invoices.BillingHistory

    def export(self, identity, account):
        self._count(account.user_id)
        metrics.count("DataExports")
        return {
            "exported_at": clock.iso_seconds(clock.now()),
            "profile": {"id": account.user_id, "email": account.email, "created_at": account.created_at,
                        "plan": account.plan},
            "organisations": self._directory.list(account.user_id),
            "api_keys": ApiKeys().list(account),
            "ledger": self._whole_ledger(account.user_id),
            "usage": [day for day in daily_usage(account, USAGE_DAYS) if day["credits"]],
            "invoices": self._invoices(account),
            "notifications": preferences.view(account),
        }

    @staticmethod
    def _count(user_id):
        now = clock.now()
        hour = now.strftime("%Y%m%d%H")
        try:
            ExportCount(user_id, "exports:" + hour).update(
                actions=[ExportCount.count.add(1),
                         ExportCount.expires_at.set(now + datetime.timedelta(days=1))],
                condition=ExportCount.count.does_not_exist() | (ExportCount.count < PER_HOUR))
        except Exception as error:
            if not db.is_condition_failure(error):
                raise
            wait = 3600 - (now.minute * 60 + now.second)
            raise RateLimited("At most %d exports an hour; try again in %d minutes." % (PER_HOUR, wait // 60 + 1),
                              headers={"Retry-After": str(wait)})

    def _whole_ledger(self, user_id):
        entries, cursor = self._ledger.page(user_id, LEDGER_PAGE)
        while cursor:
            more, cursor = self._ledger.page(user_id, LEDGER_PAGE, cursor)
            entries.extend(more)
        return entries

    def _invoices(self, account):
        """Every invoice, as the billing history shows them (none without Stripe)."""
        if self._stripe() is None:
            return []
        history = self._history()
        invoices, cursor = history.page(account, INVOICES_PAGE)
        while cursor:
            more, cursor = history.page(account, INVOICES_PAGE, cursor)
            invoices.extend(more)
        return invoices
