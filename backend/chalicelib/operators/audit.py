"""The operators' audit list: who did what to which account, when and why.

Records live in the ledger table's `audit` partition, keyed by time, so the
list reads newest first with one query a page. A record is written in the
same transaction as the change it describes wherever the change is a
transaction (credit adjustments, suspensions), so neither exists without
the other.
"""
import base64
import binascii
import secrets

from chalicelib.platform import clock
from chalicelib.platform.errors import BadRequest
from chalicelib.platform.models import AuditRecord, plain

PARTITION = "audit"
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
ACTIONS = ("grant", "void", "suspend", "unsuspend", "revoke_key")


def record(operator, action, account_id, reason=None, **details):
    """An unsaved record (save it alone or inside a transaction)."""
    if action not in ACTIONS:
        raise ValueError("unknown operator action %r" % action)
    key = "%s#%s" % (clock.iso(), secrets.token_hex(4))
    return AuditRecord(PARTITION, key, operator=operator, action=action, account_id=account_id,
                       reason=reason, details={name: value for name, value in details.items() if value is not None})


class Audit:
    def add(self, operator, action, account_id, reason=None, **details):
        item = record(operator, action, account_id, reason, **details)
        item.save(condition=AuditRecord.key.does_not_exist())
        return item

    def page(self, limit=DEFAULT_LIMIT, cursor=None):
        """Newest first; (records, next cursor or None)."""
        start = {"user_id": {"S": PARTITION}, "key": {"S": decode_cursor(cursor)}} if cursor else None
        results = list(AuditRecord.query(PARTITION, scan_index_forward=False, consistent_read=True,
                                         limit=limit + 1, last_evaluated_key=start))
        shown = results[:limit]
        more = len(results) > limit
        return [view(item) for item in shown], encode_cursor(shown[-1].key) if more else None


def view(item):
    return {
        "at": item.key.split("#", 1)[0],
        "operator": item.operator,
        "action": item.action,
        "account_id": item.account_id,
        "reason": item.reason,
        "details": {name: _plain_number(value) for name, value in plain(item.details).items()},
    }


def _plain_number(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def encode_cursor(key):
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        if len(cursor) > 200:
            raise ValueError
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if "#" not in key or not 0 < len(key) <= 100:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor is not one this API returned.", code="invalid_cursor")
    return key
