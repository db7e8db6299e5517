"""Finding an account for support: by account id, a whole API key (it names
its account), a Stripe customer id (`cus_…`), a key prefix (`ak_…`) or the
start of an email address.

An id or a whole key is one GetItem. The others read the accounts table a
slice at a time (a Scan with a filter, at most `SLICES_PER_REQUEST` slices
of `SCAN_SLICE` items per request) and hand back a cursor, so a search never
holds a request longer than a few slices however large the table;
docs/operations.md gives the cost.
"""
import base64
import binascii
import json

from pynamodb.exceptions import DoesNotExist

from chalicelib import db, keys, settings
from chalicelib.errors import BadRequest, excerpt
from chalicelib.models import Account

MAX_QUERY_CHARS = 200
SCAN_SLICE = 500
SLICES_PER_REQUEST = 4  # at most 2,000 account items read per request
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
KEY_PREFIX_CHARS = keys.DISPLAY_CHARS


def parse_query(raw):
    text = (raw or "").strip()
    if not text or len(text) > MAX_QUERY_CHARS:
        raise BadRequest("q must be 1 to %d characters: an email, account id, cus_… or ak_… (got %s)."
                         % (MAX_QUERY_CHARS, excerpt(raw)), code="invalid_query")
    return text


class AccountSearch:
    def find(self, query, limit=DEFAULT_LIMIT, cursor=None):
        """(matching accounts as short rows, next cursor or None)."""
        if cursor is None:
            exact = self._exact(query)
            if exact is not None:
                return [row(exact)], None
        return self._scan(query, limit, decode_cursor(cursor) if cursor else None)

    @staticmethod
    def _exact(query):
        parsed = keys.parse(query)
        user_id = parsed[0] if parsed else query
        if len(user_id) > 128:
            return None
        try:
            account = Account.get(user_id, consistent_read=True)
        except DoesNotExist:
            return None
        if parsed and not keys.same_hash(account.api_key_hash, parsed[1]):
            return None
        return account

    @staticmethod
    def _scan(query, limit, start):
        names, values, condition = filter_for(query)
        arguments = dict(TableName=settings.accounts_table(), Limit=SCAN_SLICE, FilterExpression=condition,
                         ExpressionAttributeNames=names, ExpressionAttributeValues=values)
        rows = []
        for _ in range(SLICES_PER_REQUEST):
            if start:
                arguments["ExclusiveStartKey"] = start
            response = db.connection().client.scan(**arguments)
            rows.extend(row(Account.from_raw_data(item)) for item in response.get("Items", []))
            start = response.get("LastEvaluatedKey")
            if len(rows) > limit:
                # Go on after the last row shown: a Scan resumes after any key.
                return rows[:limit], encode_cursor({"user_id": {"S": rows[limit - 1]["id"]}})
            if not start or len(rows) == limit:
                break
        return rows, encode_cursor(start) if start else None


def filter_for(query):
    """The Scan filter for a query that is not an exact id."""
    if query.startswith("cus_"):
        return {"#c": "stripe_customer_id"}, {":q": {"S": query}}, "#c = :q"
    if query.startswith(keys.PREFIX + "_"):
        return ({"#k": "api_key_prefix"}, {":q": {"S": query[:KEY_PREFIX_CHARS]}}, "begins_with(#k, :q)")
    values = {":q": {"S": query}, ":lower": {"S": query.lower()}}
    return {"#e": "email"}, values, "begins_with(#e, :q) OR begins_with(#e, :lower)"


def row(account):
    return {"id": account.user_id, "email": account.email, "plan": account.plan,
            "credits": int(account.credits), "created_at": account.created_at,
            "stripe_customer_id": account.stripe_customer_id, "suspended": account.suspended is not None}


def encode_cursor(start):
    raw = json.dumps({"user_id": start["user_id"]["S"]}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    try:
        if len(cursor) > 400:
            raise ValueError
        user_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["user_id"]
        if not isinstance(user_id, str) or not 0 < len(user_id) <= 128:
            raise ValueError
    except (ValueError, TypeError, KeyError, binascii.Error, RecursionError):
        raise BadRequest("cursor is not one this API returned.", code="invalid_cursor")
    return {"user_id": {"S": user_id}}
