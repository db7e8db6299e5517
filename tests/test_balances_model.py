"""Model-based test of the balances: Hypothesis runs random sequences of
spends (with and without an Idempotency-Key), pack purchases, automatic
top-ups (granted on their PaymentIntent's success, repeated deliveries
included), plan grants, Free refills, repeated grants, returns to Free, refunds (partial, failed,
repeated) and disputes (withdrawn, won) of packs and of plan invoices against
the emulator, and after every step compares the account and its ledger with a
plain Python model of the two balances (NOTES §3, §11). The ledger accounts
for every credit: the sum of its entries, less what was spent and what lapsed
at period resets, is the balance.

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

from chalicelib.platform import clock
from chalicelib.platform import settings as stage
from chalicelib.credits.balances import Credits
from chalicelib.platform.errors import InsufficientCredits
from chalicelib.keys.key_format import ApiKey
from chalicelib.platform.models import Account, LedgerEntry, SubscriptionAttribute
from chalicelib.billing.payments import PLAN, PURCHASED, Source, Step, TakeBacks, target_taken
from chalicelib.billing.top_ups import TopUps
from conftest import ROOT

FREE = 50
ALLOWANCES = {"Basic": 1000, "Power": 100000}
EXECUTION = "refill-model-1"
PRICE = 500  # every payment here is £5.00
SUBSCRIPTION = "sub_model"
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


def taken_in_model(payment):
    withdrawn = {"dp": PRICE} if payment["dispute"] == "withdrawn" else {}
    return target_taken(payment["granted"], PRICE, payment["refunds"], withdrawn)


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
        self.takebacks = TakeBacks()
        self.refill = FreeRefill()
        # The model. `bound` mirrors purchased_credits: what a plan give-back
        # restores the purchased credits to (the split had nothing been taken).
        self.plan, self.plan_credits, self.purchased, self.bound = "Free", FREE, 0, 0
        self.refill_period = 0
        self.ledger = {"signup:" + self.user_id: FREE}
        self.answers = {}  # Idempotency-Key -> remaining given
        self.returns_to_free = 0
        self.spent = self.lapsed = 0
        self.period = 0  # plan_period_start of the current paid period
        self.payments = {}  # grant reference -> {"granted", "bucket", "period", "refunds", "failed", "dispute"}

    @property
    def total(self):
        return self.plan_credits + self.purchased

    def spend_in_model(self, cost):
        if cost > self.total:
            return False
        from_plan = min(cost, self.plan_credits)
        self.plan_credits -= from_plan
        self.purchased -= cost - from_plan
        self.spent += cost
        return True

    def purchase_in_model(self, credits):
        """A pack (or a pack's credits given back): pays any debt first."""
        self.bound += credits
        if self.total < 0:
            total = self.total + credits
            self.plan_credits, self.purchased = min(0, total), max(0, total)
        else:
            self.purchased += credits

    def reset_in_model(self, allowance):
        """A new period: plan credits := allowance, less any debt (paid once)."""
        before = self.total
        if before < 0:
            self.plan_credits, self.purchased, self.bound = before + allowance, 0, 0
        else:
            if self.bound > before:
                self.bound = before
            self.plan_credits = allowance
        self.lapsed += allowance - (self.total - before)

    def take_in_model(self, bucket, credits):
        """Take back (credits < 0) or give back (credits > 0) from a bucket."""
        total = self.total + credits
        if bucket == PURCHASED and credits > 0:
            self.purchase_in_model(credits)
        elif bucket == PURCHASED:
            if self.purchased >= -credits:
                self.purchased += credits
            else:
                self.plan_credits, self.purchased = total, 0
            self.bound = self.bound + credits if self.bound >= -credits else 0
        elif credits < 0 and self.plan_credits >= -credits:
            self.plan_credits += credits
        else:
            self.purchased = max(0, min(self.bound, total))
            self.plan_credits = total - self.purchased

    @rule(cost=st.sampled_from([1, 2, 5, 49, 50, 51, 999, 1001]))
    def spend(self, cost):
        expected = self.spend_in_model(cost)
        try:
            remaining = self.credits.spend(self.user_id, self.key_hash, cost)
        except InsufficientCredits as refusal:
            assert not expected and refusal.fields["remaining"] == self.total
            return
        assert expected and remaining == self.total

    @rule()
    def spend_everything(self):
        """All that is left, purchased credits included: a take-back after
        this leaves a debt, which the next grant or refill must pay once."""
        if self.total > 0:
            self.spend(self.total)

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
        assert expected and (remaining, replayed) == (self.total, False)
        self.answers[(key, route)] = remaining

    @rule(credits=st.sampled_from([10, 1000]), session=st.sampled_from(["cs_1", "cs_2", "cs_3"]))
    def buy_pack(self, credits, session):
        key = "checkout:" + session
        applied = self.credits.add_purchased(self.user_id, credits, key, "purchase", "Pack", reference=session)
        assert applied == (key not in self.ledger)
        if applied:
            self.purchase_in_model(credits)
            self.ledger[key] = credits
            self.payments[session] = {"granted": credits, "bucket": PURCHASED, "period": None,
                                      "refunds": {}, "failed": set(), "dispute": None}

    @rule(pack=st.sampled_from(sorted(ALLOWANCES)), intent=st.sampled_from(["pi_1", "pi_2", "pi_3"]))
    def top_up(self, pack, intent):
        """An automatic top-up's PaymentIntent succeeded (delivered once or again)."""
        key = "top_up:" + intent
        credits = ALLOWANCES[pack]
        TopUps(None, None, self.credits, None, None).grant(self.user_id, {
            "id": intent, "metadata": {"top_up": "crossing-" + intent, "pack": pack, "credits": str(credits)}})
        if key in self.ledger:
            return  # a redelivery: nothing more
        self.purchase_in_model(credits)
        self.ledger[key] = credits
        self.payments[intent] = {"granted": credits, "bucket": PURCHASED, "period": None,
                                 "refunds": {}, "failed": set(), "dispute": None}

    @rule(plan=st.sampled_from(sorted(ALLOWANCES)), invoice=st.sampled_from(["in_1", "in_2", "in_3", "in_4"]))
    def plan_grant(self, plan, invoice):
        key = "invoice:" + invoice
        allowance = ALLOWANCES[plan]
        subscription = SubscriptionAttribute(id=SUBSCRIPTION, plan=plan, status="active")
        granted = self.credits.reset_plan(
            self.user_id, allowance, key, "plan", "%s period" % plan, reference=invoice,
            actions=[Account.plan.set(plan), Account.subscription.set(subscription),
                     Account.plan_period_start.set(self.period + 1)])
        assert granted == (key not in self.ledger)
        if granted:
            self.plan, self.period = plan, self.period + 1
            self.reset_in_model(allowance)
            self.ledger[key] = allowance
            self.payments[invoice] = {"granted": allowance, "bucket": PLAN, "period": self.period,
                                      "refunds": {}, "failed": set(), "dispute": None}

    @rule(ahead=st.sampled_from([0, 1, 2]))
    def free_refill(self, ahead):
        """The next period (ahead=1), a later one (2), or a repeat of the last (0)."""
        period = self.refill_period + ahead
        granted = self.refill.grant(self.user_id, period)
        expected = self.plan == "Free" and period > self.refill_period
        assert granted == expected
        if expected:
            self.refill_period = period
            self.reset_in_model(FREE)
            self.ledger["refill:%s:%d" % (EXECUTION, period)] = FREE

    @rule()
    def back_to_free(self):
        if self.plan == "Free":
            return
        self.returns_to_free += 1
        key = "free:%s:%d" % (self.user_id, self.returns_to_free)
        assert self.credits.reset_plan(self.user_id, FREE, key, "free", "Back to Free",
                                       condition=Account.plan == self.plan,
                                       actions=[Account.plan.set("Free"), Account.subscription.remove()])
        self.plan = "Free"
        self.reset_in_model(FREE)
        self.ledger[key] = FREE

    @rule()
    def back_to_free_repeated(self):
        """A repeated return to Free (a second webhook) changes nothing."""
        if self.returns_to_free:
            key = "free:%s:%d" % (self.user_id, self.returns_to_free)
            assert not self.credits.reset_plan(self.user_id, FREE, key, "free", "Back to Free",
                                               actions=[Account.plan.set("Free")])

    # Refunds and disputes ----------------------------------------------------

    def source(self, reference):
        payment = self.payments[reference]
        return Source(self.user_id, "ch_" + reference, PRICE, "gbp", payment["granted"], payment["bucket"],
                      "model payment", reference, subscription_id=SUBSCRIPTION if payment["period"] else None,
                      period_start=payment["period"])

    def settle(self, reference, step, change):
        """Applies `step` to the account and `change` to the model's payment;
        the credits moved must be what the model expects, once."""
        payment = self.payments[reference]
        before = taken_in_model(payment)
        change(payment)
        after = taken_in_model(payment)
        expected = before - after
        if payment["bucket"] == PLAN and (payment["period"] != self.period or self.plan == "Free"):
            expected = 0  # that period's credits have lapsed
        moved = self.takebacks.settle(self.source(reference), step)
        assert moved == expected
        self.take_in_model(payment["bucket"], expected)
        self.ledger[step.ledger_key] = expected
        assert self.takebacks.settle(self.source(reference), step) is None  # a repeat changes nothing

    @rule(number=st.sampled_from([1, 2, 3]), amount=st.sampled_from([100, 250, 500]), data=st.data())
    def refund(self, number, amount, data):
        if not self.payments:
            return
        reference = data.draw(st.sampled_from(sorted(self.payments)))
        payment = self.payments[reference]
        refund_id = "re_%s_%d" % (reference, number)
        if refund_id in payment["refunds"] or refund_id in payment["failed"]:
            return
        if sum(payment["refunds"].values()) + amount > PRICE:
            return  # Stripe refuses a refund over the unrefunded amount
        self.settle(reference, Step("refund", refund_id, amount, "Refund"),
                    lambda p: p["refunds"].__setitem__(refund_id, amount))

    @rule(data=st.data())
    def refund_fails(self, data):
        counted = sorted((reference, refund_id) for reference, payment in self.payments.items()
                         for refund_id in payment["refunds"])
        if not counted:
            return
        reference, refund_id = data.draw(st.sampled_from(counted))
        payment = self.payments[reference]

        def fail(p):
            p["failed"].add(refund_id)
            amount = p["refunds"].pop(refund_id)
            return amount
        self.settle(reference, Step("refund_reversed", refund_id, payment["refunds"][refund_id], "Refund failed"),
                    fail)

    @rule(data=st.data(), won=st.booleans())
    def dispute(self, data, won):
        if not self.payments:
            return
        reference = data.draw(st.sampled_from(sorted(self.payments)))
        payment = self.payments[reference]
        dispute_id = "dp_" + reference
        if payment["dispute"] is None and not won:
            self.settle(reference, Step("dispute", dispute_id, PRICE, "Dispute"),
                        lambda p: p.__setitem__("dispute", "withdrawn"))
        elif payment["dispute"] == "withdrawn" and won:
            self.settle(reference, Step("dispute_reinstated", dispute_id, PRICE, "Dispute won"),
                        lambda p: p.__setitem__("dispute", "won"))

    @invariant()
    def account_matches_the_model(self):
        account = Account.get(self.user_id, consistent_read=True)
        assert account.plan == self.plan
        assert (account.plan_balance, account.purchased_balance) == (self.plan_credits, self.purchased)
        assert int(account.credits) == self.total
        assert int(account.purchased_credits) == self.bound >= 0
        assert self.purchased >= 0 and (self.plan_credits >= 0 or self.purchased == 0)

    @invariant()
    def ledger_matches_the_model(self):
        entries = {entry.key: int(entry.credits) for entry in LedgerEntry.by_time.query(self.user_id)}
        assert entries == self.ledger
        assert sum(entries.values()) - self.spent - self.lapsed == self.total

    @invariant()
    def never_more_taken_than_granted(self):
        for reference, payment in self.payments.items():
            taken = -sum(credits for key, credits in self.ledger.items()
                         if key.split(":", 1)[1].startswith(("re_%s_" % reference, "dp_" + reference)))
            assert 0 <= taken <= payment["granted"]


@pytest.mark.usefixtures("aws_stack")
def test_balances_follow_the_model():
    run_state_machine_as_test(Balances, settings=settings(
        max_examples=15, stateful_step_count=35, deadline=None, derandomize=True, database=None))


@pytest.mark.usefixtures("aws_stack")
def test_a_debt_is_paid_once_by_the_next_refill_grant_or_return_to_free():
    """The debt branches, step by step (the random runs reach them rarely)."""
    machine = Balances()

    def check():
        machine.account_matches_the_model()
        machine.ledger_matches_the_model()
        machine.never_more_taken_than_granted()

    def refund(reference, refund_id, amount):
        machine.settle(reference, Step("refund", refund_id, amount, "Refund"),
                       lambda payment: payment["refunds"].__setitem__(refund_id, amount))
        check()

    machine.buy_pack(1000, "cs_1")
    machine.spend_everything()
    refund("cs_1", "re_1", PRICE)
    assert machine.total == -1000
    machine.free_refill(1)  # the refill's third reset state
    check()
    assert machine.total == -950 and machine.plan == "Free"
    machine.plan_grant("Power", "in_1")  # a plan grant's third branch
    check()
    assert (machine.plan_credits, machine.purchased) == (99050, 0)
    machine.buy_pack(10, "cs_2")
    machine.spend_everything()
    machine.settle("in_1", Step("dispute", "dp_1", PRICE, "Dispute"),
                   lambda payment: payment.__setitem__("dispute", "withdrawn"))
    check()
    assert machine.total == -100000
    machine.back_to_free()
    check()
    assert machine.total == -100000 + FREE
