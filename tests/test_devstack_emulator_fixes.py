"""scripts/devstack/emulator_fixes.py: what the emulator answers once fixed
(the Step Functions and DynamoDB fixes are exercised by tests/test_refill.py
and the concurrency tests of tests/test_credits.py), and every fix stopping
on a moto it was not written for (scripts/devstack/emulator_guard.py)."""
import os
import re
import uuid

import moto
import pytest

from conftest import PASSWORD
from scripts.devstack import emulator, emulator_fixes
from scripts.devstack.emulator_fixes import signs_in_by_email
from scripts.devstack.emulator_guard import MOTO_SERIES, EmulatorPatchOutdated, MotoPatch
from scripts.devstack.errors import Failure

EACH_FIX = {
    emulator_fixes.START_EXECUTION_CASING: emulator_fixes.fix_start_execution_casing,
    emulator_fixes.ATOMIC_REQUESTS: emulator_fixes.make_dynamodb_requests_atomic,
    emulator_fixes.ITEM_ROLLBACK: emulator_fixes.roll_back_transactions_item_by_item,
    emulator_fixes.PARTITION_QUERY: emulator_fixes.query_one_partition,
    emulator_fixes.UPDATED_NEW: emulator_fixes.answer_updated_new_as_dynamodb_does,
    emulator_fixes.CONDITION_PARSED_ONCE: emulator_fixes.parse_conditions_once_per_request,
    emulator_fixes.ITEMS_AS_JSON: emulator_fixes.answer_items_as_json,
    emulator_fixes.SIGN_UP_BY_EMAIL: emulator_fixes.deliver_sign_up_codes_by_email,
}


def outdated(patch, version="5.3.0"):
    return ("emulator patch %s was written for moto %s.x; moto is %s — check whether %s is fixed, "
            "then update or drop the patch" % (patch.name, MOTO_SERIES, version, patch.bug))


def test_the_pinned_moto_is_the_one_the_fixes_were_written_for():
    assert moto.__version__.startswith(MOTO_SERIES + ".")
    assert set(EACH_FIX) == set(emulator_fixes.APPLIED_BY_DEFAULT) | {emulator_fixes.ITEMS_AS_JSON}
    emulator_fixes.apply()  # again: nothing to say


def test_another_moto_stops_the_emulator_before_it_starts_naming_every_fix(monkeypatch):
    monkeypatch.setattr(moto, "__version__", "5.3.0")
    monkeypatch.delenv("MOTO_PORT", raising=False)
    with pytest.raises(EmulatorPatchOutdated) as stopped:
        emulator.start_moto()
    assert isinstance(stopped.value, Failure)  # make dev prints it as it is and exits 1
    for patch in emulator_fixes.APPLIED_BY_DEFAULT:
        assert outdated(patch) in str(stopped.value)
    assert 'docs/local-stack.md, "Emulator patches"' in str(stopped.value)
    assert "MOTO_PORT" not in os.environ  # stopped before anything started


@pytest.mark.parametrize("patch", list(EACH_FIX), ids=lambda patch: patch.name)
def test_each_fix_stops_on_another_moto_even_when_already_applied(patch, monkeypatch):
    EACH_FIX[patch]()
    monkeypatch.setattr(moto, "__version__", "5.3.0")
    with pytest.raises(EmulatorPatchOutdated, match="^" + re.escape(outdated(patch))):
        EACH_FIX[patch]()


def test_a_fix_whose_moto_code_is_gone_stops_too(monkeypatch):
    from moto.cognitoidp.models import CognitoIdpBackend

    monkeypatch.delattr(CognitoIdpBackend, "_get_code_delivery_details")
    with pytest.raises(EmulatorPatchOutdated, match="emulator patch cognito-sign-up-code-delivery no longer "
                                                    "fits moto 5.2.5 .*_get_code_delivery_details"):
        emulator_fixes.deliver_sign_up_codes_by_email()


def test_a_patch_matches_its_moto_series_only(monkeypatch):
    patch = MotoPatch("example", "moto's example bug", written_for="5.2")
    for version in ("5.2.0", "5.2.5", "5.2.6.dev3"):
        monkeypatch.setattr(moto, "__version__", version)
        assert patch.problem() is None
    for version in ("5.3.0", "6.0.0", "5.1.9"):
        monkeypatch.setattr(moto, "__version__", version)
        assert patch.problem() == ("emulator patch example was written for moto 5.2.x; moto is %s — check whether "
                                   "moto's example bug is fixed, then update or drop the patch" % version)


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


def scratch_table(dynamodb):
    name = "scratch-%s" % uuid.uuid4().hex[:8]
    dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                     {"AttributeName": "sk", "KeyType": "RANGE"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                {"AttributeName": "sk", "AttributeType": "S"}])
    return name


def items(dynamodb, table):
    return sorted((item["pk"]["S"], item["sk"]["S"], int(item["n"]["N"]))
                  for item in dynamodb.scan(TableName=table, ConsistentRead=True)["Items"])


