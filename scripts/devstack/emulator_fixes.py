"""Fixes for the AWS emulator (moto) that the local stack and the tests run.

Both run the moto server in-process (`ThreadedMotoServer`), so a fix applied
here changes how that server behaves. `emulator.start_moto()` applies every
fix before it starts the server; `apply()` is idempotent.

Each fix works around a moto bug (or slowness) described, as it would be
reported upstream, in docs/local-stack.md ("Emulator patches"). Each is a
`MotoPatch` (scripts/devstack/emulator_guard.py): written for moto 5.2.x,
it stops with `EmulatorPatchOutdated` on another moto, or when the moto code
it changes is gone, instead of silently not applying.

- Step Functions `startExecution` tasks: moto's executor calls the API with
  the state machine's parameter names. Fixed with botocore event handlers on
  boto3's default session (the executor's clients come from it), not by
  changing moto's code.
- DynamoDB requests are atomic: one lock around moto's DynamoDB request
  handler.
- DynamoDB transactions roll back only the items they name, instead of moto
  copying every table they name first.
- A DynamoDB Query on the table or a local secondary index reads the one
  partition it names, instead of every item of the table, sorted.
- An UpdateItem answering `UPDATED_NEW` answers with every attribute its
  SET, ADD and DELETE actions name, as DynamoDB does, not only those whose
  value changed.
- A write's condition expression is parsed once per request, not twice
  (speed).
- DynamoDB item answers are written as plain JSON (speed; tests only:
  `answer_items_as_json()`, which `apply()` does not call).
- Cognito SignUp says the code went to the email for a pool that signs in
  by email.
"""
import contextlib
import copy
import datetime
import functools
import json
import threading

from scripts.devstack.emulator_guard import MotoPatch, check_all

START_EXECUTION_CASING = MotoPatch(
    "stepfunctions-start-execution-casing",
    "moto's Step Functions executor passing a startExecution task's StateMachineArn, Name and Input to "
    "boto3 unchanged (KeyError: 'StateMachineArn')")
ATOMIC_REQUESTS = MotoPatch(
    "dynamodb-atomic-requests",
    "moto's DynamoDB handling concurrent requests without a lock (conditional updates lost)")
ITEM_ROLLBACK = MotoPatch(
    "dynamodb-transaction-rollback",
    "moto's TransactWriteItems deep-copying every table it names")
ITEMS_AS_JSON = MotoPatch(
    "dynamodb-items-as-json",
    "moto's DynamoDB serializing item answers member by member against the botocore model")
PARTITION_QUERY = MotoPatch(
    "dynamodb-query-one-partition",
    "moto's DynamoDB Query sorting every item of the table to keep one partition's")
UPDATED_NEW = MotoPatch(
    "dynamodb-updated-new",
    "moto's UpdateItem answering UPDATED_NEW with the attributes whose values changed instead of every "
    "attribute the update expression sets")
CONDITION_PARSED_ONCE = MotoPatch(
    "dynamodb-condition-parsed-once",
    "moto's DynamoDB parsing a write's ConditionExpression twice per request")
SIGN_UP_BY_EMAIL = MotoPatch(
    "cognito-sign-up-code-delivery",
    "moto's SignUp answering CodeDeliveryDetails by SMS for a pool that signs in by email")
APPLIED_BY_DEFAULT = (START_EXECUTION_CASING, ATOMIC_REQUESTS, ITEM_ROLLBACK, PARTITION_QUERY, UPDATED_NEW,
                      CONDITION_PARSED_ONCE, SIGN_UP_BY_EMAIL)

