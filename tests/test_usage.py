"""Daily usage: exact for 90 days while the account item stays under 1 KB,
whatever races or interrupts the move of older days to month items."""
import concurrent.futures
import datetime

import pytest
from pynamodb.signals import pre_dynamodb_send

import emulator_faults
from chalicelib.credits import usage
from chalicelib.platform import settings
from chalicelib.credits.balances import Credits
from chalicelib.keys.key_format import parse
from chalicelib.platform.models import Account
from conftest import call
from scripts.measure import cost_model, dynamodb_meter, item_size

TODAY = datetime.date(2026, 11, 29)


@pytest.fixture
def account(client, user, api_key):
    return parse(api_key)


def day(offset):
    return TODAY - datetime.timedelta(days=offset)


def rows(user_id, days=usage.MAX_DAYS, today=TODAY):
    return usage.daily_usage(Account.get(user_id, consistent_read=True), days, today=today)


def account_counts(user_id):
    return Account.get(user_id, consistent_read=True).usage.as_dict()


def test_ninety_days_are_exact_and_a_metered_call_writes_one_unit(aws_stack):
    user_id, key_hash = cost_model.seeded_account(today=TODAY)
    meter = dynamodb_meter.attached_to_app()
    try:
        with meter.measure() as tally:
            Credits().spend(user_id, key_hash, 1, day=TODAY)
    finally:
        meter.detach()
    assert (tally.requests, tally.write_units) == (1, 1)
    item = dynamodb_meter.emulator_item(settings.accounts_table(), {"user_id": {"S": user_id}})
    assert item_size.item_size(item) < item_size.WRITE_UNIT_BYTES
    expected = [cost_model.CREDITS_PER_DAY] * (usage.MAX_DAYS - 1) + [1]
    assert [row["credits"] for row in rows(user_id)] == expected
    assert [row["date"] for row in rows(user_id, days=2)] == [day(1).isoformat(), TODAY.isoformat()]


def test_get_usage_answers_from_the_account_and_the_month_items(client, user, account):
    user_id, key_hash = account
    Credits().add_purchased(user_id, 100, "checkout:cs_usage_41", "purchase", "pack")
    for offset in range(40, -1, -1):
        Credits().spend(user_id, key_hash, 1 + offset % 3, day=datetime.date.today() - datetime.timedelta(days=offset))
    status, body = call(client, "GET", "/usage?days=41", user.headers)
    assert status == 200
    assert [row["credits"] for row in body["usage"]] == [1 + offset % 3 for offset in range(40, -1, -1)]
    assert len(account_counts(user_id)) <= usage.DAYS_ON_ACCOUNT


def test_a_move_that_races_a_spend_on_a_moving_day_moves_nothing(account):
    user_id, key_hash = account
    for offset in range(usage.DAYS_ON_ACCOUNT, 0, -1):
        Credits().spend(user_id, key_hash, 1, day=day(offset))
    read_before_the_spend = account_counts(user_id)
    read_before_the_spend[day(0).isoformat()] = 0
    Credits().spend(user_id, key_hash, 2, day=day(usage.DAYS_ON_ACCOUNT))  # lands between read and move
    assert not usage.move_older_days(user_id, read_before_the_spend)
    assert rows(user_id, days=10)[1]["credits"] == 3
    Credits().spend(user_id, key_hash, 1, day=TODAY)  # the next move applies
    assert len(account_counts(user_id)) == 1
    assert [row["credits"] for row in rows(user_id, days=10)] == [0, 3] + [1] * 8


def test_concurrent_spends_over_many_days_count_every_credit(account):
    user_id, key_hash = account
    Credits().add_purchased(user_id, 1000, "checkout:cs_usage", "purchase", "pack")
    spends = [day(offset) for offset in range(29, -1, -1) for _ in range(4)]

    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda when: Credits().spend(user_id, key_hash, 1, day=when), spends))
    assert [row["credits"] for row in rows(user_id, days=30)] == [4] * 30
    assert len(account_counts(user_id)) <= usage.DAYS_ON_ACCOUNT + 1