def test_a_cancelled_transaction_undoes_the_writes_it_had_applied_and_nothing_else(moto_url):
    dynamodb = emulator.boto_client("dynamodb")
    table = scratch_table(dynamodb)
    for pk, sk in (("a", "1"), ("a", "2"), ("b", "1")):
        dynamodb.put_item(TableName=table, Item={"pk": {"S": pk}, "sk": {"S": sk}, "n": {"N": "1"}})
    before = items(dynamodb, table)

    def key(pk, sk):
        return {"pk": {"S": pk}, "sk": {"S": sk}}

    with pytest.raises(dynamodb.exceptions.TransactionCanceledException):
        dynamodb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": key("a", "1"), "UpdateExpression": "SET n = n + :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": table, "Item": dict(key("c", "1"), n={"N": "9"})}},
            {"Delete": {"TableName": table, "Key": key("a", "2")}},
            {"ConditionCheck": {"TableName": table, "Key": key("b", "1"), "ConditionExpression": "n = :two",
                                "ExpressionAttributeValues": {":two": {"N": "2"}}}},
        ])
    assert items(dynamodb, table) == before

    dynamodb.transact_write_items(TransactItems=[
        {"Update": {"TableName": table, "Key": key("a", "1"), "UpdateExpression": "SET n = n + :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Delete": {"TableName": table, "Key": key("a", "2")}},
    ])
    assert items(dynamodb, table) == [("a", "1", 2), ("b", "1", 1)]


def test_a_transaction_moto_refuses_still_changes_nothing(moto_url):
    dynamodb = emulator.boto_client("dynamodb")
    table = scratch_table(dynamodb)
    dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "1"}})
    with pytest.raises(dynamodb.exceptions.ClientError):
        dynamodb.transact_write_items(TransactItems=[
            {"Put": {"TableName": table, "Item": {"pk": {"S": "b"}, "sk": {"S": "1"}, "n": {"N": "5"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "c"}, "n": {"N": "5"}}}},  # no sort key
        ])
    assert items(dynamodb, table) == [("a", "1", 1)]


def test_updated_new_answers_every_attribute_the_update_sets_changed_or_not(moto_url):
    """As DynamoDB answers it (scripts/devstack/updated_attributes.py); moto
    alone leaves out `plan` and `lb`, whose values did not change."""
    dynamodb = emulator.boto_client("dynamodb")
    table = scratch_table(dynamodb)
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    dynamodb.put_item(TableName=table, Item=dict(key, n={"N": "5"}, plan={"S": "Free"}, gone={"S": "x"},
                                                 m={"M": {"a": {"N": "1"}, "b": {"N": "2"}}}))

    def update(expression, **extra):
        return dynamodb.update_item(TableName=table, Key=key, UpdateExpression=expression,
                                    ReturnValues="UPDATED_NEW", **extra).get("Attributes")

    assert update("SET n = n - :one, #p = if_not_exists(#p, :free), lb = if_not_exists(lb, :none), m.b = :one",
                  ExpressionAttributeNames={"#p": "plan"},
                  ExpressionAttributeValues={":one": {"N": "1"}, ":free": {"S": "Basic"}, ":none": {"NULL": True}}) == {
        "n": {"N": "4"}, "plan": {"S": "Free"}, "lb": {"NULL": True}, "m": {"M": {"b": {"N": "1"}}}}
    assert not update("REMOVE gone")  # nothing set: no attributes
    assert dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET n = :two",
                                ExpressionAttributeValues={":two": {"N": "2"}}, ReturnValues="ALL_NEW")[
        "Attributes"]["plan"] == {"S": "Free"}  # other return values: moto's own answer


def test_a_writes_condition_is_parsed_once_and_still_decides(moto_url, monkeypatch):
    from moto.dynamodb.comparisons import ConditionExpressionParser

    dynamodb = emulator.boto_client("dynamodb")
    table = scratch_table(dynamodb)
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}
    dynamodb.put_item(TableName=table, Item=dict(key, n={"N": "1"}))
    lexed = []
    lex = ConditionExpressionParser._lex_condition_expression
    monkeypatch.setattr(ConditionExpressionParser, "_lex_condition_expression",
                        lambda parser: lexed.append(parser.condition_expression) or lex(parser))

    def decrement(at_least, **names):
        dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET n = n - :one",
                             ConditionExpression="#n >= :least", ExpressionAttributeNames=dict({"#n": "n"}, **names),
                             ExpressionAttributeValues={":one": {"N": "1"}, ":least": {"N": str(at_least)}})

    decrement(1)
    assert lexed == ["#n >= :least"]  # moto alone: twice
    with pytest.raises(dynamodb.exceptions.ConditionalCheckFailedException):
        decrement(1)  # n is 0
    with pytest.raises(dynamodb.exceptions.ClientError, match="unused in expressions"):
        decrement(0, **{"#spare": "x"})  # moto still checks the names used
    dynamodb.put_item(TableName=table, Item=dict(key, n={"N": "5"}), ConditionExpression="#n >= :least",
                      ExpressionAttributeNames={"#n": "n"}, ExpressionAttributeValues={":least": {"N": "0"}})
    assert items(dynamodb, table) == [("a", "1", 5)]
    assert len(lexed) == 4


