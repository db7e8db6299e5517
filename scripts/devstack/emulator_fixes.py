"""Fixes for the AWS emulator (moto) that the local stack and the tests run.

Both run the moto server in-process (`ThreadedMotoServer`), so a patch applied
here changes how that server executes state machines. `emulator.start_moto()`
applies every fix before it starts the server; `apply()` is idempotent.

Step Functions `arn:aws:states:::states:startExecution` (moto 5.x)
------------------------------------------------------------------
A Task state names the API parameters the way Step Functions does
(`StateMachineArn`, `Name`, `Input`), while the boto3 `start_execution` call
takes the service model's member names (`stateMachineArn`, `name`, `input`).
Moto's executor is derived from LocalStack's, which normalises the parameters
against the botocore service model before the call and the response after it;
moto ships that hook as a no-op. The executor's client has parameter
validation off, so botocore's serializer looks the Step Functions-cased key up
in the input shape and raises `KeyError: 'StateMachineArn'`, and every such
task fails with `States.Runtime`. The fix restores the normalisation for the
Step Functions integration only: parameters to the API's casing, the response
back to the casing Step Functions returns (`ExecutionArn`, `StartDate`,
the date as epoch milliseconds so that the result stays JSON).
Optimized DynamoDB and SNS tasks need no fix: their APIs already use these
names.

DynamoDB requests are atomic (moto 5.x)
---------------------------------------
DynamoDB applies each request -- a conditional UpdateItem, a transaction --
atomically. Moto's backend evaluates the condition and writes the item in
plain Python with no lock, and the threaded server runs requests concurrently,
so two requests can interleave between the read and the write and one update
is lost (seen: a transaction racing conditional updates lost 4 of 120
decrements). The fix serializes DynamoDB requests in the server, which is what
the real service guarantees per item.

DynamoDB transactions roll back only what they touched (moto 5.x)
------------------------------------------------------------------
Before each TransactWriteItems, moto deep-copies every table the
transaction names, to put the copies back if it is cancelled. The copy
grows with the table, so a long-running stack (or test session) pays more
for each transaction the more data it holds: with a few thousand items a
transaction took tens of milliseconds, most of it copying. The fix copies
only the items the transaction names (at most 100) and puts those back when
it is cancelled; moto's own whole-table copy is skipped. Requests are
serialized (above), so nothing else can change those tables meanwhile.

DynamoDB answers items as plain JSON (moto 5.x, speed; tests only)
-----------------------------------------------------------------
Moto turns each answer into JSON by walking it against the botocore model,
member by member; for an item read or write that is a large share of the
time the request takes. An item answer is already DynamoDB's wire format
(`{"S": …}`, `{"N": "…"}`), so `answer_items_as_json()` writes it with
`json.dumps`: the same bytes for the client. Answers holding binary values
(which must be base64-encoded) and every other operation keep moto's
serializer. The test session applies it (thousands of calls per worker);
`apply()` does not, so `make dev` and `make bench` run moto as it ships.

Cognito SignUp says where the code went (moto 5.x)
--------------------------------------------------
Moto picks SignUp's CodeDeliveryDetails from the pool's account-recovery
setting, which defaults to the phone first, so a pool that signs in by email
answers `{"Destination": "+*******9934", "DeliveryMedium": "SMS"}` and
Amplify's confirm page says "we texted to +*******9934". Cognito sends the
code to the attribute it verifies; for a pool that signs in by email (or
auto-verifies only the email) the fix answers with the masked email,
`{"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName":
"email"}`.
"""
import contextlib
import copy
import datetime
import functools
import json
import threading

_FIXED_FLAG = "_start_execution_casing_fixed"
_ATOMIC_FLAG = "_requests_are_atomic"
_SIGN_UP_FLAG = "_sign_up_delivers_by_email"
_ROLLBACK_FLAG = "_transactions_roll_back_their_items"
_JSON_FLAG = "_items_answered_as_json"
ITEM_OPERATIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                             "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
EMAIL_FIRST = {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}
_DYNAMODB_LOCK = threading.RLock()


def apply():
    """Apply every fix; safe to call more than once."""
    fix_start_execution_casing()
    make_dynamodb_requests_atomic()
    roll_back_transactions_item_by_item()
    deliver_sign_up_codes_by_email()


def _wrap_once(owner, name, flag, wrap):
    """Replaces `owner.name` with `wrap(original)`, unless `flag` says it was."""
    if getattr(owner, flag, False):
        return
    original = getattr(owner, name)
    setattr(owner, name, functools.wraps(original)(wrap(original)))
    setattr(owner, flag, True)


def deliver_sign_up_codes_by_email():
    from moto.cognitoidp.models import CognitoIdpBackend

    def wrap(original):
        def sign_up(self, client_id, username, password, attributes):
            user, details = original(self, client_id, username, password, attributes)
            pool = next(pool for pool in self.user_pools.values() if client_id in pool.clients)
            if details is not None and signs_in_by_email(pool.extended_config) \
                    and "email" in user.attribute_lookup:
                details = self._get_code_delivery_details(recovery_settings=EMAIL_FIRST, user=user,
                                                          username=user.username)
            return user, details
        return sign_up

    _wrap_once(CognitoIdpBackend, "sign_up", _SIGN_UP_FLAG, wrap)