@pytest.mark.parametrize("lost_answer", [False, True], ids=["failed", "applied-answer-lost"])
def test_an_interrupted_move_loses_and_doubles_nothing(account, lost_answer):
    user_id, key_hash = account
    for offset in range(usage.DAYS_ON_ACCOUNT, 0, -1):
        Credits().spend(user_id, key_hash, 2, day=day(offset))
    fault = emulator_faults.failing_after_applying if lost_answer else emulator_faults.failing
    credits = Credits()  # one process: it must try again on its next spend of the day
    with fault("TransactWriteItems", emulator_faults.internal_server_error(), times=1) as failed:
        assert credits.spend(user_id, key_hash, 1, day=TODAY) == 50 - 2 * usage.DAYS_ON_ACCOUNT - 1
    assert failed == ["TransactWriteItems"]
    expected = [2] * usage.DAYS_ON_ACCOUNT + [1]
    assert [row["credits"] for row in rows(user_id, days=9)] == expected
    credits.spend(user_id, key_hash, 1, day=TODAY)
    assert [row["credits"] for row in rows(user_id, days=9)] == expected[:-1] + [2]
    assert len(account_counts(user_id)) == 1


def test_a_days_first_spend_is_answered_with_the_whole_item_the_others_with_what_they_set(account):
    """A day's first spend in the process asks for the whole item, whose
    days of usage it looks at; the others for what they set (the balance and
    the thresholds a crossing is judged by, chalicelib/credits/alerts.py)."""
    user_id, key_hash = account
    Credits().add_purchased(user_id, 100, "checkout:cs_usage_days", "purchase", "pack")
    asked = []

    def note_return_values(params, **_):
        asked.append(params.get("ReturnValues"))

    clients = []

    def follow(connection, **_):
        if not any(connection.client is seen for seen in clients):
            connection.client.meta.events.register("provide-client-params.dynamodb.UpdateItem", note_return_values)
            clients.append(connection.client)

    pre_dynamodb_send.connect(follow)
    try:
        credits = Credits()
        for offset in range(20, -1, -1):
            for _ in range(3):
                credits.spend(user_id, key_hash, 1, day=day(offset))
    finally:
        pre_dynamodb_send.disconnect(follow)
        for client in clients:
            client.meta.events.unregister("provide-client-params.dynamodb.UpdateItem", note_return_values)
    assert asked == ["ALL_NEW", "UPDATED_NEW", "UPDATED_NEW"] * 21
    assert len(account_counts(user_id)) <= usage.DAYS_ON_ACCOUNT
    assert [row["credits"] for row in rows(user_id, days=21)] == [3] * 21


def test_month_items_stay_out_of_the_ledger_listing(client, user, account):
    user_id, key_hash = account
    for offset in range(usage.DAYS_ON_ACCOUNT, -1, -1):
        Credits().spend(user_id, key_hash, 1, day=day(offset))
    status, body = call(client, "GET", "/ledger", user.headers)
    assert status == 200
    assert [entry["kind"] for entry in body["entries"]] == ["signup"]


def test_a_late_spend_on_a_moved_day_is_added_to_its_month(account, monkeypatch):
    user_id, key_hash = account
    for offset in range(usage.DAYS_ON_ACCOUNT, -1, -1):
        Credits().spend(user_id, key_hash, 1, day=day(offset))
    assert list(account_counts(user_id)) == [TODAY.isoformat()]
    Credits().spend(user_id, key_hash, 5, day=day(3))  # e.g. a request that began before midnight
    monkeypatch.setattr(usage, "DAYS_ON_ACCOUNT", 1)
    Credits().spend(user_id, key_hash, 1, day=TODAY)
    assert list(account_counts(user_id)) == [TODAY.isoformat()]
    assert [row["credits"] for row in rows(user_id, days=9)] == [1, 1, 1, 1, 1, 6, 1, 1, 2]
