"""Finding an account for support: by account id (a person's or a team
organisation's), a whole API key (it names its account), a Stripe customer
id (`cus_…`), a key prefix (`ak_…`), the start of an email address (the
person's account, with the team organisations they are a member of) or the
start of a team organisation's name.

An id or a whole key is one GetItem. A key prefix is kept with the key's
record in the ledger table (chalicelib.keys.account_keys), so it reads that table;
the others read the accounts table; each a
slice at a time (a Scan with a filter, at most `SLICES_PER_REQUEST` slices
of `SCAN_SLICE` items per request) and hand back a cursor, so a search never
holds a request longer than a few slices however large the table;
docs/operations.md gives the cost.
"""
import base64
import binascii
import json

from pynamodb.exceptions import DoesNotExist

from chalicelib.keys import key_format
from chalicelib.keys.account_keys import RECORD_PREFIX
from chalicelib.platform import db, settings
from chalicelib.platform.errors import BadRequest, excerpt
from chalicelib.platform.models import Account, MemberOf

MAX_QUERY_CHARS = 200
SCAN_SLICE = 500
SLICES_PER_REQUEST = 4  # at most 2,000 account items read per request
DEFAULT_LIMIT = 20
MAX_LIMIT = 50
KEY_PREFIX_CHARS = key_format.DISPLAY_CHARS


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
                return with_their_orgs([row(exact)]), None
        rows, next_cursor = self._scan(query, limit, decode_cursor(cursor) if cursor else None)
        return with_their_orgs(rows), next_cursor

    @staticmethod
    def _exact(query):
        """The account an id or a whole key names (a key need not be current:
        support looks up revoked ones too)."""
        parsed = key_format.parse(query)
        user_id = parsed[0] if parsed else query
        if len(user_id) > 128:
            return None
        try:
            return Account.get(user_id, consistent_read=True)
        except DoesNotExist:
            return None

    @staticmethod
    def _scan(query, limit, start):
        table, names, values, condition = filter_for(query)
        arguments = dict(TableName=table, Limit=SCAN_SLICE, FilterExpression=condition,
                         ExpressionAttributeNames=names, ExpressionAttributeValues=values)
        by_account = table == settings.accounts_table()
        rows = []
        for _ in range(SLICES_PER_REQUEST):
            if start:
                arguments["ExclusiveStartKey"] = start
            response = db.connection().client.scan(**arguments)
            rows.extend(rows_of(table, response.get("Items", []), rows))
            start = response.get("LastEvaluatedKey")
            if by_account and len(rows) > limit:
                # Go on after the last row shown: a Scan resumes after any key.
                return rows[:limit], encode_cursor({"user_id": {"S": rows[limit - 1]["id"]}})
            if not start or len(rows) >= limit:
                break
        return rows, encode_cursor(start) if start else None


def filter_for(query):
    """(table, names, values, filter) of the Scan for a query that is not an exact id."""
    accounts = settings.accounts_table()
    if query.startswith("cus_"):
        return accounts, {"#c": "stripe_customer_id"}, {":q": {"S": query}}, "#c = :q"
    if query.startswith(key_format.PREFIX + "_"):
        return (settings.ledger_table(), {"#k": "key", "#p": "prefix"},
                {":record": {"S": RECORD_PREFIX}, ":q": {"S": query[:KEY_PREFIX_CHARS]}},
                "begins_with(#k, :record) AND begins_with(#p, :q)")
    values = {":q": {"S": query}, ":lower": {"S": query.lower()}, ":title": {"S": query[:1].upper() + query[1:]}}
    return (accounts, {"#e": "email", "#n": "on"}, values,
            "begins_with(#e, :q) OR begins_with(#e, :lower) OR begins_with(#n, :q) OR begins_with(#n, :title)")


def rows_of(table, items, found):
    """Account rows from Scan items: account items, or key records (whose
    accounts are read, each once)."""
    if table == settings.accounts_table():
        return [row(Account.from_raw_data(item)) for item in items]
    seen = {existing["id"] for existing in found}
    rows = []
    for item in items:
        user_id = item["user_id"]["S"]
        if user_id in seen:
            continue
        seen.add(user_id)
        try:
            rows.append(row(Account.get(user_id, consistent_read=True)))
        except DoesNotExist:
            continue
    return rows


def row(account):
    return {"id": account.user_id, "email": account.email, "plan": account.plan,
            "credits": int(account.credits), "created_at": account.created_at,
            "stripe_customer_id": account.stripe_customer_id, "suspended": account.suspended is not None,
            "org_name": account.org_name}


def with_their_orgs(rows):
    """Each person's row names the team organisations they are a member of
    (`member_of`), so that a member's email finds the team. On the person's
    row, not as rows of their own: a team two people on different pages
    share must not be listed twice across pages."""
    for found in rows:
        if found["org_name"] is None:
            found["member_of"] = [{"id": item.key[len("org:"):], "name": item.name, "role": item.role}
                                  for item in MemberOf.query(found["id"], MemberOf.key.startswith("org:"))]
    return rows


def encode_cursor(start):
    raw = json.dumps({name: value["S"] for name, value in start.items()}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor):
    """A Scan's start key: `user_id`, and `key` on the ledger table."""
    try:
        if len(cursor) > 800:
            raise ValueError
        position = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(position, dict) or set(position) not in ({"user_id"}, {"user_id", "key"}):
            raise ValueError
        if not all(isinstance(value, str) and 0 < len(value) <= 256 for value in position.values()):
            raise ValueError
    except (ValueError, TypeError, binascii.Error, RecursionError, AttributeError):
        raise BadRequest("cursor is not one this API returned.", code="invalid_cursor")
    return {name: {"S": value} for name, value in position.items()}