_ATOMIC_FLAG = "_requests_are_atomic"
_SIGN_UP_FLAG = "_sign_up_delivers_by_email"
_ROLLBACK_FLAG = "_transactions_roll_back_their_items"
_PARTITION_FLAG = "_queries_read_one_partition"
_UPDATED_NEW_FLAG = "_updated_new_names_what_the_update_sets"
_PARSED_ONCE_FLAG = "_conditions_parsed_once_per_request"
_JSON_FLAG = "_items_answered_as_json"
_CASING_HANDLERS = "emulator-fixes-start-execution-casing"
_STEP_FUNCTIONS_CASED = "emulator_fixes_step_functions_cased"
ITEM_OPERATIONS = frozenset({"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                             "BatchWriteItem", "TransactGetItems", "TransactWriteItems"})
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
EMAIL_FIRST = {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}
_DYNAMODB_LOCK = threading.RLock()


def apply():
    """Apply every fix; safe to call more than once. Stops, naming each
    patch, when moto is not the version they were written for."""
    check_all(APPLIED_BY_DEFAULT)
    fix_start_execution_casing()
    make_dynamodb_requests_atomic()
    roll_back_transactions_item_by_item()
    query_one_partition()
    answer_updated_new_as_dynamodb_does()
    parse_conditions_once_per_request()
    deliver_sign_up_codes_by_email()


def _wrap_once(owner, name, flag, wrap):
    """Replaces `owner.name` with `wrap(original)`, unless `flag` says it was."""
    if getattr(owner, flag, False):
        return
    original = getattr(owner, name)
    setattr(owner, name, functools.wraps(original)(wrap(original)))
    setattr(owner, flag, True)


def _needs(owner, *names):
    """Raises AttributeError (inside `MotoPatch.applying()`: the patch is
    outdated) when moto no longer has what a fix calls."""
    for name in names:
        getattr(owner, name)


# Cognito SignUp ------------------------------------------------------------------

def deliver_sign_up_codes_by_email():
    """SignUp in a pool that signs in by email answers with the masked email,
    `{"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName":
    "email"}`, as Cognito does; moto answers with the phone by SMS."""
    with SIGN_UP_BY_EMAIL.applying():
        from moto.cognitoidp.models import CognitoIdpBackend

        _needs(CognitoIdpBackend, "_get_code_delivery_details")

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


# DynamoDB ------------------------------------------------------------------------

def make_dynamodb_requests_atomic():
    """One lock around moto's DynamoDB request handler: a request's condition
    check and its write are not interleaved with another request's, as
    DynamoDB guarantees per item."""
    with ATOMIC_REQUESTS.applying():
        from moto.dynamodb.responses import DynamoHandler

        def wrap(original):
            def call_action(self):
                with _DYNAMODB_LOCK:
                    return original(self)
            return call_action

        _wrap_once(DynamoHandler, "call_action", _ATOMIC_FLAG, wrap)


def roll_back_transactions_item_by_item():
    """A cancelled TransactWriteItems puts back the items it names (at most
    100), instead of moto deep-copying each named table before every
    transaction. Requests are serialized (above), so nothing else changes
    those items meanwhile."""
    with ITEM_ROLLBACK.applying():
        from moto.dynamodb.models import DynamoDBBackend
        from moto.dynamodb.models.table import Table

        _needs(DynamoDBBackend, "get_keys_value")
        _needs(Table, "get_item", "delete_item")

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


_QUERIED = threading.local()  # .table, .items: the partition the running Query reads


def query_one_partition():
    """A Query on the table, or on a local secondary index (same partition
    key), takes its candidates from the one partition its key condition
    names, instead of moto's `Table.all_items()`: every item of the table,
    sorted, for each Query. The candidates are the same items (moto keeps
    only those of the partition, then sorts them itself); a Query on a
    global secondary index runs unchanged."""
    with PARTITION_QUERY.applying():
        import inspect

        from moto.dynamodb.models.table import Table

        _needs(Table, "query", "all_items")
        parameters = inspect.signature(Table.query)
        for name in ("hash_key", "index_name", "hash_key_conditions"):
            if name not in parameters.parameters:
                raise AttributeError("Table.query has no parameter %s" % name)

        def wrap_query(original):
            def query(self, *args, **kwargs):
                partition = _partition_queried(self, parameters.bind(self, *args, **kwargs).arguments)
                if partition is None:
                    return original(self, *args, **kwargs)
                _QUERIED.table, _QUERIED.items = self, partition
                try:
                    return original(self, *args, **kwargs)
                finally:
                    _QUERIED.table = _QUERIED.items = None
            return query

        def wrap_all_items(original):
            def all_items(self):
                if getattr(_QUERIED, "table", None) is self:
                    return list(_QUERIED.items)
                return original(self)
            return all_items

        _wrap_once(Table, "all_items", _PARTITION_FLAG + "_items", wrap_all_items)
        _wrap_once(Table, "query", _PARTITION_FLAG, wrap_query)


def answer_updated_new_as_dynamodb_does():
    """`ReturnValues: UPDATED_NEW` answers with every path the update
    expression's SET, ADD and DELETE actions name, from the item as written
    (scripts/devstack/updated_attributes.py), in place of moto's
    `_build_updated_new_attributes`, which keeps only the attributes whose
    value changed: a write that sets an attribute to the value it had (the
    metered call's thresholds, chalicelib/credits/thresholds.py) would not
    find it in the answer. moto calls it with the item before and after the
    update, only for UPDATED_NEW with an update expression."""
    with UPDATED_NEW.applying():
        from moto.dynamodb.responses import DynamoHandler

        from scripts.devstack.updated_attributes import updated_new

        _needs(DynamoHandler, "_build_updated_new_attributes")

        def wrap(original):
            def build_updated_new_attributes(self, before, after):
                expression = self.body.get("UpdateExpression")
                if expression is None:  # the legacy AttributeUpdates: moto's answer
                    return original(self, before, after)
                return updated_new(after, expression, self.body.get("ExpressionAttributeNames") or {})
            return build_updated_new_attributes

        _wrap_once(DynamoHandler, "_build_updated_new_attributes", _UPDATED_NEW_FLAG, wrap)


_PARSED = threading.local()  # .entry: the running request's last condition parsed, see below


def parse_conditions_once_per_request():
    """PutItem, UpdateItem and DeleteItem parse their ConditionExpression in
    moto's request handler (to check the names and values it uses) and again
    in its backend (to evaluate it); moto's parser is plain Python, about
    0.8 ms for the metered call's condition. The handler's parse is kept for
    the rest of the request and the backend's returns it: same expression,
    the very same names and values objects, one reuse. Each request starts
    with nothing kept, so nothing outlives the request that parsed it."""
    with CONDITION_PARSED_ONCE.applying():
        from moto.dynamodb.comparisons import ConditionExpressionParser
        from moto.dynamodb.responses import DynamoHandler

        _needs(ConditionExpressionParser, "parse")
        for name in ("condition_expression", "expression_attribute_names", "expression_attribute_values",
                     "expr_attr_names_found", "expr_attr_values_found"):
            if not hasattr(ConditionExpressionParser(None, None, None), name):
                raise AttributeError("ConditionExpressionParser has no %s" % name)

        def wrap_parse(original):
            def parse(self):
                kept, _PARSED.entry = getattr(_PARSED, "entry", None), None
                if kept is not None and kept[0] == self.condition_expression \
                        and kept[1] is self.expression_attribute_names \
                        and kept[2] is self.expression_attribute_values:
                    self.expr_attr_names_found.extend(kept[4])
                    self.expr_attr_values_found.extend(kept[5])
                    return kept[3]
                op = original(self)
                _PARSED.entry = (self.condition_expression, self.expression_attribute_names,
                                 self.expression_attribute_values, op, list(self.expr_attr_names_found),
                                 list(self.expr_attr_values_found))
                return op
            return parse

        def wrap_call_action(original):
            def call_action(self):
                _PARSED.entry = None
                try:
                    return original(self)
                finally:
                    _PARSED.entry = None
            return call_action

        _wrap_once(DynamoHandler, "call_action", _PARSED_ONCE_FLAG + "_requests", wrap_call_action)
        _wrap_once(ConditionExpressionParser, "parse", _PARSED_ONCE_FLAG, wrap_parse)


def _partition_queried(table, arguments):
    """The items of the partition a Query names, or None when it may read
    beyond one partition (a global secondary index, a key moto cannot read)."""
    index_name = arguments.get("index_name")
    if index_name is not None and index_name not in {index.name for index in table.indexes or []}:
        return None  # a global secondary index (or an unknown one: moto answers the error)
    hash_value = arguments.get("hash_key")
    for name, value in arguments.get("hash_key_conditions") or []:
        if name == table.hash_key_attr:
            hash_value = value
    if hash_value is None:
        return None
    partition = table.items.get(hash_value)
    if partition is None:
        return []
    return list(partition.values()) if table.range_key_attr else [partition]


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
    """Item answers (already DynamoDB's wire format) written with `json.dumps`
    instead of moto's model-walking serializer: the same bytes, faster.
    Answers holding binary values (base64 on the wire) and every other
    operation keep moto's serializer. The tests apply it; `apply()` does not,
    so `make dev` and `make bench` run moto's own serializer."""
    with ITEMS_AS_JSON.applying():
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


# Step Functions ------------------------------------------------------------------

def fix_start_execution_casing():
    """A `arn:aws:states:::states:startExecution` task passes `StateMachineArn`,
    `Name`, `Input`; moto's executor hands them unchanged to a boto3 client
    (parameter validation off), whose serializer expects `stateMachineArn`...
    and fails with KeyError. Two botocore handlers on boto3's default session,
    which the executor's clients come from: a call in Step Functions casing
    is renamed to the API's casing, and its answer comes back in Step
    Functions casing (`ExecutionArn`, `StartDate` in epoch milliseconds, so
    the task result stays JSON). Calls in the API's casing (the app's) are
    left alone."""
    with START_EXECUTION_CASING.applying():
        import boto3

        if boto3.DEFAULT_SESSION is None:
            boto3.setup_default_session()
        events = boto3.DEFAULT_SESSION.events
        events.register("provide-client-params.sfn.StartExecution", to_api_casing,
                        unique_id=_CASING_HANDLERS + "-params")
        events.register("after-call.sfn.StartExecution", to_step_functions_casing,
                        unique_id=_CASING_HANDLERS + "-answer")


def _step_functions_cased(member):
    return member[:1].upper() + member[1:]


def to_api_casing(params, model, context, **_):
    """`provide-client-params`: Step Functions-cased parameters renamed to
    the operation's members (top level: StartExecution's are strings)."""
    if model.input_shape is None:
        return None
    renamed = dict(params)
    for member in model.input_shape.members:
        cased = _step_functions_cased(member)
        if cased != member and cased in renamed and member not in renamed:
            renamed[member] = renamed.pop(cased)
    if renamed == params:
        return None
    context[_STEP_FUNCTIONS_CASED] = True
    return renamed


def to_step_functions_casing(parsed, model, context, **_):
    """`after-call`: the answer to a Step Functions-cased call, in Step
    Functions casing, dates as epoch milliseconds."""
    if not context.get(_STEP_FUNCTIONS_CASED) or model.output_shape is None:
        return
    for member in model.output_shape.members:
        if member in parsed:
            value = parsed.pop(member)
            if isinstance(value, datetime.datetime):
                value = int(value.timestamp() * 1000)
            parsed[_step_functions_cased(member)] = value
