"""Balances: plan credits first, purchased credits kept, grants exactly once."""
import concurrent.futures
import datetime

import pytest

import emulator_faults
from chalicelib.credits.balances import Credits
from chalicelib.platform.errors import InsufficientCredits, Unauthorized
from chalicelib.keys.key_format import parse
from chalicelib.platform.models import Account, LedgerEntry


@pytest.fixture
def account(client, user, api_key):
    user_id, key_hash = parse(api_key)
    return user_id, key_hash


def balances(user_id):
    account = Account.get(user_id, consistent_read=True)
    return account.plan_balance, account.purchased_balance


def test_spending_takes_plan_credits_first_then_purchased(account):
    user_id, key_hash = account
    credits = Credits()
    assert credits.add_purchased(user_id, 10, "checkout:cs_a", "purchase", "pack")
    assert balances(user_id) == (50, 10)
    assert credits.spend(user_id, key_hash, 45) == 15
    assert balances(user_id) == (5, 10)
    assert credits.spend(user_id, key_hash, 7) == 8
    assert balances(user_id) == (0, 8)


def test_a_request_costing_more_than_the_total_spends_nothing(account):
    user_id, key_hash = account
    credits = Credits()
    credits.spend(user_id, key_hash, 48)
    with pytest.raises(InsufficientCredits):
        credits.spend(user_id, key_hash, 3)
    assert balances(user_id) == (2, 0)
    assert credits.spend(user_id, key_hash, 2) == 0
    with pytest.raises(InsufficientCredits):
        credits.spend(user_id, key_hash, 1)


def test_unknown_account_or_wrong_hash_is_unauthorized(account):
    user_id, key_hash = account
    with pytest.raises(Unauthorized):
        Credits().spend(user_id, "0" * 64, 1)
    with pytest.raises(Unauthorized):
        Credits().spend("no-such-user", key_hash, 1)
    assert balances(user_id) == (50, 0)


def test_plan_reset_replaces_the_allowance_and_keeps_purchased(account):
    user_id, key_hash = account
    credits = Credits()
    credits.add_purchased(user_id, 30, "checkout:cs_b", "purchase", "pack")
    credits.spend(user_id, key_hash, 20)
    assert balances(user_id) == (30, 30)
    assert credits.reset_plan(user_id, 1000, "invoice:in_1", "subscription", "Basic")
    assert balances(user_id) == (1000, 30)


def test_plan_reset_after_purchased_credits_were_partly_spent(account):
    user_id, key_hash = account
    credits = Credits()
    credits.add_purchased(user_id, 30, "checkout:cs_c", "purchase", "pack")
    credits.spend(user_id, key_hash, 60)
    assert balances(user_id) == (0, 20)
    assert credits.reset_plan(user_id, 50, "refill:x:1", "refill", "Free")
    assert balances(user_id) == (50, 20)
    credits.spend(user_id, key_hash, 55)
    assert balances(user_id) == (0, 15)


def test_a_repeated_grant_is_a_no_op(account):
    user_id, _ = account
    credits = Credits()
    assert credits.add_purchased(user_id, 10, "checkout:cs_d", "purchase", "pack")
    assert not credits.add_purchased(user_id, 10, "checkout:cs_d", "purchase", "pack")
    assert credits.reset_plan(user_id, 1000, "invoice:in_2", "subscription", "Basic")
    assert not credits.reset_plan(user_id, 1000, "invoice:in_2", "subscription", "Basic")
    assert balances(user_id) == (1000, 10)
    assert LedgerEntry.by_time.count(user_id) == 3


def test_a_failed_caller_condition_grants_nothing(account):
    user_id, _ = account
    granted = Credits().reset_plan(user_id, 1000, "invoice:in_3", "subscription", "Basic",
                                   condition=Account.plan == "Power")
    assert not granted
    assert balances(user_id) == (50, 0)
    assert LedgerEntry.by_time.count(user_id) == 1


