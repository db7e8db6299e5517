"""Low-level DynamoDB helpers shared by the modules that write credits."""
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from chalicelib import settings

CONDITION_FAILED = "ConditionalCheckFailedException"


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
