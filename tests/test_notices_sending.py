"""Sending (chalicelib/notices/sender.py) the way it runs: outbox items read
from the emulator's DynamoDB stream by the local stack's poller
(scripts/devstack/stream_poller.py), filtered as the Lambda event source
mapping filters, handed to app.py's `send_emails`, sent with the emulator's
SES v2 and read back from its inbox (scripts/devstack/inbox.py)."""
import concurrent.futures
import time

import pytest
from botocore.exceptions import ClientError

from chalicelib import notices
from chalicelib.notices import preferences
from chalicelib.notices.outbox import STREAM_FILTER
from chalicelib.platform import settings
from chalicelib.platform.models import EmailNotice, MeteredCall
from conftest import call
from email_support import inbox_of
from log_capture import capture
from scripts.devstack import inbox, stream_poller

RENEWAL = {"plan": "Basic", "amount": "£5.00", "action_url": "https://pay.example.com/in_1"}


@pytest.fixture
def account(client, user):
    assert call(client, "GET", "/user", user.headers)[0] == 200
    return user


@pytest.fixture
def ses(app):
    return notices._ses_client()


def failing(ses, monkeypatch, code, times=1):
    """SES answers `code` to the next `times` sends (its message names the
    address, as SES's messages do), then sends as usual."""
    real, calls = ses.send_email, []

    def send_email(**arguments):
        calls.append(arguments["Destination"]["ToAddresses"][0])
        if len(calls) <= times:
            raise ClientError({"Error": {"Code": code, "Message": "refused for %s" % calls[-1]}}, "SendEmail")
        return real(**arguments)
    monkeypatch.setattr(ses, "send_email", send_email)
    return calls


def test_a_recorded_email_reaches_the_inbox_once_from_the_stages_sender(outbox_stream, account):
    notices.record(account.id, "renewal_failed", "in_sent", **RENEWAL)
    assert outbox_stream.drain() == 1
    [message] = inbox_of(account)
    assert message["from"] == settings.email_sender()
    assert message["subject"] == "Credits: Your Basic renewal payment failed"
    assert "Pay the invoice: https://pay.example.com/in_1" in message["text"]
    assert 'href="https://pay.example.com/in_1"' in message["html"]
    item = EmailNotice.get(account.id, "email:renewal:in_sent", consistent_read=True)
    assert (item.state, item.message_id, int(item.attempts)) == ("sent", message["id"], 1)
    assert item.sent_at and item.lease_until is None
    assert outbox_stream.drain() == 0 and len(inbox_of(account)) == 1


def test_a_redelivered_record_sends_nothing_twice(app, account):
    import app as app_module
    events = []
    reader = stream_poller.StreamPoller(stream_poller.clients(), settings.ledger_table(),
                                        lambda event, context: events.append(event), pattern=STREAM_FILTER)
    notices.record(account.id, "account_unsuspended", "audit#redelivered")
    reader.drain()
    [event] = events
    for _ in range(5):
        app_module.send_emails(event, None)
    with concurrent.futures.ThreadPoolExecutor(5) as pool:
        list(pool.map(lambda _: app_module.send_emails(event, None), range(5)))
    assert len(inbox_of(account)) == 1


def test_a_failed_send_is_retried_and_sends_once(outbox_stream, account, ses, monkeypatch, capsys):
    calls = failing(ses, monkeypatch, "TooManyRequestsException")
    with capture(capsys) as captured:
        notices.record(account.id, "renewal_failed", "in_retried", **RENEWAL)
        assert outbox_stream.drain() == 1
    assert len(calls) == 2 and len(inbox_of(account)) == 1
    item = EmailNotice.get(account.id, "email:renewal:in_retried", consistent_read=True)
    assert (item.state, int(item.attempts)) == ("sent", 2)
    events = captured.log_lines("event")
    assert [line["outcome"] for line in events] == ["failed", "ok"]
    assert events[1]["emails"] == {"sent": 1}
    metrics = captured.metrics()
    assert metrics[("EmailSendFailures", (("reason", "TooManyRequestsException"),))] == 1
    assert metrics[("EmailsSent", (("kind", "renewal_failed"),))] == 1
    assert captured.leaks([account.email]) == []


def test_ses_refusing_the_message_marks_it_failed_and_is_not_retried(outbox_stream, account, ses, monkeypatch):
    calls = failing(ses, monkeypatch, "MessageRejected")
    notices.record(account.id, "account_unsuspended", "audit#rejected")
    outbox_stream.drain()
    assert len(calls) == 1 and inbox_of(account) == []
    item = EmailNotice.get(account.id, "email:account_unsuspended:audit#rejected", consistent_read=True)
    assert (item.state, item.outcome) == ("failed", "rejected")


