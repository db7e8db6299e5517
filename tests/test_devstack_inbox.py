"""scripts/devstack/inbox.py: the local inbox serves what the emulator's SES
accepted, newest first, as JSON and as pages a person reads."""
import moto
import pytest
import requests

from chalicelib import notices
from conftest import call
from scripts.devstack import inbox


@pytest.fixture
def served(aws_stack):
    server = inbox.InboxServer("127.0.0.1", 0).start()
    yield server.url
    server.stop()


def test_messages_as_json_newest_first_and_each_one_as_a_page(served, client, user, outbox_stream):
    call(client, "GET", "/user", user.headers)
    notices.record(user.id, "account_suspended", "audit#inbox-1", reason="<b>Unusual</b> traffic")
    notices.record(user.id, "account_unsuspended", "audit#inbox-2")
    outbox_stream.drain()
    answer = requests.get(served + "/messages", timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    messages = answer.json()["messages"]
    assert messages == inbox.messages()
    mine = [m for m in messages if m["to"] == user.email]
    assert [m["subject"] for m in mine] == ["Credits: Your Credits account is active again",
                                            "Credits: Your Credits account is suspended"]
    assert set(mine[0]) >= {"id", "to", "subject", "text", "html", "sent_at"}

    listing = requests.get(served + "/", timeout=10).text
    assert listing.index("active again") < listing.index("is suspended")
    page = requests.get(served + "/messages/" + mine[1]["id"], timeout=10)
    assert page.status_code == 200
    assert "<b>Unusual</b>" not in page.text and "&lt;b&gt;Unusual&lt;/b&gt; traffic" in page.text
    assert '<iframe sandbox title="The HTML part" srcdoc="' in page.text
    assert requests.get(served + "/messages/nope", timeout=10).status_code == 404


def test_the_patch_that_keeps_message_parts_stops_on_another_moto(monkeypatch):
    from scripts.devstack.emulator_guard import EmulatorPatchOutdated

    monkeypatch.setattr(moto, "__version__", "5.3.0")
    with pytest.raises(EmulatorPatchOutdated, match="emulator patch sesv2-message-parts was written for moto "
                                                    "5.2.x; moto is 5.3.0"):
        inbox.keep_message_parts()
