"""GET /ledger: entries people can read and support can look up in Stripe,
a page at a time (chalicelib/credits/ledger.py)."""
import base64
import json
import time

import pytest

from chalicelib.credits.balances import Credits
from chalicelib.platform.models import LedgerEntry
from conftest import call
from webhook_support import Flow, deliver


def ledger(client, user, query=""):
    status, body = call(client, "GET", "/ledger" + query, user.headers)
    assert status == 200, body
    return body


def test_entries_name_their_stripe_object(client, user, webhook_secret, stripe_sandbox):
    flow = Flow(client, stripe_sandbox, user)
    pack = flow.checkout("Basic", subscribe=False)
    flow.checkout("Power", subscribe=True)
    for event in flow.events():
        assert deliver(client, event)[0] == 200
    invoice = next(e["data"]["object"] for e in flow.events() if e["type"] == "invoice.paid"
                   and (e["data"]["object"].get("parent") or {}).get("subscription_details"))  # not the pack's
    seen = len(flow.events())
    flow.cancel()
    for event in flow.events(after=seen):
        assert deliver(client, event)[0] == 200
    period_start = invoice["lines"]["data"][0]["period"]["start"]
    day = time.strftime("%Y-%m-%d", time.gmtime(period_start))
    entries = [(e["kind"], e["description"], e["reference"]) for e in ledger(client, user)["entries"]]
    assert entries == [
        ("free", "Back to Free from Power", flow.subscriptions[0]),
        ("plan", "Power, period from %s" % day, invoice["id"]),
        ("purchase", "Basic pack", pack["id"]),
        ("signup", "Sign-up bonus", "signup:" + user.id),
    ]
    assert pack["id"].startswith("cs_") and invoice["id"].startswith("in_")
    assert flow.subscriptions[0].startswith("sub_")


def test_entries_written_before_descriptions_still_read_well(client, user):
    call(client, "GET", "/user", user.headers)
    old = [("refill:refill-x-1:3", "refill", 50, "Free plan"),
           ("checkout:cs_old", "purchase", 1000, "Basic pack"),
           ("invoice:in_old", "plan", 1000, "Basic, period from 2026-01-01")]
    for n, (key, kind, credits, reference) in enumerate(old):
        LedgerEntry(user.id, key, at="2030-01-01T00:00:0%d.000000Z" % n, kind=kind, credits=credits,
                    reference=reference).save()
    entries = [(e["kind"], e["description"], e["reference"]) for e in ledger(client, user)["entries"][:3]]
    assert entries == [("plan", "Basic, period from 2026-01-01", "in_old"),
                       ("purchase", "Basic pack", "cs_old"),
                       ("refill", "Free refill", "refill:refill-x-1:3")]


def test_pages_with_limit_and_cursor_newest_first(client, user):
    call(client, "GET", "/user", user.headers)
    for n in range(6):
        Credits().add_purchased(user.id, n + 1, "checkout:cs_page_%d" % n, "purchase", "Pack %d" % n)
    seen, cursor = [], None
    while True:
        body = ledger(client, user, "?limit=3" + ("&cursor=" + cursor if cursor else ""))
        assert len(body["entries"]) <= 3
        seen += [e["credits"] for e in body["entries"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [6, 5, 4, 3, 2, 1, 50]
    assert [e["credits"] for e in ledger(client, user, "?limit=100")["entries"]] == seen
    assert len(ledger(client, user)["entries"]) == 7


def test_a_page_that_ends_the_ledger_has_no_cursor(client, user):
    call(client, "GET", "/user", user.headers)
    assert ledger(client, user, "?limit=1")["next_cursor"] is None


def forged(position):
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode().rstrip("=")


@pytest.mark.parametrize("query, code", [
    ("?limit=0", "invalid_limit"), ("?limit=101", "invalid_limit"), ("?limit=%2B5", "invalid_limit"),
    ("?limit=abc", "invalid_limit"), ("?cursor=not-a-cursor", "invalid_cursor"),
    ("?cursor=" + forged([1, 2]), "invalid_cursor"), ("?cursor=" + forged({"at": 1, "key": "k"}), "invalid_cursor"),
    ("?cursor=" + "A" * 3000, "invalid_cursor"), ("?cursor=%C3%A9", "invalid_cursor"),
])
def test_bad_limits_and_cursors_are_a_400(client, user, query, code):
    status, body = call(client, "GET", "/ledger" + query, user.headers)
    assert (status, body["error"]["code"]) == (400, code)


def test_a_cursor_never_reaches_another_accounts_entries(client, new_user):
    alice, bob = new_user(), new_user()
    call(client, "GET", "/user", alice.headers)
    call(client, "GET", "/user", bob.headers)
    Credits().add_purchased(alice.id, 7, "checkout:cs_alice", "purchase", "Alice's pack")
    cursor = forged({"at": "9999-12-31T00:00:00.000000Z", "key": "checkout:cs_alice"})
    body = ledger(client, bob, "?cursor=" + cursor)
    assert [e["description"] for e in body["entries"]] == ["Sign-up bonus"]
