"""Model-based test of the balances: Hypothesis runs random sequences of
spends (with and without an Idempotency-Key), pack purchases, plan grants,
Free refills, repeated grants and returns to Free against the emulator, and
after every step compares the account and its ledger with a plain Python
model of the two balances (NOTES §3).

The Free refill runs the DynamoDB writes of statemachine.asl.json itself:
its two reset states (whose conditions pick the branch) and its ledger put,
with the execution's values filled in - the same requests the state machine
sends, without waiting for Step Functions.
"""
import json
import os
import uuid

import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from chalicelib import clock
from chalicelib import settings as stage
from chalicelib.credits import Credits
from chalicelib.errors import InsufficientCredits
from chalicelib.keys import ApiKey
from chalicelib.models import Account, LedgerEntry
from conftest import ROOT

FREE = 50
ALLOWANCES = {"Basic": 1000, "Power": 100000}
EXECUTION = "refill-model-1"
RESET_STATES = ("ResetPlanCredits", "ResetPlanCreditsKeepingPurchased", "ResetPlanCreditsCoveringDebt")


def asl_states():
    """Every state of statemachine.asl.json by name, nested ones included."""
    found = {}

    def walk(states):
        for name, state in states.items():
            found[name] = state
            for branch in state.get("Branches", []):
                walk(branch["States"])
            for nested in ("Iterator", "ItemProcessor"):
                if nested in state:
                    walk(state[nested]["States"])
    with open(os.path.join(ROOT, "statemachine.asl.json")) as handle:
        walk(json.load(handle)["States"])
    return found


def filled_in(parameters, values):
    """The Task's Parameters with `X.$` paths replaced by this execution's values."""
    if isinstance(parameters, dict):
        result = {}
        for name, value in parameters.items():
            if name.endswith(".$"):
                result[name[:-2]] = values[value]  # KeyError: a path this test does not know
            else:
                result[name] = filled_in(value, values)
        return result
    if isinstance(parameters, str):
        return parameters.replace("${AccountsTable}", stage.accounts_table()).replace(
            "${LedgerTable}", stage.ledger_table())
    return parameters


class FreeRefill:
    """One period of the refill, as the state machine writes it."""

    def __init__(self):
        states = asl_states()
        self.resets = [states[name]["Parameters"] for name in RESET_STATES]
        self.record = states["RecordRefill"]["Parameters"]
        self.dynamodb = Account._get_connection().connection.client

    def grant(self, user_id, period):
        values = {
            "$.user_id": user_id, "$$.Execution.Name": EXECUTION,
            "States.Format('{}', $.period)": str(period), "States.Format('{}', $.credits)": str(FREE),
            "States.Format('refill:{}:{}', $$.Execution.Name, $.period)": "refill:%s:%d" % (EXECUTION, period),
        }
        for reset in self.resets:
            try:
                self.dynamodb.update_item(**filled_in(reset, values))
            except self.dynamodb.exceptions.ConditionalCheckFailedException:
                continue
            break
        else:
            return False
        at_path = self.record["Item"]["at"]["S.$"]
        values[at_path] = clock.iso()
        try:
            self.dynamodb.put_item(**filled_in(self.record, values))
        except self.dynamodb.exceptions.ConditionalCheckFailedException:
            pass
        return True


