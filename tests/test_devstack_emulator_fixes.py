"""scripts/devstack/emulator_fixes.py: what the emulator answers once fixed
(the Step Functions and DynamoDB fixes are exercised by tests/test_refill.py
and the concurrency tests of tests/test_credits.py)."""
import uuid

from conftest import PASSWORD
from scripts.devstack import emulator
from scripts.devstack.emulator_fixes import signs_in_by_email


def sign_up(client_id, username, attributes, password=PASSWORD):
    cognito = emulator.boto_client("cognito-idp")
    return cognito.sign_up(ClientId=client_id, Username=username, Password=password,
                           UserAttributes=attributes)


def test_sign_up_in_an_email_pool_says_the_code_went_to_the_masked_email(aws_stack):
    email = "ada-%s@example.com" % uuid.uuid4().hex[:8]
    response = sign_up(aws_stack["client_id"], email, [{"Name": "email", "Value": email}])
    assert response["CodeDeliveryDetails"] == {
        "Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def test_sign_up_in_a_phone_pool_still_texts_the_code(moto_url):
    cognito = emulator.boto_client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="phone-%s" % uuid.uuid4().hex[:8],
                                    UsernameAttributes=["phone_number"],
                                    AutoVerifiedAttributes=["phone_number"])["UserPool"]
    client = cognito.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web")["UserPoolClient"]
    response = sign_up(client["ClientId"], "+447700900123",
                       [{"Name": "phone_number", "Value": "+447700900123"}],
                       password="Correct-Horse-9!")  # the emulator's default policy
    assert response["CodeDeliveryDetails"]["DeliveryMedium"] == "SMS"


def test_a_pool_signs_in_by_email_when_email_is_its_username_or_its_only_verified_attribute():
    assert signs_in_by_email({"UsernameAttributes": ["email"]})
    assert signs_in_by_email({"AutoVerifiedAttributes": ["email"]})
    assert not signs_in_by_email({"UsernameAttributes": ["phone_number"],
                                  "AutoVerifiedAttributes": ["phone_number"]})
    assert not signs_in_by_email({"AutoVerifiedAttributes": ["email", "phone_number"]})
