"""No API key, token, email address, Stripe secret or card number in any
line the app writes, over the main flows: sign-up (the Cognito trigger and the
first request), metered calls (200, 401, 402, a retried call), checkout and
the webhooks it leads to, the Free refill started and restarted, and errors.
Both what is written (after the app's redaction) and what the code logged
before redaction are searched, so the redaction filter cannot hide a leak."""
import json
import logging
import os

import pytest
from botocore.exceptions import ClientError

from conftest import call
from log_capture import capture
from scripts import statemachine
from scripts.devstack import emulator
from webhook_support import WEBHOOK_SECRET, Flow, deliver

CARD = "4242424242424242"


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Every delivery here is signed with WEBHOOK_SECRET."""


@pytest.fixture
def refills_on(aws_stack, monkeypatch):
    """Refill executions on a state machine of this test's own (a week's
    period: they only wait); stopped afterwards."""
    from chalicelib.platform import reset_services

    sfn = emulator.boto_client("stepfunctions")
    arn = statemachine.create_state_machine(sfn, name="log-safety-refill")
    monkeypatch.setenv("REFILL_STATE_MACHINE_ARN", arn)
    reset_services()
    yield arn
    reset_services()
    for execution in sfn.list_executions(stateMachineArn=arn, statusFilter="RUNNING")["executions"]:
        try:
            sfn.stop_execution(executionArn=execution["executionArn"])
        except ClientError:  # the emulator answers 500 to stopping an execution it is still starting
            pass


def secrets_of(user, *keys):
    values = [user.email, user.token, "Bearer " + user.token, WEBHOOK_SECRET, CARD,
              os.environ["STRIPE_SECRET_KEY"]]
    return values + [key for key in keys if key]


def test_the_main_flows_log_no_secret(client, new_user, stripe_sandbox, refills_on, capsys):
    user = new_user()
    with capture(capsys) as captured:
        # Sign-up: the Cognito trigger, then the first request.
        event = {"request": {"userAttributes": {"sub": user.id, "email": user.email}}}
        client.lambda_.invoke("post_confirmation", event)
        assert call(client, "GET", "/user", user.headers)[0] == 200
        first_key = call(client, "POST", "/generate-key", user.headers)[1]["key"]
        key = call(client, "POST", "/generate-key", user.headers)[1]["key"]

        # Metered calls: paid, retried, refused for the old key, then 402.
        assert call(client, "POST", "/test", {"x-api-key": key})[0] == 200
        retried = {"x-api-key": key, "Idempotency-Key": "log-safety-1"}
        assert call(client, "POST", "/test", retried)[0] == call(client, "POST", "/test", retried)[0] == 200
        assert call(client, "POST", "/test", {"x-api-key": first_key})[0] == 401
        while call(client, "POST", "/test/heavy", {"x-api-key": key})[0] == 200:
            pass
        assert call(client, "POST", "/test/heavy", {"x-api-key": key})[0] == 402

        # Checkout, a pack and a subscription, and the events Stripe sends.
        flow = Flow(client, stripe_sandbox, user)
        flow.checkout("Basic", subscribe=False)
        flow.checkout("Basic", subscribe=True)
        for stripe_event in flow.events():
            assert deliver(client, stripe_event)[0] == 200
        assert deliver(client, flow.events()[-1], secret="whsec_wrong_secret_0123")[0] == 400

        # Back to Free (the refill restarts), then bad input.
        assert call(client, "POST", "/stop-subscriptions", user.headers)[0] == 200
        assert call(client, "POST", "/checkout", user.headers, body="{not json")[0] == 400
        assert call(client, "GET", "/user", {"Authorization": "Bearer " + user.token + "x"})[0] == 401

    assert captured.leaks(secrets_of(user, first_key, key)) == []
    lines = captured.log_lines("request")
    assert len(lines) >= 20
    assert {line["account_id"] for line in lines if "account_id" in line} == {user.id}
    assert any(line.get("stripe_event_type") == "invoice.paid" for line in lines)
    assert captured.log_lines("event")[0]["account_id"] == user.id


def test_a_secret_in_an_unexpected_error_is_redacted_in_the_written_line(client, user, api_key, capsys,
                                                                        monkeypatch):
    from chalicelib import credits

    def fail():
        raise RuntimeError("failed for %s with %s and card %s" % (user.email, api_key, CARD))
    monkeypatch.setattr(credits.plan_catalog(), "all", fail)
    with capture(capsys) as captured:
        assert call(client, "GET", "/plans")[0] == 500
    written = "\n".join(captured.written)
    assert "failed for [redacted] with [redacted] and card [redacted]" in written
    assert [leak for leak in captured.leaks(secrets_of(user, api_key)) if leak[1] == "written"] == []
    error = [line for line in captured.log_lines() if line["level"] == "ERROR"]
    assert error and error[0]["correlation_id"] == captured.log_lines("request")[0]["correlation_id"]


def test_the_check_finds_a_secret_logged_by_any_library(user, capsys):
    """The search itself: a value logged anywhere is found (raw and written)."""
    with capture(capsys) as captured:
        logging.getLogger("some.library").warning("customer %s", user.email)
        print(json.dumps({"message": user.token}))
    assert {where.split(":")[0] for _, where in captured.leaks([user.email, user.token])} == {"logged", "written"}


def test_an_email_recorded_sent_and_retried_logs_no_address_or_token(client, new_user, stripe_sandbox, operator,
                                                                      outbox_stream, capsys, monkeypatch):
    """The email path: causes recorded by a webhook and an operator, sent from
    the stream, one send refused by SES with a message naming the address
    (as SES's messages do) and retried."""
    from botocore.exceptions import ClientError

    from chalicelib import notices
    from email_support import inbox_of

    user = new_user()
    ses = notices._ses_client()
    real, calls = ses.send_email, []

    def flaky(**arguments):
        calls.append(arguments)
        if len(calls) == 1:
            raise ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "throttled sending to %s"
                                         % arguments["Destination"]["ToAddresses"][0]}}, "SendEmail")
        return real(**arguments)
    monkeypatch.setattr(ses, "send_email", flaky)
    with capture(capsys) as captured:
        flow = Flow(client, stripe_sandbox, user)
        flow.checkout("Basic", subscribe=True)
        seen = len(flow.events())
        failed = flow.fail_payment()
        for stripe_event in flow.events():
            assert deliver(client, stripe_event)[0] == 200
        assert seen < len(flow.events())
        assert call(client, "POST", "/admin/accounts/%s/suspend" % user.id, operator.headers,
                    {"reason": "Unusual traffic"})[0] == 200
        outbox_stream.drain()
    assert len(inbox_of(user)) == 2 and len(calls) == 3
    link = failed["latest_invoice"]["hosted_invoice_url"]
    assert captured.leaks(secrets_of(user) + [operator.email, operator.token, link]) == []
    events = [line for line in captured.log_lines("event") if line.get("event") == "send_emails"]
    assert [line["outcome"] for line in events] == ["failed", "ok"]