class Balances(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.user_id = "model-" + uuid.uuid4().hex
        key = ApiKey.generate(self.user_id)
        self.key_hash = key.hash
        Account(self.user_id, created_at=clock.iso(), plan="Free", credits=FREE, purchased_credits=0,
                usage={}, api_key_hash=key.hash, refill_execution=EXECUTION, refill_period=0).save()
        LedgerEntry(self.user_id, "signup:" + self.user_id, at=clock.iso(), kind="signup",
                    credits=FREE, description="Sign-up bonus").save()
        self.credits = Credits()
        self.refill = FreeRefill()
        # The model.
        self.plan, self.plan_credits, self.purchased = "Free", FREE, 0
        self.refill_period = 0
        self.ledger = {"signup:" + self.user_id: FREE}
        self.answers = {}  # Idempotency-Key -> remaining given
        self.returns_to_free = 0

    def spend_in_model(self, cost):
        if cost > self.plan_credits + self.purchased:
            return False
        from_plan = min(cost, self.plan_credits)
        self.plan_credits -= from_plan
        self.purchased -= cost - from_plan
        return True

    @rule(cost=st.sampled_from([1, 2, 5, 49, 50, 51, 999, 1001]))
    def spend(self, cost):
        expected = self.spend_in_model(cost)
        try:
            remaining = self.credits.spend(self.user_id, self.key_hash, cost)
        except InsufficientCredits as refusal:
            assert not expected and refusal.fields["remaining"] == self.plan_credits + self.purchased
            return
        assert expected and remaining == self.plan_credits + self.purchased

    @rule(cost=st.sampled_from([1, 5, 60]), key=st.sampled_from(["a", "b", "c"]))
    def spend_with_idempotency_key(self, cost, key):
        route = "/cost-%d" % cost
        if (key, route) in self.answers:
            remaining, replayed = self.credits.spend_once(self.user_id, self.key_hash, cost, key, route)
            assert (remaining, replayed) == (self.answers[(key, route)], True)
            return
        if any(used == key for used, _ in self.answers):
            return  # reusing a key on another route is a 409, tested in test_metering.py
        expected = self.spend_in_model(cost)
        try:
            remaining, replayed = self.credits.spend_once(self.user_id, self.key_hash, cost, key, route)
        except InsufficientCredits:
            assert not expected
            return
        assert expected and (remaining, replayed) == (self.plan_credits + self.purchased, False)
        self.answers[(key, route)] = remaining

    @rule(credits=st.sampled_from([10, 1000]), session=st.sampled_from(["cs_1", "cs_2", "cs_3"]))
    def buy_pack(self, credits, session):
        key = "checkout:" + session
        applied = self.credits.add_purchased(self.user_id, credits, key, "purchase", "Pack", reference=session)
        assert applied == (key not in self.ledger)
        if applied:
            self.purchased += credits
            self.ledger[key] = credits

    @rule(plan=st.sampled_from(sorted(ALLOWANCES)), invoice=st.sampled_from(["in_1", "in_2", "in_3", "in_4"]))
    def plan_grant(self, plan, invoice):
        key = "invoice:" + invoice
        allowance = ALLOWANCES[plan]
        granted = self.credits.reset_plan(self.user_id, allowance, key, "plan", "%s period" % plan,
                                          reference=invoice, actions=[Account.plan.set(plan)])
        assert granted == (key not in self.ledger)
        if granted:
            self.plan, self.plan_credits = plan, allowance
            self.ledger[key] = allowance

    @rule(ahead=st.sampled_from([0, 1, 2]))
    def free_refill(self, ahead):
        """The next period (ahead=1), a later one (2), or a repeat of the last (0)."""
        period = self.refill_period + ahead
        granted = self.refill.grant(self.user_id, period)
        expected = self.plan == "Free" and period > self.refill_period
        assert granted == expected
        if expected:
            self.plan_credits, self.refill_period = FREE, period
            self.ledger["refill:%s:%d" % (EXECUTION, period)] = FREE

    @rule()
    def back_to_free(self):
        if self.plan == "Free":
            return
        self.returns_to_free += 1
        key = "free:%s:%d" % (self.user_id, self.returns_to_free)
        assert self.credits.reset_plan(self.user_id, FREE, key, "free", "Back to Free",
                                       condition=Account.plan == self.plan,
                                       actions=[Account.plan.set("Free")])
        self.plan, self.plan_credits = "Free", FREE
        self.ledger[key] = FREE

    @rule()
    def back_to_free_repeated(self):
        """A repeated return to Free (a second webhook) changes nothing."""
        if self.returns_to_free:
            key = "free:%s:%d" % (self.user_id, self.returns_to_free)
            assert not self.credits.reset_plan(self.user_id, FREE, key, "free", "Back to Free",
                                               actions=[Account.plan.set("Free")])

    @invariant()
    def account_matches_the_model(self):
        account = Account.get(self.user_id, consistent_read=True)
        assert account.plan == self.plan
        assert (account.plan_balance, account.purchased_balance) == (self.plan_credits, self.purchased)
        assert int(account.credits) == self.plan_credits + self.purchased
        assert min(self.plan_credits, self.purchased, int(account.credits), int(account.purchased_credits)) >= 0

    @invariant()
    def ledger_matches_the_model(self):
        entries = {entry.key: int(entry.credits) for entry in LedgerEntry.by_time.query(self.user_id)}
        assert entries == self.ledger


@pytest.mark.usefixtures("aws_stack")
def test_balances_follow_the_model():
    run_state_machine_as_test(Balances, settings=settings(
        max_examples=15, stateful_step_count=30, deadline=None, derandomize=True, database=None))