def test_a_query_answers_its_partition_in_order_on_the_table_and_each_index(moto_url):
    """Queries read one partition (query_one_partition): the same answers,
    in order, paged and reversed, on the table, a local and a global index."""
    dynamodb = emulator.boto_client("dynamodb")
    name = "scratch-%s" % uuid.uuid4().hex[:8]
    strings = ("pk", "sk", "at", "kind")
    dynamodb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": attribute, "AttributeType": "S"} for attribute in strings],
        LocalSecondaryIndexes=[{"IndexName": "by_time", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}]}],
        GlobalSecondaryIndexes=[{"IndexName": "by_kind", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
            {"AttributeName": "kind", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]}])
    for number in range(30):
        item = {"pk": {"S": "p%d" % (number % 3)}, "sk": {"S": "s%02d" % number}, "kind": {"S": "k%d" % (number % 2)}}
        if number % 4:
            item["at"] = {"S": "t%02d" % (30 - number)}  # not every item is in by_time
        dynamodb.put_item(TableName=name, Item=item)

    def keys(index=None, condition="pk = :v", value="p1", forward=True, limit=None):
        found, start = [], None
        while True:
            arguments = {"TableName": name, "KeyConditionExpression": condition, "ScanIndexForward": forward,
                         "ExpressionAttributeValues": {":v": {"S": value}}}
            arguments.update({"IndexName": index} if index else {})
            arguments.update({"Limit": limit} if limit else {})
            arguments.update({"ExclusiveStartKey": start} if start else {})
            answer = dynamodb.query(**arguments)
            found += [item["sk"]["S"] for item in answer["Items"]]
            start = answer.get("LastEvaluatedKey")
            if not start:
                return found

    partition = ["s%02d" % number for number in range(1, 30, 3)]
    assert keys() == keys(limit=4) == partition
    assert keys(forward=False) == list(reversed(partition))
    by_time = sorted((number for number in range(1, 30, 3) if number % 4), key=lambda number: 30 - number)
    assert keys("by_time") == keys("by_time", limit=3) == ["s%02d" % number for number in by_time]
    assert keys("by_time", value="p9") == keys(value="p9") == []
    assert keys("by_kind", condition="kind = :v", value="k1") == ["s%02d" % number for number in range(1, 30, 2)]


def test_item_answers_in_plain_json_read_back_every_attribute_type(moto_url):
    dynamodb = emulator.boto_client("dynamodb")
    table = scratch_table(dynamodb)
    item = {"pk": {"S": "a"}, "sk": {"S": "1"}, "n": {"N": "-12.5"}, "flag": {"BOOL": False}, "none": {"NULL": True},
            "tags": {"SS": ["x", "y"]}, "counts": {"NS": ["1", "2"]}, "raw": {"B": b"\x00\xff"},
            "nested": {"M": {"list": {"L": [{"N": "1"}, {"S": "two"}, {"M": {}}]}}}}
    dynamodb.put_item(TableName=table, Item=item)
    without_binary = {name: value for name, value in item.items() if name != "raw"}
    dynamodb.put_item(TableName=table, Item=dict(without_binary, sk={"S": "2"}))
    key = {"pk": {"S": "a"}, "sk": {"S": "1"}}

    def normal(found):
        return {name: ({kind: sorted(values)} if kind in ("SS", "NS") else {kind: values})
                for name, value in found.items() for kind, values in value.items()}

    assert normal(dynamodb.get_item(TableName=table, Key=key)["Item"]) == normal(item)  # binary: moto's serializer
    assert normal(dynamodb.get_item(TableName=table, Key=dict(key, sk={"S": "2"}))["Item"]) == normal(
        dict(without_binary, sk={"S": "2"}))
    updated = dynamodb.update_item(TableName=table, Key=dict(key, sk={"S": "2"}), UpdateExpression="SET n = n + :one",
                                   ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
    assert updated["Attributes"] == {"n": {"N": "-11.5"}}
    page = dynamodb.query(TableName=table, KeyConditionExpression="pk = :a", Limit=1,
                          ExpressionAttributeValues={":a": {"S": "a"}})
    assert (page["Count"], page["LastEvaluatedKey"]) == (1, key)


def test_a_step_functions_cased_start_execution_is_answered_in_step_functions_casing(moto_url):
    """What moto's executor sends for a startExecution task, through boto3's
    default session; the app's own calls (API casing) are unchanged."""
    stepfunctions = emulator.boto_client("stepfunctions")
    machine = stepfunctions.create_state_machine(
        name="casing-%s" % uuid.uuid4().hex[:8], roleArn="arn:aws:iam::123456789012:role/casing",
        definition='{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}')["stateMachineArn"]
    started = stepfunctions.start_execution(StateMachineArn=machine, Name="sfn-cased", Input="{}")
    started.pop("ResponseMetadata")
    assert sorted(started) == ["ExecutionArn", "StartDate"]
    assert started["ExecutionArn"].endswith(":sfn-cased") and isinstance(started["StartDate"], int)
    plain = stepfunctions.start_execution(stateMachineArn=machine, name="api-cased", input="{}")
    assert plain["executionArn"].endswith(":api-cased") and plain["startDate"].year >= 2024