def test_automatic_top_up_logs_no_address_card_or_payment_link(client, new_user, stripe_sandbox, outbox_stream,
                                                                capsys):
    """The top-up path: a card saved, a crossing, a payment the bank wants
    confirmed (its link is emailed, never logged), paid; then a decline."""
    from test_top_ups import ON, TopUpFlow

    user = new_user()
    with capture(capsys) as captured:
        key = call(client, "POST", "/generate-key", user.headers)[1]["key"]
        flow = TopUpFlow(client, stripe_sandbox, user, outbox_stream)
        flow.key = key
        flow.save_card()
        assert call(client, "PUT", "/auto-top-up", user.headers, ON)[0] == 200
        stripe_sandbox.set_card_behavior(flow.customer_id, "require_authentication")
        flow.spend(6)
        flow.settle()
        link = call(client, "GET", "/auto-top-up", user.headers)[1]["action_url"]
        assert link
        stripe_sandbox.authenticate_payment_intent(flow.intents()[0])
        flow.settle()
        stripe_sandbox.set_card_behavior(flow.customer_id, "decline")
        flow.adjust_to(50)
        flow.spend(6)  # 44: crosses again
        flow.settle()
    assert len(flow.intents()) == 2 and len(flow.top_up_entries()) == 1
    assert captured.leaks(secrets_of(user, key) + [link]) == []


def test_a_team_invited_joined_and_changed_logs_no_address_or_invitation_token(client, new_user, capsys):
    """Organisations: invitations carry an address and a one-time token;
    neither may reach a log line, nor the members' addresses."""
    import re
    import urllib.parse

    from email_support import inbox_of
    from scripts.devstack import inbox

    inbox.keep_message_parts()
    owner, invitee = new_user(), new_user()
    with capture(capsys) as captured:
        status, body = call(client, "POST", "/orgs", owner.headers, {"name": "Acme"})
        org_id = body["org"]["id"]
        assert call(client, "POST", "/orgs/%s/invitations" % org_id, owner.headers,
                    {"email": invitee.email, "role": "developer"})[0] == 201
        text = [m for m in inbox_of(invitee) if "invited you" in m["subject"]][0]["text"]
        link = re.search(r"\S+/invite\?token=\S+", text).group(0)
        token = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"][0]
        assert call(client, "POST", "/invitations/accept", invitee.headers, {"token": token + "x"})[0] == 404
        assert call(client, "POST", "/invitations/accept", invitee.headers, {"token": token})[0] == 200
        assert call(client, "GET", "/orgs/%s/members" % org_id, owner.headers)[0] == 200
        assert call(client, "PATCH", "/orgs/%s/members/%s" % (org_id, invitee.id), owner.headers,
                    {"role": "billing"})[0] == 200
        assert call(client, "DELETE", "/orgs/%s/members/%s" % (org_id, invitee.id), owner.headers)[0] == 200
    assert status == 201
    assert captured.leaks(secrets_of(owner) + secrets_of(invitee) + [token, link]) == []
