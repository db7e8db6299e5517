"""Counts what the app does on the local stack, for `make cost`: DynamoDB
requests and units per route and per Stripe event (dynamodb_meter.py),
Lambda duration per route, and the Step Functions transitions and DynamoDB
writes of the Free refill from the emulator's execution history.

Everything runs in this process (the emulator, the Stripe sandbox and the app
through chalice.test.Client), so it needs no running `make dev`.
"""
import datetime
import hashlib
import hmac
import json
import os
import statistics
import time
import uuid

from scripts import BACKEND
from scripts.devstack import emulator
from scripts.measure import cost_model, dynamodb_meter, item_size

PASSWORD = "cost-pass-1"
WEBHOOK_SECRET = "whsec_cost_model_0123456789"
REFILL_PERIOD_SECONDS = 1
REFILL_PERIODS = 2


class Stack:
    """The emulator, the Stripe sandbox with products.json synced, the refill
    state machine, and the app with a meter on its DynamoDB clients."""

    def __enter__(self):
        os.environ.setdefault("ROUTE_COSTS", '{"/test": 1, "/test/heavy": 5}')
        self.server, url = emulator.start_moto()
        emulator.point_environment_at(url, "us-east-1")
        emulator.create_tables()
        emulator.create_email_identity()
        pool_id, self.client_id, _ = emulator.create_user_pool()
        emulator.configure_auth(pool_id, self.client_id)
        from scripts import statemachine
        from scripts.devstack.stripe import StripeSandbox

        self.sfn = emulator.boto_client("stepfunctions")
        self.machine_arn = statemachine.create_state_machine(self.sfn)
        self.sandbox = StripeSandbox(host="127.0.0.1", port=0).start()
        os.environ.update(STRIPE_SECRET_KEY="sk_test_local", STRIPE_API_BASE=self.sandbox.url,
                          STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, REFILL_STATE_MACHINE_ARN=self.machine_arn)
        from chalicelib import billing
        from chalicelib.platform import reset_services
        from scripts.catalog.products import load_plans
        from scripts.catalog.sync import sync

        reset_services()
        sync(load_plans(), billing.stripe(), out=lambda line: None)
        import app as app_module
        from chalice.test import Client

        client = Client(app_module.app, stage_name="local", project_dir=BACKEND)
        self.counter = Counter(client, dynamodb_meter.attached_to_app(), self.client_id)
        self.meter = self.counter.meter
        return self

    def call(self, *args, **kwargs):
        return self.counter.call(*args, **kwargs)

    def __exit__(self, *exc):
        self.meter.detach()
        self.sandbox.stop()
        self.server.stop()


class Counter:
    """Calls the app through chalice.test.Client and counts each call."""

    def __init__(self, client, meter, user_pool_client_id):
        self.client = client
        self.meter = meter
        self.client_id = user_pool_client_id

    def call(self, method, path, headers=None, body=None):
        """(status, parsed body, tally of DynamoDB calls, seconds)."""
        headers = dict(headers or {})
        if body is not None:
            headers.setdefault("Content-Type", "application/json")
            body = body if isinstance(body, str) else json.dumps(body)
        with self.meter.measure() as tally:
            start = time.perf_counter()
            response = self.client.http.request(method, path, headers=headers, body=body or b"")
            seconds = time.perf_counter() - start
        return response.status_code, json.loads(response.body or b"null"), tally, seconds


class Route:
    """Averages over repeated calls of one route (or one Stripe event type)."""

    def __init__(self):
        self.tallies, self.seconds = [], []

    def add(self, tally, seconds):
        self.tallies.append(tally)
        self.seconds.append(seconds)

    def summary(self):
        count = len(self.tallies)
        return {
            "calls": count,
            "requests": sum(t.requests for t in self.tallies) / count,
            "max_requests": max(t.requests for t in self.tallies),
            "write_units": sum(t.write_units for t in self.tallies) / count,
            "max_write_units": max(t.write_units for t in self.tallies),
            "read_units": sum(t.read_units for t in self.tallies) / count,
            "lambda_ms": statistics.median(self.seconds) * 1000,
        }


def signed(payload, secret=WEBHOOK_SECRET):
    timestamp = int(time.time())
    mac = hmac.new(secret.encode(), ("%d.%s" % (timestamp, payload)).encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "Stripe-Signature": "t=%d,v1=%s" % (timestamp, mac)}


# Besides the first key (no limit): the metered calls use three keys in turn.
METERED_KEYS = [("staging", {"requests": 20, "per": "second"}), ("ci", {"requests": 20, "per": "minute"})]


