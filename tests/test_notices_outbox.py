"""Recording a cause (chalicelib/notices/outbox.py): one outbox item per
cause, a repeat records nothing, a failure never reaches the caller, and
the items stay out of the ledger customers see."""
import concurrent.futures
import datetime

from chalicelib import notices
from chalicelib.platform import clock
from chalicelib.platform.models import EmailNotice
from conftest import call
from log_capture import capture

VALUES = {"plan": "Basic", "amount": "£5.00", "action_url": "https://pay.example.com/in_1"}


def test_a_cause_is_recorded_once_whatever_the_repeats(client, user):
    call(client, "GET", "/user", user.headers)
    assert notices.record(user.id, "renewal_failed", "in_once", **VALUES) is True
    assert notices.record(user.id, "renewal_failed", "in_once", **VALUES) is False
    # The other kind of the same cause (the same invoice) is the same email.
    assert notices.record(user.id, "renewal_action_required", "in_once", **VALUES) is False
    item = EmailNotice.get(user.id, "email:renewal:in_once", consistent_read=True)
    assert (item.template, item.state, int(item.attempts)) == ("renewal_failed", "pending", 0)
    assert item.values.as_dict() == VALUES
    kept = item.expires_at - clock.now()
    assert datetime.timedelta(days=89) < kept <= datetime.timedelta(days=90)


def test_concurrent_records_of_one_cause_make_one_item(client, user):
    call(client, "GET", "/user", user.headers)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: notices.record(user.id, "credits_owed", "re_burst", owed=5, balance=-5,
                                                         taken_by="A refund"), range(8)))
    assert sorted(results, key=str) == [False] * 7 + [True]


def test_outbox_items_are_not_ledger_entries(client, user):
    call(client, "GET", "/user", user.headers)
    notices.record(user.id, "account_unsuspended", "audit#1")
    status, body = call(client, "GET", "/ledger", user.headers)
    assert status == 200 and [entry["kind"] for entry in body["entries"]] == ["signup"]


def test_a_failure_to_record_is_logged_and_counted_and_never_raised(user, capsys, monkeypatch):
    def unavailable(self, *args, **kwargs):
        raise RuntimeError("DynamoDB is unavailable for %s" % user.email)
    monkeypatch.setattr(EmailNotice, "save", unavailable)
    from chalicelib.platform import metrics
    with capture(capsys) as captured:
        metrics.begin()
        assert notices.record(user.id, "account_unsuspended", "audit#2") is None
        metrics.flush()
    warnings = [line for line in captured.log_lines() if line["level"] == "WARNING"]
    assert len(warnings) == 1 and "RuntimeError" in warnings[0]["message"]
    assert captured.leaks([user.email]) == []
    assert captured.metrics() == {("EmailRecordFailures", ()): 1}


def test_values_a_template_lacks_are_refused_without_raising(user):
    assert notices.record(user.id, "renewal_failed", "in_short", plan="Basic") is None
