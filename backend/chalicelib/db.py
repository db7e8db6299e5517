"""Low-level DynamoDB helpers shared by the modules that write credits."""
from pynamodb.connection import Connection
from pynamodb.exceptions import PynamoDBException

from chalicelib import settings

CONDITION_FAILED = "ConditionalCheckFailedException"


def connection():
    return Connection(region=settings.region(), host=settings.aws_endpoint_url())


def is_condition_failure(error):
    return isinstance(error, PynamoDBException) and error.cause_response_code == CONDITION_FAILED


def cancellation_codes(error):
    """Per-item reasons of a cancelled transaction, e.g. [None, 'ConditionalCheckFailed']."""
    reasons = getattr(error, "cancellation_reasons", None) or []
    return [reason.code if reason else None for reason in reasons]
