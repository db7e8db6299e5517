"""Make the DynamoDB emulator answer with errors real DynamoDB can give, to
test how the app copes. The emulator runs in the test process, so its request
handler can be wrapped."""
import contextlib
import json

ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"


def error_response(error_type, message, status=400, **extra):
    body = dict({"__type": ERROR_PREFIX + error_type, "message": message}, **extra)
    return status, {"Content-Type": "application/x-amz-json-1.0"}, json.dumps(body)


def operation_of(handler):
    return (handler.headers.get("X-Amz-Target") or "").split(".")[-1]


@contextlib.contextmanager
def intercept_dynamodb(intercept):
    """`intercept(operation, handler)` runs before the emulator handles each
    DynamoDB request; a response it returns is sent instead."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action

    def call_action(self):
        injected = intercept(operation_of(self), self)
        return injected if injected is not None else original(self)

    DynamoHandler.call_action = call_action
    try:
        yield
    finally:
        DynamoHandler.call_action = original


@contextlib.contextmanager
def failing(operation, response, times=1):
    """The next `times` requests of `operation` get `response`; yields the
    list of operations that were failed."""
    failed = []

    def intercept(name, handler):
        if name == operation and len(failed) < times:
            failed.append(name)
            return response
        return None

    with intercept_dynamodb(intercept):
        yield failed


def transaction_conflict_on_update():
    return error_response("TransactionConflictException", "Transaction is ongoing for the item")


def transaction_cancelled_by_conflict():
    return error_response(
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons [None, TransactionConflict]",
        CancellationReasons=[{"Code": "None"},
                             {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}])


@contextlib.contextmanager
def failing_after_applying(operation, response, times=1):
    """The next `times` requests of `operation` are applied, then answered
    with `response` (a lost answer: the caller cannot tell it was applied)."""
    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action
    failed = []

    def intercept(name, handler):
        if name == operation and len(failed) < times:
            failed.append(name)
            original(handler)
            return response
        return None

    with intercept_dynamodb(intercept):
        yield failed


def internal_server_error():
    return error_response("InternalServerError", "Internal server error", status=500)
