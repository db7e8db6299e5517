"""Exactly once under pressure: a recorded sequence of over 1,000 deliveries
over 50 accounts (every event once, plus 30 % duplicates; shuffled, from
concurrent senders; in-process, and a smaller one over HTTP), a DynamoDB failure at each write of the handler, and
Stripe's own live delivery."""
import collections
import concurrent.futures
import contextlib
import json
import random
import threading
import time

import pytest

import emulator_faults
import in_process
from webhook_support import WEBHOOK_SECRET, Flow, deliver

ACCOUNTS = 50
MIN_DELIVERIES = 1000
HTTP_ACCOUNTS = 10
DUPLICATE_SHARE = 0.30
SENDERS = 8
WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")


@pytest.fixture(scope="module", autouse=True)
def signed_webhooks(webhook_secret):
    """Every test here delivers events signed with WEBHOOK_SECRET."""


# Scenarios: what each account does, and what its account must end up as ----

def pack_buyer(flow):
    """Four packs; then half of a Power pack refunded, a Basic pack refunded
    but the refund failing, another disputed and lost."""
    sessions = [flow.checkout("Basic" if index % 2 == 0 else "Power", subscribe=False) for index in range(4)]
    flow.refund(flow.charge_of(sessions[1]), amount=2500)
    failing = flow.refund(flow.charge_of(sessions[0]))
    flow.sandbox.fail_refund(failing.id)
    dispute = flow.sandbox.dispute_charge(flow.charge_of(sessions[2]))
    flow.sandbox.lose_dispute(dispute["id"])
    return "Free", 50, 2 * 1000 + 2 * 100000 - 50000 - 1000, None


def subscriber(flow):
    flow.checkout("Basic", subscribe=False)
    flow.checkout("Power", subscribe=False)
    flow.checkout("Basic", subscribe=True)
    for _ in range(2):
        flow.renew()
    return "Basic", 1000, 101000, "active"


def upgrader(flow):
    flow.checkout("Basic", subscribe=True)
    flow.renew()
    flow.checkout("Power", subscribe=True)
    flow.renew()
    return "Power", 100000, 0, "active"


def canceller(flow):
    flow.checkout("Power", subscribe=False)
    flow.checkout("Basic", subscribe=True)
    for _ in range(2):
        flow.renew()
    flow.cancel()
    return "Free", 50, 100000, None


def late_payer(flow):
    flow.checkout("Basic", subscribe=True)
    flow.renew()
    flow.renew()
    flow.fail_payment()
    flow.renew()
    flow.fail_payment()
    return "Basic", 1000, 0, "past_due"


SCENARIOS = (pack_buyer, subscriber, upgrader, canceller, late_payer)


