"""Low-level DynamoDB helpers shared by the modules that write credits."""
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from chalicelib import settings

import random
import time

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CONFLICT = "TransactionConflictException"


_connections = {}


def connection():
    """One connection (and botocore client) per endpoint: building a client
    costs far more than a request."""
    key = (settings.region(), settings.aws_endpoint_url())
    if key not in _connections:
        _connections[key] = Connection(region=key[0], host=key[1])
    return _connections[key]


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
