"""Reading the ledger, a page at a time; entries are written by chalicelib.credits.balances."""
import base64
import binascii
import json

from chalicelib.platform.errors import BadRequest
from chalicelib.platform.models import LedgerEntry

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MAX_CURSOR_CHARS = 2048
# Entries written before descriptions existed: what their kind means.
KIND_DESCRIPTIONS = {"signup": "Sign-up bonus", "refill": "Free refill"}
# Ledger keys whose second part is a Stripe object id.
STRIPE_KEY_PREFIXES = ("checkout:", "invoice:")


def kind_description(kind):
    return KIND_DESCRIPTIONS.get(kind, kind.capitalize())


class Ledger:
    def page(self, user_id, limit=DEFAULT_LIMIT, cursor=None, with_operator=False):
        """Newest first, `limit` entries after `cursor`: a strongly consistent
        query of the local index. Returns (entries, next cursor or None)."""
        start = decode_cursor(cursor, user_id) if cursor else None
        results = list(LedgerEntry.by_time.query(
            user_id, scan_index_forward=False, consistent_read=True, limit=limit + 1,
            last_evaluated_key=start))
        entries = results[:limit]
        more = len(results) > limit
        return ([self.view(entry, with_operator) for entry in entries],
                encode_cursor(entries[-1]) if more else None)

    @staticmethod
    def view(entry, with_operator=False):
        """`with_operator`: operators see who made an adjustment; customers do not."""
        if entry.description:
            description, reference = entry.description, entry.reference or entry.key
        else:
            # Written before descriptions: `reference` held the description.
            description = (KIND_DESCRIPTIONS.get(entry.kind) or entry.reference
                           or kind_description(entry.kind))
            reference = key_reference(entry.key)
        shown = {
            "at": entry.at,
            "kind": entry.kind,
            "credits": int(entry.credits),
            "description": description,
            "reference": reference,
        }
        if with_operator:
            shown["operator"] = entry.operator
        return shown


def key_reference(key):
    """The Stripe id inside a ledger key (`checkout:cs_…` → `cs_…`), else the key."""
    for prefix in STRIPE_KEY_PREFIXES:
        if key.startswith(prefix):
            return key[len(prefix):]
    return key


def encode_cursor(entry):
    raw = json.dumps({"at": entry.at, "key": entry.key}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor, user_id):
    """The query's start key; the account is always the caller's own, so a
    cursor can never reach another account's entries."""
    try:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
        at, key = position["at"], position["key"]
        if not (isinstance(at, str) and isinstance(key, str) and 0 < len(at) <= 64 and 0 < len(key) <= 512):
            raise ValueError
    except (ValueError, TypeError, KeyError, binascii.Error, RecursionError):
        raise BadRequest("cursor is not one this API returned.", code="invalid_cursor")
    return {"user_id": {"S": user_id}, "key": {"S": key}, "at": {"S": at}}