def measure_routes(stack, metered_calls=40, other_calls=5):
    """Per route: DynamoDB requests and units, Lambda duration; and the sign-up."""
    routes = {}
    email = "cost-%s@example.com" % uuid.uuid4().hex[:8]
    user_id = emulator.sign_up(email, PASSWORD, stack.client_id)
    auth = {"Authorization": "Bearer " + emulator.sign_in(email, PASSWORD, stack.client_id)}

    def run(label, method, path, times, headers=auth, body=None):
        route = routes.setdefault(label, Route())
        for _ in range(times):
            status, answer, tally, seconds = stack.call(method, path, headers, body)
            assert status in (200, 201), (label, status, answer)
            route.add(tally, seconds)
        return answer

    run("sign-up (first request provisions the account)", "GET", "/user", 1)
    keys = [run("POST /generate-key", "POST", "/generate-key", 1)["key"]] + [
        run("POST /keys", "POST", "/keys", 1, body={"name": name, "rate_limit": limit})["key"]
        for name, limit in METERED_KEYS]
    from chalicelib.credits.balances import Credits
    Credits().add_purchased(user_id, 10 ** 6, "checkout:cs_cost_%s" % user_id, "purchase", "cost model")
    for n in range(metered_calls):  # the account's keys in turn
        run("POST /test", "POST", "/test", 1, headers={"x-api-key": keys[n % len(keys)]})
    for label, path in (("GET /user", "/user"), ("GET /keys", "/keys"), ("GET /usage", "/usage?days=90"),
                        ("GET /ledger", "/ledger"), ("GET /plans", "/plans")):
        run(label, "GET", path, other_calls)
    return {label: route.summary() for label, route in routes.items()}, user_id, auth


def measure_usage_move(stack):
    """The transaction that moves older days off the account item."""
    user_id, key_hash = cost_model.seeded_account(days=usage_days_on_account())
    from chalicelib.credits.balances import Credits
    with stack.meter.measure() as tally:
        Credits().spend(user_id, key_hash, 1)
    moves = [call for call in tally.calls if call.operation == "TransactWriteItems"]
    return {"requests": len(moves), "write_units": sum(call.write_units for call in moves),
            "days_on_account": usage_days_on_account()}


def usage_days_on_account():
    from chalicelib.credits import usage
    return usage.DAYS_ON_ACCOUNT


def measure_stripe_events(stack, user_id, auth):
    """Each Stripe event of a subscription start, a renewal and a pack
    purchase, delivered signed to the webhook route; per event type."""
    from chalicelib.platform.models import Account

    customer = Account.get(user_id, consistent_read=True).stripe_customer_id
    routes, flows = {}, {}
    seen = len(stack.sandbox.events())

    def deliver_new(flow):
        nonlocal seen
        events = stack.sandbox.events()[seen:]
        seen += len(events)
        flows[flow] = []
        for event in events:
            customer_id = event["data"]["object"].get("customer")
            if (customer_id.get("id") if isinstance(customer_id, dict) else customer_id) != customer:
                continue
            payload = json.dumps(event)
            status, answer, tally, seconds = stack.call("POST", "/stripe/webhook", signed(payload), payload)
            assert status == 200, (event["type"], status, answer)
            label = "%s: %s" % (flow, event["type"])
            routes.setdefault(label, Route()).add(tally, seconds)
            flows[flow].append(label)

    def checkout(plan, subscribe):
        status, answer, tally, seconds = stack.call("POST", "/checkout", auth, {"plan": plan, "subscribe": subscribe})
        assert status == 200, answer
        routes.setdefault("POST /checkout", Route()).add(tally, seconds)
        return stack.sandbox.complete_checkout(answer["session_id"])

    subscription = checkout("Basic", True)["subscription"]
    deliver_new("subscribe")
    stack.sandbox.renew_subscription(subscription)
    deliver_new("renewal")
    time.sleep(1.01 - time.time() % 1)
    checkout("Basic", False)
    deliver_new("pack")
    return {label: route.summary() for label, route in routes.items()}, flows


