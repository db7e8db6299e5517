"""Recording a cause for an email: one conditional PutItem of an outbox item
(`EmailNotice`) in the account's partition of the ledger table, keyed by the
cause, so a repeated cause (a webhook delivered again, two deliveries at
once) records nothing more and the customer gets one email.

Callers record *after* the change the email is about has been written
(never inside a money transaction), and recording never fails or changes
what the caller did: any failure is logged (without the values) and counted
in `EmailRecordFailures`, and the caller carries on. The table's stream then
hands the new item to the sender (chalicelib.notices.sender).
"""
import datetime
import logging

from chalicelib.platform import clock, db, metrics
from chalicelib.platform.models import EMAIL_PREFIX, LEDGER_STREAM_PREFIXES, EmailNotice
import chalicelib.notices.templates as templates

logger = logging.getLogger("credits-saas")

PREFIX = EMAIL_PREFIX
# Kept long enough to outlive any redelivery (Stripe retries for 3 days and
# keeps events for 30) so that a late repeat still finds its cause.
KEEP = datetime.timedelta(days=90)
MAX_VALUE_CHARS = 500
# The stream's records that reach the handler, in Lambda's event-filter
# syntax: the insertion of an outbox item or of a balance crossing
# (platform.models.LEDGER_STREAM_PREFIXES), nothing else the table writes.
# The deploy puts it on the event source mapping; the local poller applies
# the same pattern (scripts/devstack/stream_poller.py).
STREAM_FILTER = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"key": {"S": [
    {"prefix": prefix} for prefix in LEDGER_STREAM_PREFIXES]}}}}


def item_key(kind, cause):
    """`email:<topic>:<cause>`: kinds that answer one cause share a topic."""
    return "%s%s:%s" % (PREFIX, templates.template(kind).topic, cause)


def _stored(value):
    """Values as the template shows them: numbers stay numbers, the rest text
    (cut short: an operator's reason or a Stripe label, never a document)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)[:MAX_VALUE_CHARS]
    return value


class Outbox:
    def record(self, account_id, kind, cause, /, **values):
        """Records the email `kind` for `cause` (e.g. an invoice id). Returns
        True when recorded now, False when the cause was recorded before, None
        when recording failed (logged and counted, never raised)."""
        try:
            templates.check(kind, values)
            item = EmailNotice(account_id, item_key(kind, cause), template=kind,
                               values={name: _stored(value) for name, value in values.items()},
                               state="pending", recorded_at=clock.iso(), attempts=0,
                               expires_at=clock.now() + KEEP)
            item.save(condition=EmailNotice.key.does_not_exist())
        except Exception as error:  # noqa: BLE001 - an email never fails the work it follows
            if db.is_condition_failure(error):
                return False
            logger.warning("could not record the %s email of account %s (cause %s): %s",
                           kind, account_id, cause, type(error).__name__)
            metrics.count("EmailRecordFailures")  # no dimension: one alarm watches it; the line says which
            return None
        metrics.count("EmailsRecorded")
        return True