def expected_ledger(flow):
    """One entry per purchase and per paid subscription invoice, plus the sign-up grant.
    The events are delivered after the whole scenario happened, so a Stripe
    state that is already final is what every delivery reads."""
    entries = {("signup:" + flow.user.id, "signup", 50)}
    credits = {"Basic": 1000, "Power": 100000}
    for event in flow.events():
        obj = event["data"]["object"]
        if event["type"] == "checkout.session.completed" and obj["mode"] == "payment":
            entries.add(("checkout:" + obj["id"], "purchase", credits[obj["metadata"]["plan"]]))
        if event["type"] == "refund.created" and flow.sandbox.get(obj["id"])["status"] == "succeeded":
            charge = flow.sandbox.get(obj["charge"])
            pack = credits[charge["metadata"]["plan"]]
            entries.add(("refund:" + obj["id"], "refund", -(pack * obj["amount"] // charge["amount"])))
        if event["type"] == "charge.dispute.created" and flow.sandbox.get(obj["id"])["status"] == "lost":
            charge = flow.sandbox.get(obj["charge"])
            entries.add(("dispute:" + obj["id"], "dispute", -credits[charge["metadata"]["plan"]]))
        if event["type"] == "invoice.paid" and (obj.get("parent") or {}).get("subscription_details"):
            # (a pack's invoice grants nothing: its Checkout Session did)
            price = flow.sandbox.get(obj["lines"]["data"][0]["pricing"]["price_details"]["price"])
            plan = price["lookup_key"].split("_")[0].title()
            entries.add(("invoice:" + obj["id"], "plan", credits[plan]))
    return sorted(entries)


def recorded_sequence(flows, rng):
    """Every event once, then duplicates until they are 30% of all
    deliveries, all shuffled."""
    events = [event for flow in flows for event in flow.events()]
    deliveries = round(len(events) / (1 - DUPLICATE_SHARE))
    duplicates = [rng.choice(events) for _ in range(deliveries - len(events))]
    sequence = events + duplicates
    rng.shuffle(sequence)
    return sequence, len(events), len(duplicates)


def replay(client, new_user, sandbox, accounts):
    """`accounts` accounts through the scenarios, then their events delivered
    (every event once, 30% more duplicates, shuffled) from SENDERS concurrent
    senders; every account must end as its scenario says. Returns how many
    deliveries were made."""
    rng = random.Random(20261128)
    flows, expected = [], {}
    for index in range(accounts):
        flow = Flow(client, sandbox, new_user())
        plan, plan_credits, purchased, status = SCENARIOS[index % len(SCENARIOS)](flow)
        flows.append(flow)
        expected[flow.user.id] = (plan, plan_credits, purchased, status)
    sequence, originals, duplicates = recorded_sequence(flows, rng)
    deliveries = len(sequence)
    assert duplicates / deliveries == pytest.approx(DUPLICATE_SHARE, abs=0.02)

    def send(event):
        status, body = deliver(client, event)
        return status

    with concurrent.futures.ThreadPoolExecutor(SENDERS) as pool:
        statuses = list(pool.map(send, sequence))
    assert statuses.count(200) == deliveries

    mismatches = []
    for flow in flows:
        state = flow.state()
        plan, plan_credits, purchased, status = expected[flow.user.id]
        actual = (state["plan"], state["plan_credits"], state["purchased_credits"],
                  state["subscription"] and state["subscription"][2])
        if actual != (plan, plan_credits, purchased, status) or state["ledger"] != expected_ledger(flow):
            mismatches.append((flow.user.email, actual, expected[flow.user.id]))
    grants = sum(len(expected_ledger(flow)) - 1 for flow in flows)
    print("replay: %d deliveries (%d events, %d duplicates), %d senders, %d ledger entries, %d mismatches"
          % (deliveries, originals, duplicates, SENDERS, grants, len(mismatches)))
    print("replay deliveries per event type: %s" % ", ".join(
        "%s %d" % item for item in sorted(collections.Counter(e["type"] for e in sequence).items())))
    assert mismatches == []
    return deliveries


def test_a_thousand_shuffled_duplicated_concurrent_deliveries_converge(client, new_user, stripe_sandbox):
    """The app, the emulators and the Stripe sandbox in one process, without
    HTTP between them (tests/in_process.py): the same handler, the same
    emulator state, a fraction of the time per delivery."""
    with in_process.stripe_in_process(stripe_sandbox):
        assert replay(client, new_user, stripe_sandbox, ACCOUNTS) >= MIN_DELIVERIES


def test_shuffled_duplicated_concurrent_deliveries_converge_over_http(client, new_user, stripe_sandbox,
                                                                       moto_in_process):
    """The same proof, smaller, with the app reaching both emulators over HTTP."""
    with moto_in_process.over_http():
        replay(client, new_user, stripe_sandbox, HTTP_ACCOUNTS)


# Failure injection -----------------------------------------------------------

class DynamoFaults:
    """Makes the emulator fail DynamoDB writes from the n-th one on, as if the
    handler's process died there; counts writes while off. Only the writes
    about the flow's account count (`scope`: its account id): the emulator
    is shared with other tests' Free refills, which keep writing from Step
    Functions in the background, and the operators' day counters
    (chalicelib/credits/stats.py) are bookkeeping whose failure a handler ignores
    by design."""

    def __init__(self):
        self.writes = 0
        self.fail_from = None
        self.scope = ()
        self.lock = threading.Lock()

    def concerns_the_flow(self, handler):
        body = handler.body.decode() if isinstance(handler.body, bytes) else (handler.body or "")
        return not self.scope or any(marker in body for marker in self.scope)

    def intercept(self, operation, handler):
        if operation not in WRITES or not self.concerns_the_flow(handler):
            return None
        with self.lock:
            self.writes += 1
            failing = self.fail_from is not None and self.writes >= self.fail_from
        if failing:
            return emulator_faults.error_response("InternalServerError", "injected failure", status=500)
        return None


@contextlib.contextmanager
def dynamodb_faults():
    faults = DynamoFaults()
    with emulator_faults.intercept_dynamodb(faults.intercept):
        yield faults


def buy_and_subscribe(flow):
    flow.pack = flow.checkout("Power", subscribe=False)
    flow.checkout("Basic", subscribe=True)
    flow.renew()


PHASES = (buy_and_subscribe, lambda flow: flow.cancel())


def refund_then_dispute(flow):
    """Half the Power pack refunded, then the payment disputed (the rest goes)."""
    flow.refund(flow.charge_of(flow.pack), amount=2500)
    flow.sandbox.dispute_charge(flow.charge_of(flow.pack))


def normalized(state, flow):
    """The state with this flow's own ids replaced, to compare across accounts."""
    text = json.dumps(state)
    for index, subscription in enumerate(flow.subscriptions):
        text = text.replace(subscription, "sub#%d" % index)
    text = text.replace(flow.user.id, "user")
    for index, event in enumerate(flow.events()):
        obj_id = event["data"]["object"]["id"]
        text = text.replace(obj_id, "%s#%d" % (event["type"].split(".")[0], index))
    normal = json.loads(text)
    normal["ledger"] = sorted(normal["ledger"])
    return normal


def run_phases(client, flow, faults=None, fail_from=None, phases=PHASES):
    """Each phase happens in Stripe, then its events are delivered; a delivery
    that fails is retried by Stripe, in order, before the user acts again.
    With `fail_from`, DynamoDB writes fail from that write on, once."""
    statuses = []
    if faults is not None:
        faults.writes, faults.fail_from = 0, fail_from
        faults.scope = (flow.user.id,)
    for phase in phases:
        seen = len(flow.events())
        phase(flow)
        events = flow.events(after=seen)
        statuses += [deliver(client, event)[0] for event in events]
        if faults is not None and faults.fail_from is not None and faults.writes >= faults.fail_from:
            faults.fail_from = None  # the failure is over; Stripe retries
            assert [deliver(client, event)[0] for event in events] == [200] * len(events)
    return statuses


def test_a_failure_at_each_write_then_redelivery_converges(client, new_user, stripe_sandbox):
    with dynamodb_faults() as faults:
        reference = Flow(client, stripe_sandbox, new_user())
        assert set(run_phases(client, reference, faults)) == {200}
        total_writes = faults.writes
        expected = normalized(reference.state(), reference)
        assert expected["plan"] == "Free" and expected["purchased_credits"] == 100000
        assert [kind for _, kind, _ in expected["ledger"]].count("free") == 1
        assert total_writes >= 5
        print("fault injection: %d DynamoDB writes in the flow, a crash at each" % total_writes)

        for fail_from in range(1, total_writes + 1):
            flow = Flow(client, stripe_sandbox, new_user())
            statuses = run_phases(client, flow, faults, fail_from)
            assert any(status >= 500 for status in statuses), fail_from
            assert all(status == 200 or status >= 500 for status in statuses)
            assert normalized(flow.state(), flow) == expected, "crash at write %d" % fail_from


def test_a_failure_at_each_write_of_a_refund_and_a_dispute_converges(client, new_user, stripe_sandbox):
    def bought(flow):
        flow.pack = flow.checkout("Power", subscribe=False)
        for event in flow.events():
            assert deliver(client, event)[0] == 200
        return flow

    with dynamodb_faults() as faults:
        reference = bought(Flow(client, stripe_sandbox, new_user()))
        assert set(run_phases(client, reference, faults, phases=(refund_then_dispute,))) == {200}
        total_writes = faults.writes
        expected = normalized(reference.state(), reference)
        assert expected["purchased_credits"] == 0
        assert sorted(credits for _, kind, credits in expected["ledger"] if kind in ("refund", "dispute")) == [
            -50000, -50000]
        print("fault injection: %d DynamoDB writes to refund and dispute a pack, a crash at each" % total_writes)
        for fail_from in range(1, total_writes + 1):
            flow = bought(Flow(client, stripe_sandbox, new_user()))
            statuses = run_phases(client, flow, faults, fail_from, phases=(refund_then_dispute,))
            assert any(status >= 500 for status in statuses), fail_from
            assert normalized(flow.state(), flow) == expected, "crash at write %d" % fail_from


def test_transient_failure_is_a_503_with_a_json_body(client, new_user, stripe_sandbox):
    flow = Flow(client, stripe_sandbox, new_user())
    flow.checkout("Basic", subscribe=False)
    completed = [e for e in flow.events() if e["type"] == "checkout.session.completed"][0]
    with dynamodb_faults() as faults:
        faults.fail_from = 1
        status, body = deliver(client, completed)
    assert status == 503
    assert body["error"]["code"] == "temporarily_unavailable"
    assert flow.state()["purchased_credits"] == 0
    assert deliver(client, completed)[0] == 200
    assert flow.state()["purchased_credits"] == 1000


# Live delivery: the sandbox signs and posts to `chalice local` ---------------

def test_sandbox_delivers_signed_events_to_the_running_api(api_url, client, new_user, stripe_sandbox):
    stripe_sandbox.set_webhook(api_url + "/stripe/webhook", WEBHOOK_SECRET)
    try:
        flow = Flow(client, stripe_sandbox, new_user())
        flow.checkout("Basic", subscribe=True)
        flow.checkout("Basic", subscribe=False)
        assert stripe_sandbox.wait_for_deliveries(timeout=30)
        deadline = time.time() + 10
        while time.time() < deadline and flow.state()["purchased_credits"] != 1000:
            time.sleep(0.1)
        state = flow.state()
        assert (state["plan"], state["plan_credits"], state["purchased_credits"]) == ("Basic", 1000, 1000)
        attempts = stripe_sandbox.deliveries()
        mine = [a for a in attempts if a.get("event") in {e["id"] for e in flow.events()}] or attempts
        assert all(a.get("status") == 200 for a in mine[-5:]), mine[-5:]
    finally:
        stripe_sandbox.set_webhook(None)
