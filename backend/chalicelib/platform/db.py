"""Low-level DynamoDB helpers shared by the modules that write credits."""
from pynamodb.connection import Connection, TableConnection
from pynamodb.connection.base import MetaTable
from pynamodb.exceptions import PynamoDBException

from chalicelib.platform import settings

import random
import time

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CONFLICT = "TransactionConflictException"


_connections = {}
_table_connections = {}


def connection():
    """One connection (and botocore client) per endpoint: building a client
    costs far more than a request."""
    key = (settings.region(), settings.aws_endpoint_url())
    if key not in _connections:
        _connections[key] = Connection(region=key[0], host=key[1])
    return _connections[key]


def table_connection(model):
    """pynamodb's public low-level connection to a model's table, for the
    writes that need more than the Model API gives: an UpdateItem that
    answers with only the changed attributes (UPDATED_NEW) or the old item
    (ALL_OLD). Built from the model's own key schema, so it never asks
    DynamoDB to describe the table; one per table and endpoint."""
    meta = model.Meta
    key = (meta.table_name, meta.region, meta.host)
    if key not in _table_connections:
        schema = [(name, attribute) for name, attribute in model.get_attributes().items()
                  if attribute.is_hash_key or attribute.is_range_key]
        _table_connections[key] = TableConnection(
            meta.table_name, region=meta.region, host=meta.host,
            connect_timeout_seconds=getattr(meta, "connect_timeout_seconds", None),
            read_timeout_seconds=getattr(meta, "read_timeout_seconds", None),
            max_retry_attempts=getattr(meta, "max_retry_attempts", None),
            meta_table=MetaTable({
                "TableName": meta.table_name,
                "KeySchema": [{"AttributeName": attribute.attr_name,
                               "KeyType": "HASH" if attribute.is_hash_key else "RANGE"}
                              for _, attribute in schema],
                "AttributeDefinitions": [{"AttributeName": attribute.attr_name, "AttributeType": attribute.attr_type}
                                         for _, attribute in schema],
            }))
    return _table_connections[key]


def is_condition_failure(error):
    return isinstance(error, PynamoDBException) and error.cause_response_code == CONDITION_FAILED


def cancellation_codes(error):
    """Per-item reasons of a cancelled transaction, e.g. [None, 'ConditionalCheckFailed']."""
    reasons = getattr(error, "cancellation_reasons", None) or []
    return [reason.code if reason else None for reason in reasons]


def is_transaction_conflict(error):
    """DynamoDB refused a write because a transaction holds the item; botocore
    does not retry this, so callers do."""
    return isinstance(error, PynamoDBException) and error.cause_response_code == TRANSACTION_CONFLICT


def back_off(attempt, base=0.01):
    time.sleep(base * (2 ** attempt) * (0.5 + random.random()))


# pynamodb sends a transaction's items grouped by kind, in this order.
_SENT_ORDER = ("condition_check", "delete", "save", "update")


class Transaction:
    """pynamodb's TransactWrite, whose cancellation reasons come back in the
    order DynamoDB received the items — condition checks, deletes, puts,
    updates — not the order the code added them. This one keeps the order of
    the calls: `codes(error)[i]` is the reason of the i-th item added."""

    def __init__(self):
        from pynamodb.transactions import TransactWrite  # pynamodb: with the models that use it

        self._write = TransactWrite(connection=connection())
        self._kinds = []

    def __enter__(self):
        self._write.__enter__()
        return self

    def __exit__(self, *exc_info):
        return self._write.__exit__(*exc_info)

    def _add(self, kind, *args, **kwargs):
        self._kinds.append(kind)
        return getattr(self._write, kind)(*args, **kwargs)

    def condition_check(self, *args, **kwargs):
        return self._add("condition_check", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._add("delete", *args, **kwargs)

    def save(self, *args, **kwargs):
        return self._add("save", *args, **kwargs)

    def update(self, *args, **kwargs):
        return self._add("update", *args, **kwargs)

    def codes(self, error):
        sent = sorted(range(len(self._kinds)), key=lambda index: (_SENT_ORDER.index(self._kinds[index]), index))
        received = cancellation_codes(error)
        codes = [None] * len(self._kinds)
        for position, index in enumerate(sent):
            codes[index] = received[position] if position < len(received) else None
        return codes
