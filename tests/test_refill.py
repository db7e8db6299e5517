"""The Free refill, executing the real statemachine.asl.json on the emulator
with periods of one or two seconds."""
import datetime
import json
import re
import time
import uuid

import pytest

from scripts import statemachine
from scripts.devstack import emulator

ALLOWANCE = 50
AT_FORMAT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
TEST_MACHINE = "credits-saas-refill-test"


# --------------------------------------------------------------------------
# Fixtures


class Machine:
    def __init__(self, sfn, arn):
        self.sfn = sfn
        self.arn = arn

    def execution_arn(self, name):
        return self.arn.replace(":stateMachine:", ":execution:") + ":" + name

    def status(self, name):
        try:
            return self.sfn.describe_execution(executionArn=self.execution_arn(name))["status"]
        except self.sfn.exceptions.ExecutionDoesNotExist:
            return None

    def describe(self, name):
        return self.sfn.describe_execution(executionArn=self.execution_arn(name))

    def history(self, name):
        return self.sfn.get_execution_history(executionArn=self.execution_arn(name),
                                              maxResults=1000)["events"]

    def running(self):
        pages = self.sfn.get_paginator("list_executions").paginate(
            stateMachineArn=self.arn, statusFilter="RUNNING")
        return [execution["name"] for page in pages for execution in page["executions"]]


@pytest.fixture(scope="module")
def machine(aws_stack):
    sfn = emulator.boto_client("stepfunctions")
    return Machine(sfn, statemachine.create_state_machine(sfn, name=TEST_MACHINE))


@pytest.fixture
def make_refills(machine):
    """Refills on the test machine; at the end every account it touched stops
    naming an execution (so no handover is in flight) and every execution stops."""
    from chalicelib.platform.models import Account
    from chalicelib.credits.refill import Refills

    touched = []

    class Tracked(Refills):
        def start(self, account, replace=True):
            touched.append(account.user_id)
            return super().start(account, replace=replace)

    def make(period_seconds=1, periods_per_execution=50):
        return Tracked(machine.sfn, machine.arn, period_seconds, lambda: ALLOWANCE, periods_per_execution)

    yield make
    for user_id in touched:
        Account(user_id).update(actions=[Account.refill_execution.remove()])
    stop_all(machine)


def stop_all(machine):
    for name in machine.running():
        try:
            machine.sfn.stop_execution(executionArn=machine.execution_arn(name))
        except Exception:  # noqa: BLE001 - it may have ended meanwhile
            pass