def test_only_new_outbox_items_reach_the_handler(app, client, account, api_key):
    seen = []
    reader = stream_poller.StreamPoller(stream_poller.clients(), settings.ledger_table(),
                                        lambda event, context: seen.extend(event["Records"]), pattern=STREAM_FILTER)
    # Other writes to the ledger table: a metered call's idempotency record, a grant.
    assert client.http.post("/test", headers={"x-api-key": api_key, "Idempotency-Key": "not-mail"}).status_code == 200
    notices.record(account.id, "account_unsuspended", "audit#filtered")
    EmailNotice(account.id, "email:account_unsuspended:audit#filtered").update(
        actions=[EmailNotice.state.set("pending")])  # a change, not an insert
    reader.drain()
    assert [(r["eventName"], r["dynamodb"]["Keys"]["key"]["S"]) for r in seen] == [
        ("INSERT", "email:account_unsuspended:audit#filtered")]
    assert MeteredCall.get(account.id, "call:not-mail", consistent_read=True)
    assert isinstance(seen[0]["dynamodb"]["ApproximateCreationDateTime"], float)
    assert seen[0]["eventSourceARN"] == reader.stream_arn


def test_the_filter_rules_match_as_lambdas_do():
    insert = {"eventName": "INSERT", "dynamodb": {"Keys": {"key": {"S": "email:renewal:in_1"}}}}
    assert stream_poller.matches(STREAM_FILTER, insert)
    assert not stream_poller.matches(STREAM_FILTER, dict(insert, eventName="MODIFY"))
    assert not stream_poller.matches(STREAM_FILTER, {"eventName": "INSERT",
                                                     "dynamodb": {"Keys": {"key": {"S": "call:x"}}}})
    assert not stream_poller.matches(STREAM_FILTER, {"eventName": "INSERT", "dynamodb": {}})


def test_optional_emails_respect_the_opt_out_and_payment_emails_ignore_it(outbox_stream, account):
    preferences.save(account.id, {"low_balance": False, "product_updates": True})
    notices.record(account.id, "low_balance", "crossing-1", credits=90, threshold=100)
    notices.record(account.id, "renewal_failed", "in_opted_out", **RENEWAL)
    outbox_stream.drain()
    assert [message["subject"] for message in inbox_of(account)] == ["Credits: Your Basic renewal payment failed"]
    skipped = EmailNotice.get(account.id, "email:low_balance:crossing-1", consistent_read=True)
    assert (skipped.state, skipped.outcome) == ("skipped", "opted_out")

    preferences.save(account.id, {"low_balance": True, "product_updates": True})
    notices.record(account.id, "low_balance", "crossing-2", credits=80, threshold=100)
    outbox_stream.drain()
    alert = inbox_of(account)[0]
    assert alert["subject"] == "Credits: Your credits are running low: 80 left"
    assert alert["headers"] == {"List-Unsubscribe": "<%s>" % settings.notification_settings_url()}
    assert settings.notification_settings_url() in alert["text"]


def test_an_account_without_an_address_is_skipped(outbox_stream, app):
    notices.record("no-such-account", "account_unsuspended", "audit#nobody")
    outbox_stream.drain()
    item = EmailNotice.get("no-such-account", "email:account_unsuspended:audit#nobody", consistent_read=True)
    assert (item.state, item.outcome) == ("skipped", "no_address")


def test_a_claim_left_by_a_crash_is_taken_over_once_its_lease_ends(outbox_stream, account):
    from chalicelib.notices import sender

    notices.record(account.id, "account_unsuspended", "audit#crashed")
    item = EmailNotice.get(account.id, "email:account_unsuspended:audit#crashed", consistent_read=True)
    item.update(actions=[EmailNotice.state.set("sending"), EmailNotice.lease_until.set(int(time.time()) + 60),
                         EmailNotice.attempts.set(1)])
    with pytest.raises(sender.Busy):
        notices.mailer().deliver(account.id, item.key)
    item.update(actions=[EmailNotice.lease_until.set(int(time.time()) - 1)])
    assert notices.mailer().deliver(account.id, item.key) == "sent"
    assert notices.mailer().deliver(account.id, item.key) == "done"
    assert len(inbox_of(account)) == 1


def test_the_inbox_lists_newest_first(outbox_stream, account):
    notices.record(account.id, "account_suspended", "audit#first", reason="Unusual traffic")
    outbox_stream.drain()
    notices.record(account.id, "account_unsuspended", "audit#second")
    outbox_stream.drain()
    subjects = [message["subject"] for message in inbox_of(account)]
    assert subjects == ["Credits: Your Credits account is active again", "Credits: Your Credits account is suspended"]
    times = [message["sent_at"] for message in inbox_of(account)]
    assert times == sorted(times, reverse=True)
    everything = inbox.messages()
    assert [m["sent_at"] for m in everything] == sorted((m["sent_at"] for m in everything), reverse=True)