def measure_refill(stack):
    """Transitions and DynamoDB writes per period and per execution, from the
    history of a real execution of statemachine.asl.json (1-second periods)."""
    from chalicelib.platform import settings
    from chalicelib.accounts.lifecycle import Accounts
    from chalicelib.credits.plans import Plans
    from chalicelib.credits.refill import Refills, default_periods_per_execution

    user_id = str(uuid.uuid4())
    account = Accounts(Plans()).provision(user_id, cost_model.LONG_EMAIL)
    refills = Refills(stack.sfn, stack.machine_arn, REFILL_PERIOD_SECONDS, lambda: 50, REFILL_PERIODS)
    name = refills.start(account)
    arn = refills.execution_arn(name)
    deadline = time.monotonic() + 30
    while stack.sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
        if time.monotonic() > deadline:
            raise SystemExit("the refill execution did not finish in 30 s")
        time.sleep(0.1)
    from chalicelib.platform.models import Account
    refills.stop(Account.get(user_id, consistent_read=True))
    events = stack.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    per_period_states = period_states(events)
    in_periods = sum(1 for state in entered if state in per_period_states)
    tasks = [e for e in events if e["type"] == "TaskScheduled"
             and e["taskScheduledEventDetails"]["resourceType"] == "dynamodb"]
    account_item = dynamodb_meter.emulator_item(settings.accounts_table(), {"user_id": {"S": user_id}})
    entry = dynamodb_meter.emulator_item(settings.ledger_table(), {
        "user_id": {"S": user_id}, "key": {"S": "refill:%s:1" % name}})
    grant_units = item_size.write_units(item_size.item_size(account_item))
    entry_units = (item_size.write_units(item_size.item_size(entry))
                   + dynamodb_meter.index_write_units(settings.ledger_table(), None, entry))
    return {
        "transitions_per_period": in_periods / REFILL_PERIODS,
        "transitions_per_execution": len(entered) - in_periods,
        "periods_per_execution": default_periods_per_execution(settings.free_refill_period_seconds()),
        "dynamodb_requests_per_period": (len(tasks) - 1) / REFILL_PERIODS,  # one is the handover
        "dynamodb_requests_per_execution": 1,
        "write_units_per_period": grant_units + entry_units,
        "states_per_period": sorted(per_period_states),
    }


def period_states(events):
    """Names of the states entered inside the Map's iterations (one per period)."""
    names, inside = set(), False
    for event in events:
        if event["type"] == "MapIterationStarted":
            inside = True
        elif event["type"] in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
            inside = False
        elif inside and "stateEnteredEventDetails" in event:
            names.add(event["stateEnteredEventDetails"]["name"])
    return names


def account_item_after_90_days(stack):
    """Write units of a metered call, and the item's size, after 90 days of use."""
    from chalicelib.platform import settings
    from chalicelib.credits.balances import Credits

    user_id, key_hash = cost_model.seeded_account(today=datetime.date.today())
    with stack.meter.measure() as tally:
        Credits().spend(user_id, key_hash, 1)
    item = dynamodb_meter.emulator_item(settings.accounts_table(), {"user_id": {"S": user_id}})
    return {"write_units": tally.write_units, "bytes": item_size.item_size(item)}


def measure_emails(stack, user_id, emails=5):
    """One email's work: recording its cause (on the request that caused
    it), then sending it from the ledger table's stream (the sender's claim,
    the account read, SES, the mark) through the app's `send_emails`, one
    email per invocation (the most it can cost: a batch holds up to 10).
    Reading the stream is free when Lambda does it, and not counted."""
    import app as app_module
    from chalicelib import notices
    from chalicelib.notices.outbox import STREAM_FILTER
    from chalicelib.platform import settings
    from scripts.devstack import stream_poller

    seconds = []

    def timed(event, context):
        start = time.perf_counter()
        app_module.send_emails(event, context)
        seconds.append(time.perf_counter() - start)

    poller = stream_poller.StreamPoller(stream_poller.clients(), settings.ledger_table(), timed,
                                        pattern=STREAM_FILTER, batch_size=1)
    recorded, sent = Route(), Route()
    for n in range(emails):
        with stack.meter.measure() as tally:
            start = time.perf_counter()
            assert notices.record(user_id, "account_unsuspended", "cost-%d-%s" % (n, uuid.uuid4().hex[:6]))
            took = time.perf_counter() - start
        recorded.add(tally, took)
        with stack.meter.measure() as tally:
            assert poller.drain() == 1
        sent.add(tally, seconds[-1])
    return {"record": recorded.summary(), "send": sent.summary()}


def measure():
    with Stack() as stack:
        routes, user_id, auth = measure_routes(stack)
        events, flows = measure_stripe_events(stack, user_id, auth)
        return {
            "emails": measure_emails(stack, user_id),
            "routes": routes,
            "stripe_events": events,
            "stripe_flows": flows,
            "usage_move": measure_usage_move(stack),
            "account_after_90_days": account_item_after_90_days(stack),
            "refill": measure_refill(stack),
        }


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2, default=str))
