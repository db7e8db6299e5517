"""Operator adjustments are exact: each bucket rule, a double submit adjusting
once, and voids racing metered calls losing no credit."""
import concurrent.futures
import uuid

import pytest

from chalicelib.operators.adjustments import Adjustments
from chalicelib.credits.balances import Credits
from chalicelib.platform.errors import Conflict, InsufficientCredits
from chalicelib.keys.key_format import parse
from chalicelib.platform.models import Account, LedgerEntry

OPERATOR = "cli:tester"


@pytest.fixture
def account(client, user, api_key):
    """(user id, key hash) of a fresh account: 50 plan credits, 0 purchased."""
    return parse(api_key)


def set_balances(user_id, credits, purchased_credits):
    Account(user_id).update(actions=[Account.credits.set(credits),
                                     Account.purchased_credits.set(purchased_credits)])


def balances(user_id):
    account = Account.get(user_id, consistent_read=True)
    return int(account.credits), account.plan_balance, account.purchased_balance


def adjust(user_id, amount, bucket, allow_negative=False, key=None):
    return Adjustments(Credits()).apply(user_id, amount, bucket, "a reason", key or uuid.uuid4().hex, OPERATOR,
                                        allow_negative)


# (stored credits, stored purchased_credits) -> adjustment -> (total, plan, purchased)
CASES = [
    ((50, 10), (100, "purchased", False), (150, 40, 110)),
    ((50, 10), (100, "plan", False), (150, 140, 10)),
    ((30, 80), (100, "plan", False), (130, 100, 30)),        # bound above the total: made exact first
    ((-20, 0), (100, "plan", False), (80, 80, 0)),           # a grant pays what is owed first
    ((-20, 5), (100, "plan", False), (80, 80, 0)),
    ((-20, 0), (100, "purchased", False), (80, 0, 80)),
    ((50, 10), (-30, "plan", False), (20, 10, 10)),
    ((50, 10), (-45, "plan", False), (5, 0, 5)),             # plan first, then purchased
    ((50, 10), (-5, "purchased", False), (45, 40, 5)),
    ((50, 10), (-25, "purchased", False), (25, 25, 0)),      # purchased first, then plan
    ((30, 80), (-20, "purchased", False), (10, 0, 10)),
    ((50, 10), (-70, "plan", True), (-20, -20, 0)),          # below zero only when allowed
    ((50, 10), (-70, "purchased", True), (-20, -20, 0)),
    ((30, 80), (-50, "purchased", True), (-20, -20, 0)),
]


@pytest.mark.parametrize("stored,change,expected", CASES, ids=[str(case) for case in CASES])
def test_each_bucket_rule_moves_exactly_the_credits_asked(account, stored, change, expected):
    user_id, _ = account
    set_balances(user_id, *stored)
    entry, applied = adjust(user_id, *change)
    assert applied and int(entry.credits) == change[0]
    assert balances(user_id) == expected


@pytest.mark.parametrize("bucket", ["plan", "purchased"])
def test_a_void_below_zero_without_permission_changes_nothing(account, bucket):
    user_id, _ = account
    with pytest.raises(Conflict) as refused:
        adjust(user_id, -51, bucket)
    assert refused.value.code == "would_go_negative"
    assert balances(user_id) == (50, 50, 0)


def test_fifty_concurrent_identical_grants_with_one_key_grant_once(account):
    user_id, _ = account
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: adjust(user_id, 500, "purchased", key="one-click"), range(50)))
    assert [applied for _, applied in results].count(True) == 1
    assert balances(user_id) == (550, 50, 500)
    entries = [e for e in LedgerEntry.query(user_id) if e.kind == "adjustment"]
    assert len(entries) == 1


def test_voids_racing_metered_calls_never_lose_a_credit(account):
    user_id, key_hash = account
    credits = Credits()
    credits.add_purchased(user_id, 950, "checkout:cs_race", "purchase", "pack")  # 1000 in all

    def spend(_):
        try:
            credits.spend(user_id, key_hash, 1)
            return 1
        except InsufficientCredits:
            return 0

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        spends = [pool.submit(spend, n) for n in range(150)]
        voids = [pool.submit(adjust, user_id, -100, bucket) for bucket in ("plan", "purchased") * 3]
        spent = sum(future.result() for future in spends)
        voided = sum(-int(future.result()[0].credits) for future in voids)
    assert (spent, voided) == (150, 600)
    total, plan, purchased = balances(user_id)
    assert total == 1000 - 150 - 600 == plan + purchased


def test_an_unknown_account_is_not_found_and_writes_nothing(aws_stack):
    from chalicelib.platform.errors import NotFound
    user_id = "missing-" + uuid.uuid4().hex
    with pytest.raises(NotFound):
        adjust(user_id, 10, "purchased")
    assert list(LedgerEntry.query(user_id)) == []


def test_the_suspension_check_rides_on_the_spends_one_conditional_write(account, monkeypatch):
    """A metered call stays one UpdateItem; a suspended account's call is
    refused by that same write (the read after it only explains the 403)."""
    from chalicelib.platform.errors import Forbidden
    from chalicelib.operators.suspensions import AccountControls
    from pynamodb.connection.base import Connection

    user_id, key_hash = account
    calls = []
    original = Connection.dispatch

    def counting(self, operation, kwargs):
        calls.append((operation, kwargs.get("ConditionExpression", "")))
        return original(self, operation, kwargs)

    monkeypatch.setattr(Connection, "dispatch", counting)
    Credits().spend(user_id, key_hash, 1)
    assert [operation for operation, _ in calls] == ["UpdateItem"]
    assert "attribute_not_exists" in calls[0][1]
    AccountControls().suspend(user_id, "abuse", OPERATOR)
    calls.clear()
    with pytest.raises(Forbidden) as refused:
        Credits().spend(user_id, key_hash, 1)
    assert refused.value.code == "account_suspended"
    assert [operation for operation, _ in calls] == ["UpdateItem", "GetItem"]
    assert balances(user_id) == (49, 49, 0)