def wait_for(predicate, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("Timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def account_of(user_id):
    from chalicelib.platform.models import Account
    return Account.get(user_id, consistent_read=True)


def wait_for_period(user_id, period, timeout=10.0):
    def reached():
        account = account_of(user_id)
        return account if int(account.refill_period) >= period else None
    return wait_for(reached, timeout=timeout, what="refill period %d" % period)


def running_for(machine, user_id):
    from chalicelib.credits.refill import safe_id
    return [name for name in machine.running() if safe_id(user_id) in name]


def refill_entries(user_id):
    from chalicelib.platform.models import LedgerEntry
    return {entry.key: entry for entry in LedgerEntry.query(user_id, consistent_read=True)
            if entry.key.startswith("refill:")}


def provision(user, credits=None):
    """The user's account, optionally with `credits` left and no purchase."""
    from chalicelib.accounts.lifecycle import Accounts
    from chalicelib.platform.models import Account
    from chalicelib.credits.plans import Plans

    account = Accounts(Plans()).provision(user.id, user.email)
    if credits is not None:
        Account(user.id).update(actions=[Account.credits.set(credits)])
        account = account_of(user.id)
    return account


def set_plan(user_id, plan):
    from chalicelib.platform.models import Account
    Account(user_id).update(actions=[Account.plan.set(plan)])


def states_entered(events):
    return [event["stateEnteredEventDetails"]["name"] for event in events
            if "stateEnteredEventDetails" in event]


@pytest.fixture
def dynamodb_fault(monkeypatch):
    """Make the emulator's DynamoDB fail a matching request (the server runs in
    this process); returns a list that records each injected failure."""
    from moto.dynamodb.exceptions import ERROR_TYPE_PREFIX, DynamodbException
    from moto.dynamodb.models import DynamoDBBackend

    injected = []

    def install(operation, table, matches, code, times=1, after_applying=False):
        original = getattr(DynamoDBBackend, operation)

        def faulty(self, table_name, key_or_item, *args, **kwargs):
            if table_name == table and len(injected) < times and matches(key_or_item, args, kwargs):
                injected.append(code)
                if after_applying:
                    original(self, table_name, key_or_item, *args, **kwargs)
                raise DynamodbException(ERROR_TYPE_PREFIX + code, "Injected by the test: " + code)
            return original(self, table_name, key_or_item, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, operation, faulty)
        return injected

    return install


def grant_of(user_id):
    """Matches the state machine's reset of this account (not the test's own writes)."""
    def matches(key, args, kwargs):
        return key.get("user_id", {}).get("S") == user_id and ":allowance" in (kwargs.get("update_expression") or "")
    return matches


# --------------------------------------------------------------------------
# Refills


def test_each_period_resets_plan_credits_once_and_keeps_purchased(user, make_refills, machine):
    from chalicelib.credits.balances import Credits

    from chalicelib.keys.account_keys import ApiKeys
    from chalicelib.keys.key_format import parse

    account = provision(user)
    key_hash = parse(ApiKeys().create(account, "refill-test", None)[0]["key"])[1]
    Credits().add_purchased(user.id, 30, "checkout:test-%s" % user.id, "purchase", "30 credits")
    total = int(account_of(user.id).credits)
    Credits().spend(user.id, key_hash, total - 20)  # the plan part and 10 purchased spent
    refills = make_refills(period_seconds=2)
    name = refills.start(account)

    first = wait_for_period(user.id, 1)
    assert first.refill_period == 1
    assert (first.plan_balance, first.purchased_balance, int(first.credits)) == (ALLOWANCE, 20, 70)
    Credits().spend(user.id, key_hash, 10)  # from the plan part: 60 left

    second = wait_for_period(user.id, 2)
    assert (second.plan_balance, second.purchased_balance, int(second.credits)) == (ALLOWANCE, 20, 70)

    refills.stop(account)
    wait_for(lambda: machine.status(name) != "RUNNING", what="the execution to stop")
    granted = int(account_of(user.id).refill_period)
    entries = refill_entries(user.id)
    assert sorted(entries) == sorted("refill:%s:%d" % (name, period) for period in range(1, granted + 1))
    for entry in entries.values():
        assert (entry.kind, int(entry.credits), entry.reference) == ("refill", ALLOWANCE, "Free plan")
        assert AT_FORMAT.match(entry.at), entry.at


def test_a_grant_whose_answer_was_lost_is_not_granted_twice(user, make_refills, machine, dynamodb_fault):
    """The reset is applied but its response fails (a transient error), so Step
    Functions retries it: the retry must find the period granted and move on."""
    from chalicelib.platform import settings

    injected = dynamodb_fault("update_item", settings.accounts_table(), grant_of(user.id),
                              "InternalServerError", after_applying=True)
    account = provision(user, credits=5)
    refills = make_refills(period_seconds=1)
    name = refills.start(account)

    wait_for(lambda: "refill:%s:1" % name in refill_entries(user.id), what="the ledger entry of period 1")
    assert injected == ["InternalServerError"]
    after_first = account_of(user.id)
    assert (int(after_first.credits), int(after_first.refill_period)) == (ALLOWANCE, 1)

    wait_for_period(user.id, 2)
    assert int(account_of(user.id).credits) == ALLOWANCE
    assert machine.status(name) == "RUNNING"
    entered = states_entered(machine.history(name))
    assert entered.count("CheckAlreadyGranted") == 1


def test_throttling_is_retried(user, make_refills, machine, dynamodb_fault):
    from chalicelib.platform import settings

    injected = dynamodb_fault("update_item", settings.accounts_table(), grant_of(user.id),
                              "ProvisionedThroughputExceededException")
    account = provision(user, credits=0)
    name = make_refills(period_seconds=1).start(account)

    granted = wait_for_period(user.id, 1)
    assert int(granted.credits) == ALLOWANCE
    assert injected == ["ProvisionedThroughputExceededException"]
    events = machine.history(name)
    failures = [event["taskFailedEventDetails"]["error"] for event in events if event["type"] == "TaskFailed"]
    assert failures == ["DynamoDB.ProvisionedThroughputExceededException"]
    assert states_entered(events).count("ResetPlanCredits") == 1  # retried inside the state
    assert machine.status(name) == "RUNNING"


def test_an_unexpected_error_alerts_and_fails(user, make_refills, machine, dynamodb_fault):
    from chalicelib.platform import settings

    sqs = emulator.boto_client("sqs")
    statemachine.local_alerts(sqs)  # start from an empty queue

    def refill_entry_of_user(item, args, kwargs):
        return (item.get("user_id", {}).get("S") == user.id
                and item.get("key", {}).get("S", "").startswith("refill:"))

    account = provision(user, credits=0)
    dynamodb_fault("put_item", settings.ledger_table(), refill_entry_of_user, "ValidationException", times=100)
    name = make_refills(period_seconds=1).start(account)

    wait_for(lambda: machine.status(name) == "FAILED", what="the execution to fail")
    assert machine.describe(name)["error"] == "Refill.Failed"
    assert "Alert" in states_entered(machine.history(name))
    alerts = wait_for(lambda: [body for body in statemachine.local_alerts(sqs) if user.id in body],
                      timeout=5, what="the alert")
    assert "DynamoDB.ValidationException" in alerts[0]


def test_a_subscriber_is_no_longer_refilled_and_back_to_free_restarts(user, make_refills, machine):
    from chalicelib.credits.refill import execution_name

    account = provision(user)
    refills = make_refills(period_seconds=1)
    first = refills.start(account)
    wait_for_period(user.id, 1)

    set_plan(user.id, "Basic")
    assert refills.stop(account) == first
    wait_for(lambda: machine.status(first) != "RUNNING", what="the execution to stop")
    stopped = account_of(user.id)
    assert stopped.refill_execution is None
    balance, period, entries = int(stopped.credits), int(stopped.refill_period), refill_entries(user.id)
    time.sleep(2.5)  # more than two periods: nothing may happen
    later = account_of(user.id)
    assert (int(later.credits), int(later.refill_period)) == (balance, period)
    assert refill_entries(user.id).keys() == entries.keys()

    set_plan(user.id, "Free")
    second = refills.restart(account_of(user.id))
    assert second == execution_name(user.id, 2) != first
    wait_for(lambda: "refill:%s:%d" % (second, period + 1) in refill_entries(user.id),
             what="the first refill after the restart")
    assert running_for(machine, user.id) == [second]


def test_stopping_right_after_a_grant_keeps_its_ledger_entry(user, make_refills, machine, dynamodb_fault):
    """The ledger write is slowed by a throttled attempt; `stop` must not
    abort the execution between the grant and its ledger entry."""
    from chalicelib.platform import settings

    def refill_entry_of_user(item, args, kwargs):
        return (item.get("user_id", {}).get("S") == user.id
                and item.get("key", {}).get("S", "").startswith("refill:"))

    account = provision(user, credits=0)
    dynamodb_fault("put_item", settings.ledger_table(), refill_entry_of_user,
                   "ProvisionedThroughputExceededException")
    refills = make_refills(period_seconds=1)
    name = refills.start(account)
    wait_for_period(user.id, 1)
    set_plan(user.id, "Basic")
    refills.stop(account)

    wait_for(lambda: machine.status(name) != "RUNNING", what="the execution to end")
    assert set(refill_entries(user.id)) == {"refill:%s:1" % name}
    assert int(account_of(user.id).refill_period) == 1


def test_leaving_the_free_plan_ends_the_execution_quietly(user, make_refills, machine):
    account = provision(user, credits=3)
    name = make_refills(period_seconds=1).start(account)
    set_plan(user.id, "Basic")

    wait_for(lambda: machine.status(name) == "SUCCEEDED", what="the execution to end")
    unchanged = account_of(user.id)
    assert (int(unchanged.credits), int(unchanged.refill_period)) == (3, 0)
    assert refill_entries(user.id) == {}
    assert "Ended" in states_entered(machine.history(name))


def test_a_stale_execution_ends_itself_quietly(user, make_refills, machine):
    account = provision(user)
    refills = make_refills(period_seconds=1)
    current = refills.start(account)
    stale = "refill-stale-%s" % uuid.uuid4().hex[:12]
    # A period far ahead, so that only the execution check can refuse it.
    machine.sfn.start_execution(stateMachineArn=machine.arn, name=stale,
                                input=json.dumps(refills.execution_input(user.id, stale, 100)))

    wait_for(lambda: machine.status(stale) == "SUCCEEDED", what="the stale execution to end")
    wait_for_period(user.id, 2)
    assert int(account_of(user.id).refill_period) < 100
    assert not [key for key in refill_entries(user.id) if stale in key]
    assert machine.status(current) == "RUNNING"
    assert account_of(user.id).refill_execution == current


def test_hands_over_to_a_fresh_execution_after_n_periods(user, make_refills, machine):
    account = provision(user)
    refills = make_refills(period_seconds=1, periods_per_execution=2)
    first = refills.start(account)
    second, third = first + "-1", first + "-2"

    wait_for(lambda: account_of(user.id).refill_execution == second, what="the handover")
    wait_for(lambda: machine.status(first) == "SUCCEEDED", what="the first execution to succeed")
    assert machine.status(second) == "RUNNING"
    started = json.loads(machine.describe(second)["input"])
    assert (started["period"], started["handover"], started["lineage"]) == (3, 1, first)

    wait_for(lambda: account_of(user.id).refill_execution == third, timeout=15, what="the second handover")
    wait_for(lambda: machine.status(second) == "SUCCEEDED", what="the second execution to succeed")
    keys = set(refill_entries(user.id))
    assert {"refill:%s:1" % first, "refill:%s:2" % first,
            "refill:%s:3" % second, "refill:%s:4" % second} <= keys
    periods = sorted(int(key.rsplit(":", 1)[1]) for key in keys)
    assert periods == list(range(1, len(periods) + 1))  # each period once, none skipped
    assert running_for(machine, user.id) == [third]


def test_start_is_idempotent_for_provisioning(user, make_refills, machine):
    from chalicelib.credits.refill import execution_name

    account = provision(user)
    refills = make_refills(period_seconds=60)
    name = refills.start(account, replace=False)
    assert name == execution_name(user.id, 1)
    assert refills.start(account_of(user.id), replace=False) == name
    assert int(account_of(user.id).refill_generation) == 1
    assert running_for(machine, user.id) == [name]
    started = json.loads(machine.describe(name)["input"])
    assert started == refills.execution_input(user.id, name, 1)


def test_a_team_organisation_is_never_refilled(user, client, make_refills, machine):
    """The weekly Free refill is for personal organisations only: otherwise
    free credits could be farmed with many organisations."""
    from chalicelib.platform.models import Account
    from conftest import call

    status, body = call(client, "POST", "/orgs", user.headers, {"name": "Acme"})
    assert status == 201, body
    org_id = body["org"]["id"]
    refills = make_refills(period_seconds=60)
    assert refills.start(account_of(org_id)) is None
    assert refills.start(account_of(org_id), replace=False) is None
    assert running_for(machine, org_id) == []
    assert Account.get(org_id, consistent_read=True).refill_execution is None
    assert refills.start(account_of(user.id), replace=False) is not None  # the owner's own is refilled


def test_provisioning_starts_the_refill_of_a_free_account(user, client, machine, monkeypatch):
    from chalicelib import credits
    from chalicelib.platform import reset_services
    from chalicelib.platform.models import Account
    from chalicelib.credits.refill import Refills, execution_name

    monkeypatch.setenv("REFILL_STATE_MACHINE_ARN", machine.arn)
    monkeypatch.setenv("FREE_REFILL_PERIOD_SECONDS", "60")
    reset_services()
    try:
        assert isinstance(credits.refills(), Refills)
        response = client.http.get("/user", headers=user.headers)
        assert response.status_code == 200
        name = execution_name(user.id, 1)
        assert account_of(user.id).refill_execution == name
        assert machine.status(name) == "RUNNING"
        started = machine.describe(name)["startDate"]
        next_reset = client.http.get("/user", headers=user.headers).json_body["user"]["next_reset_at"]
        assert next_reset == (started + datetime.timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
        client.http.get("/user", headers=user.headers)
        assert int(account_of(user.id).refill_generation) == 1
    finally:
        Account(user.id).update(actions=[Account.refill_execution.remove()])
        stop_all(machine)
        monkeypatch.delenv("REFILL_STATE_MACHINE_ARN")
        reset_services()
    assert credits.refills() is None


def test_next_grant_is_one_period_after_the_last_one_granted(user, make_refills, machine):
    refills = make_refills(period_seconds=600, periods_per_execution=3)
    account = provision(user)
    name = refills.start(account)
    account = account_of(user.id)
    started = machine.describe(name)["startDate"]
    minutes = lambda n: started + datetime.timedelta(minutes=n)  # noqa: E731

    assert refills.next_grant_at(account, now=started) == minutes(10)
    account.refill_period = 2                                 # two periods granted
    assert refills.next_grant_at(account, now=started) == minutes(30)
    assert refills.next_grant_at(account, now=minutes(31)) == minutes(40)  # a grant is underway

    refills.stop(account)
    assert wait_for(lambda: machine.status(name) != "RUNNING", what="the execution to stop")
    assert refills.next_grant_at(account, now=started) is None
    assert refills.next_grant_at(account_of(user.id)) is None   # names no execution


def test_a_request_during_the_start_sees_the_first_grant_already(user, make_refills, machine, monkeypatch):
    """The account names the execution before Step Functions knows it: a
    request in between (the account page's parallel requests at sign-up)
    still gets the first grant, one period after the recorded start."""
    from chalicelib.credits.refill import Refills

    refills = make_refills(period_seconds=600)
    seen = []
    original = Refills._start_execution

    def start_after_a_concurrent_read(self, user_id, name, period):
        seen.append((account_of(user_id), refills.next_grant_at(account_of(user_id))))
        return original(self, user_id, name, period)

    monkeypatch.setattr(Refills, "_start_execution", start_after_a_concurrent_read)
    name = refills.start(provision(user))
    [(account, during_start)] = seen
    assert account.refill_execution == name and machine.status(name) == "RUNNING"
    recorded = datetime.datetime.fromtimestamp(float(account.refill_started_at), datetime.timezone.utc)
    assert during_start == recorded + datetime.timedelta(minutes=10)
    assert recorded <= machine.describe(name)["startDate"]
    after_start = refills.next_grant_at(account_of(user.id), now=recorded)
    assert datetime.timedelta(0) <= after_start - during_start < datetime.timedelta(seconds=5)  # one moment, give or take the request

    # A recorded execution that never appeared within its first period failed to start.
    monkeypatch.setattr(Refills, "_start_execution", lambda self, user_id, name, period: None)
    stale = account_of(user.id)
    name = refills.start(stale)
    stale = account_of(user.id)
    assert machine.status(name) is None
    started = datetime.datetime.fromtimestamp(float(stale.refill_started_at), datetime.timezone.utc)
    assert refills.next_grant_at(stale, now=started) == started + datetime.timedelta(minutes=10)
    assert refills.next_grant_at(stale, now=started + datetime.timedelta(minutes=10)) is None


# --------------------------------------------------------------------------
# Names


def test_execution_names_are_valid_unique_and_leave_room_for_handovers():
    from chalicelib.credits.refill import NAME_LIMIT, execution_name

    sub = str(uuid.uuid4())
    assert execution_name(sub, 3) == "refill-%s-3" % sub
    odd = ["user@example.com", "user_example.com", "x" * 300, "ü-ser", "a", "a-1", sub + "-1"]
    names = [execution_name(user_id, 999999) for user_id in odd + [sub]]
    assert len(set(names)) == len(names)
    # handover names (lineage + "-<n>") cannot meet another account's names either
    assert execution_name("a", 1) + "-2" != execution_name("a-1", 2)
    assert execution_name(sub, 1) + "-2" != execution_name(sub + "-1", 2)
    for name in names:
        assert re.match(r"^[A-Za-z0-9_-]+$", name), name
        assert len(name + "-9999999") <= NAME_LIMIT, name


def test_default_periods_stay_inside_the_execution_limits():
    from chalicelib.credits.refill import default_periods_per_execution

    week = 7 * 24 * 3600
    periods = default_periods_per_execution(week)
    assert periods * week < 365 * 24 * 3600
    assert periods * 14 + 40 < 25000
    assert default_periods_per_execution(1) <= 1000  # States.ArrayRange limit