def signs_in_by_email(pool_config):
    """The pool's users sign in with their email, or only the email is verified."""
    if "email" in pool_config.get("UsernameAttributes", []):
        return True
    return pool_config.get("AutoVerifiedAttributes", []) == ["email"]


def make_dynamodb_requests_atomic():
    from moto.dynamodb.responses import DynamoHandler

    def wrap(original):
        def call_action(self):
            with _DYNAMODB_LOCK:
                return original(self)
        return call_action

    _wrap_once(DynamoHandler, "call_action", _ATOMIC_FLAG, wrap)


def roll_back_transactions_item_by_item():
    from moto.dynamodb.models import DynamoDBBackend

    def wrap(original):
        def transact_write_items(self, transact_items):
            with _DYNAMODB_LOCK:
                saved = _items_named(self, transact_items)
                if saved is None:  # moto refuses such a transaction before writing
                    return original(self, transact_items)
                with _tables_not_copied():
                    try:
                        return original(self, transact_items)
                    except Exception:
                        for table, hash_value, range_value, item in reversed(saved):
                            _put_back(table, hash_value, range_value, item)
                        raise
        return transact_write_items

    _wrap_once(DynamoDBBackend, "transact_write_items", _ROLLBACK_FLAG, wrap)


def _items_named(backend, transact_items):
    """(table, hash, range, copy of the item or None) for each operation, or
    None if an operation names no table or key moto would accept."""
    saved = []
    try:
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = backend.tables[op["TableName"]]
            if op_type == "Put":
                key = {name: op["Item"][name] for name in (table.hash_key_attr, table.range_key_attr) if name}
            else:
                key = op["Key"]
            hash_value, range_value = backend.get_keys_value(table, key)
            item = table.get_item(hash_value, range_value)
            saved.append((table, hash_value, range_value, copy.deepcopy(item)))
    except Exception:  # noqa: BLE001 - moto answers these with its own error
        return None
    return saved


def _put_back(table, hash_value, range_value, item):
    if item is None:
        table.delete_item(hash_value, range_value)
    elif range_value is not None:
        table.items[hash_value][range_value] = item
    else:
        table.items[hash_value] = item


@contextlib.contextmanager
def _tables_not_copied():
    """moto's `copy.deepcopy(table)` returns the table itself meanwhile."""
    from moto.dynamodb.models.table import Table

    had_own = "__deepcopy__" in Table.__dict__
    previous = Table.__dict__.get("__deepcopy__")
    Table.__deepcopy__ = lambda table, memo: table
    try:
        yield
    finally:
        if had_own:
            Table.__deepcopy__ = previous
        else:
            del Table.__deepcopy__


def answer_items_as_json():
    from moto.dynamodb.responses import DynamoResult

    def wrap(original):
        def execute_result(self, context):
            if context.operation_model.name in ITEM_OPERATIONS and isinstance(self.result, dict):
                try:
                    body = json.dumps(self.result)
                except TypeError:  # a binary value: moto's serializer base64-encodes it
                    return original(self, context)
                return 200, {"Content-Type": JSON_CONTENT_TYPE}, body
            return original(self, context)
        return execute_result

    _wrap_once(DynamoResult, "execute_result", _JSON_FLAG, wrap)


def fix_start_execution_casing():
    try:
        from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
            state_task_service_sfn,
        )
    except ImportError:  # moto without the Step Functions executor
        return False
    service_class = state_task_service_sfn.StateTaskServiceSfn
    if getattr(service_class, _FIXED_FLAG, False):
        return True

    original_parameters = service_class._normalise_parameters
    original_response = service_class._normalise_response

    def _normalise_parameters(self, parameters, boto_service_name=None, service_action_name=None):
        original_parameters(self, parameters, boto_service_name=boto_service_name,
                            service_action_name=service_action_name)
        operation = _operation_model(self._get_boto_service_name(boto_service_name),
                                     self._get_boto_service_action(service_action_name))
        if operation is not None and operation.input_shape is not None:
            self._to_boto_request(parameters, operation.input_shape)

    def _normalise_response(self, response, boto_service_name=None, service_action_name=None):
        original_response(self, response, boto_service_name=boto_service_name,
                          service_action_name=service_action_name)
        operation = _operation_model(self._get_boto_service_name(boto_service_name),
                                     self._get_boto_service_action(service_action_name))
        if operation is not None and operation.output_shape is not None:
            self._from_boto_response(response, operation.output_shape)
        _dates_to_epoch_millis(response)

    service_class._normalise_parameters = _normalise_parameters
    service_class._normalise_response = _normalise_response
    setattr(service_class, _FIXED_FLAG, True)
    return True


def _dates_to_epoch_millis(response):
    """Task results must be JSON: `StartDate` comes back from boto3 as a
    datetime, which the emulator cannot serialize into the execution output."""
    if not isinstance(response, dict):
        return
    for key, value in list(response.items()):
        if isinstance(value, datetime.datetime):
            response[key] = int(value.timestamp() * 1000)


@functools.lru_cache(maxsize=None)
def _operation_model(service_name, action_name):
    """The botocore operation whose snake_case name is `action_name`."""
    import botocore.session
    from botocore import xform_name

    service = botocore.session.get_session().get_service_model(service_name)
    for operation_name in service.operation_names:
        if xform_name(operation_name) == action_name:
            return service.operation_model(operation_name)
    return None
