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
import datetime
import functools
import threading

_FIXED_FLAG = "_start_execution_casing_fixed"
_ATOMIC_FLAG = "_requests_are_atomic"
_SIGN_UP_FLAG = "_sign_up_delivers_by_email"
EMAIL_FIRST = {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]}
_DYNAMODB_LOCK = threading.RLock()


def apply():
    """Apply every fix; safe to call more than once."""
    fix_start_execution_casing()
    make_dynamodb_requests_atomic()
    deliver_sign_up_codes_by_email()


def deliver_sign_up_codes_by_email():
    from moto.cognitoidp.models import CognitoIdpBackend

    if getattr(CognitoIdpBackend, _SIGN_UP_FLAG, False):
        return
    original = CognitoIdpBackend.sign_up

    @functools.wraps(original)
    def sign_up(self, client_id, username, password, attributes):
        user, details = original(self, client_id, username, password, attributes)
        pool = next(pool for pool in self.user_pools.values() if client_id in pool.clients)
        if details is not None and signs_in_by_email(pool.extended_config) \
                and "email" in user.attribute_lookup:
            details = self._get_code_delivery_details(recovery_settings=EMAIL_FIRST, user=user,
                                                      username=user.username)
        return user, details

    CognitoIdpBackend.sign_up = sign_up
    setattr(CognitoIdpBackend, _SIGN_UP_FLAG, True)


def signs_in_by_email(pool_config):
    """The pool's users sign in with their email, or only the email is verified."""
    if "email" in pool_config.get("UsernameAttributes", []):
        return True
    return pool_config.get("AutoVerifiedAttributes", []) == ["email"]


def make_dynamodb_requests_atomic():
    from moto.dynamodb.responses import DynamoHandler

    if getattr(DynamoHandler, _ATOMIC_FLAG, False):
        return
    original = DynamoHandler.call_action

    @functools.wraps(original)
    def call_action(self):
        with _DYNAMODB_LOCK:
            return original(self)

    DynamoHandler.call_action = call_action
    setattr(DynamoHandler, _ATOMIC_FLAG, True)


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