def test_concurrent_duplicate_grants_apply_once(account):
    user_id, _ = account
    credits = Credits()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(
            lambda _: credits.add_purchased(user_id, 100, "checkout:cs_same", "purchase", "pack"), range(8)))
    assert results.count(True) == 1
    assert balances(user_id) == (50, 100)


def test_grants_racing_spends_stay_exact(account):
    user_id, key_hash = account
    credits = Credits()
    credits.add_purchased(user_id, 1000, "checkout:cs_e", "purchase", "pack")

    def spend(_):
        try:
            credits.spend(user_id, key_hash, 1)
            return 1
        except InsufficientCredits:
            return 0

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        spent = pool.map(spend, range(120))
        grant = pool.submit(credits.reset_plan, user_id, 50, "refill:r:1", "refill", "Free")
        total_spent = sum(spent)
        assert grant.result()
    assert total_spent == 120
    final = balances(user_id)
    assert final in [_serial_outcome(k) for k in range(121)], final


def _serial_outcome(spent_before_reset, spends=120):
    """(plan, purchased) if the reset landed after `spent_before_reset` spends."""
    k = spent_before_reset
    purchased = 1000 - max(k - 50, 0)
    plan = 50
    after = spends - k
    from_plan = min(plan, after)
    return plan - from_plan, purchased - (after - from_plan)


def test_usage_is_counted_per_day_by_the_spending_write(account):
    user_id, key_hash = account
    credits = Credits()
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    credits.spend(user_id, key_hash, 3, day=yesterday)
    credits.spend(user_id, key_hash, 2)
    credits.spend(user_id, key_hash, 1)
    usage = Account.get(user_id, consistent_read=True).usage.as_dict()
    assert usage == {yesterday.isoformat(): 3, datetime.date.today().isoformat(): 3}


def test_usage_map_stays_bounded(account):
    from chalicelib.credits import usage

    user_id, key_hash = account
    credits = Credits()
    start = datetime.date(2026, 1, 1)
    for offset in range(14):
        credits.spend(user_id, key_hash, 1, day=start + datetime.timedelta(days=offset))
    counts = Account.get(user_id, consistent_read=True).usage.as_dict()
    assert len(counts) <= usage.DAYS_ON_ACCOUNT
    assert (start + datetime.timedelta(days=13)).isoformat() in counts
    assert start.isoformat() not in counts


def test_a_spend_blocked_by_a_transaction_in_progress_is_retried_once_applied(account):
    user_id, key_hash = account
    with emulator_faults.failing("UpdateItem", emulator_faults.transaction_conflict_on_update()) as failed:
        assert Credits().spend(user_id, key_hash, 1) == 49
    assert failed == ["UpdateItem"]
    assert balances(user_id) == (49, 0)


def test_a_grant_cancelled_by_a_conflict_is_retried_and_applied_once(account):
    user_id, _ = account
    with emulator_faults.failing("TransactWriteItems", emulator_faults.transaction_cancelled_by_conflict(),
                                 times=2) as failed:
        assert Credits().add_purchased(user_id, 10, "checkout:cs_conflict", "purchase", "pack")
        assert Credits().reset_plan(user_id, 1000, "invoice:in_conflict", "plan", "Basic")
    assert len(failed) == 2
    assert balances(user_id) == (1000, 10)
    assert LedgerEntry.by_time.count(user_id) == 3


def test_a_conflict_that_persists_is_an_error_not_a_silent_loss(account):
    from pynamodb.exceptions import TransactWriteError

    user_id, _ = account
    with emulator_faults.failing("TransactWriteItems", emulator_faults.transaction_cancelled_by_conflict(),
                                 times=100):
        with pytest.raises(TransactWriteError):
            Credits().add_purchased(user_id, 10, "checkout:cs_stuck", "purchase", "pack")
    assert balances(user_id) == (50, 0)
    assert Credits().add_purchased(user_id, 10, "checkout:cs_stuck", "purchase", "pack")
    assert balances(user_id) == (50, 10)
