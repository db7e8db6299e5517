"""tests/in_process.py: the emulators reached without HTTP see and change the
same state as over HTTP, and nothing else is rerouted; on a moto it was not
written for it stops."""
import re
import uuid

import emulator_faults
import moto
import pytest
from chalicelib.billing import stripe_client
from chalicelib.platform import db
from in_process import IN_PROCESS_DISPATCH, MotoInProcess, SandboxTransport
from scripts.devstack import emulator
from scripts.devstack.emulator_guard import EmulatorPatchOutdated


def hosts_seen(operation):
    seen = []

    def note(name, handler):
        if name == operation:
            seen.append(handler.headers.get("Host"))
    return seen, note


def test_dynamodb_calls_skip_http_and_share_the_server_s_state(moto_in_process, aws_stack):
    dynamodb = emulator.boto_client("dynamodb")
    table = "in-process-%s" % uuid.uuid4().hex[:8]
    dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    seen, note = hosts_seen("GetItem")
    with emulator_faults.intercept_dynamodb(note):
        dynamodb.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        assert dynamodb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "1"}
        with moto_in_process.over_http():
            assert dynamodb.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "1"}
        app_connection = db.connection()  # the app's own, through PynamoDB
        app_connection.describe_table(table)
        assert app_connection.get_item(table, "a", consistent_read=True)["Item"]["n"] == {"N": "1"}
    port = aws_stack["url"].rsplit(":", 1)[1]
    assert seen == ["dynamodb.us-east-1.amazonaws.com", "127.0.0.1:" + port, "dynamodb.us-east-1.amazonaws.com"]


def test_every_client_of_the_app_is_answered_in_process(moto_url):
    """Each model's connection, the metered call's table connection and the
    transactions' connection: made before or after the hook was installed."""
    from chalicelib.platform.models import ALL_MODELS, SHARED_TABLE_MODELS, Account

    seen, note = hosts_seen("Scan")
    with emulator_faults.intercept_dynamodb(note):
        for model in ALL_MODELS + SHARED_TABLE_MODELS:
            list(model.scan(limit=1))
        db.table_connection(Account).scan(limit=1)
        db.connection().scan(Account.Meta.table_name, limit=1)
    assert seen == ["dynamodb.us-east-1.amazonaws.com"] * (len(ALL_MODELS + SHARED_TABLE_MODELS) + 2)


def test_another_moto_stops_the_in_process_dispatch_before_it_is_installed(monkeypatch):
    monkeypatch.setattr(moto, "__version__", "5.3.0")
    expected = ("emulator patch in-process-dispatch was written for moto 5.2.x; moto is 5.3.0 — check whether %s "
                "is fixed, then update or drop the patch" % IN_PROCESS_DISPATCH.bug)
    with pytest.raises(EmulatorPatchOutdated, match="^" + re.escape(expected)):
        MotoInProcess("http://127.0.0.1:9", "us-east-1").install()


def test_the_stripe_transport_reaches_the_same_sandbox_as_http(stripe_sandbox):
    in_process = stripe_client.build(http_client=SandboxTransport(stripe_sandbox))
    over_http = stripe_client.build()
    customer = in_process.v1.customers.create(params={"email": "transport@example.com"})
    assert over_http.v1.customers.retrieve(customer.id).email == "transport@example.com"
    same = in_process.v1.customers.create(params={"email": "other@example.com"},
                                          options={"idempotency_key": "transport-" + customer.id})
    again = in_process.v1.customers.create(params={"email": "other@example.com"},
                                           options={"idempotency_key": "transport-" + customer.id})
    assert same.id == again.id != customer.id
