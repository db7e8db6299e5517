"""The cost model's assumptions hold: counting the DynamoDB calls of a few
requests, no route makes more requests or writes more units than
scripts/measure/cost_model.py assumes (and `make cost` prices)."""
import datetime

import pytest

from chalicelib.credits import usage
from chalicelib.credits.balances import Credits
from scripts.measure import cost_measure, cost_model, dynamodb_meter


@pytest.fixture
def counter(client, aws_stack):
    meter = dynamodb_meter.attached_to_app()
    yield cost_measure.Counter(client, meter, aws_stack["client_id"])
    meter.detach()


def test_routes_stay_within_the_assumed_requests_and_write_units(counter):
    routes, _, _ = cost_measure.measure_routes(counter, metered_calls=5, other_calls=2)
    for route, assumed in cost_model.ASSUMED_PER_ROUTE.items():
        counted = routes[route]
        assert counted["max_requests"] <= assumed["requests"], (route, counted)
        assert counted["max_write_units"] <= assumed["write_units"], (route, counted)
    assert routes["POST /test"]["max_requests"] == 1


def test_a_metered_call_is_counted_as_one_request_and_one_write_unit(counter):
    routes, _, _ = cost_measure.measure_routes(counter, metered_calls=3, other_calls=1)
    assert (routes["POST /test"]["requests"], routes["POST /test"]["write_units"]) == (1, 1)
    assert routes["GET /user"]["write_units"] == 0


def test_moving_usage_across_a_month_end_stays_within_the_assumed_units(counter):
    first_of_month = datetime.date(2026, 12, 3)
    user_id, key_hash = cost_model.seeded_account(today=first_of_month, days=usage.DAYS_ON_ACCOUNT)
    with counter.meter.measure() as tally:
        Credits().spend(user_id, key_hash, 1, day=first_of_month)
    moves = [call for call in tally.calls if call.operation == "TransactWriteItems"]
    assert len(moves) == cost_model.ASSUMED_USAGE_MOVE["requests"]
    assert 0 < sum(call.write_units for call in moves) <= cost_model.ASSUMED_USAGE_MOVE["write_units"]


def test_the_meter_counts_write_units_from_the_item_size(counter, aws_stack):
    """An item over 1 KB costs 2 write units per write: the meter must see it."""
    user_id, key_hash = cost_model.seeded_account(days=0)
    from chalicelib.platform.models import Account
    Account(user_id).update(actions=[Account.email.set("x" * 1200 + "@example.com")])
    with counter.meter.measure() as tally:
        Credits().spend(user_id, key_hash, 1)
    assert (tally.requests, tally.write_units) == (1, 2)


def test_with_three_keys_two_of_them_rate_limited_a_metered_call_is_still_one_request_and_one_unit(counter):
    """The account item holds every key's slot (and the call times of the
    limited ones); past 8 days its size no longer grows with the history."""
    from chalicelib.platform import settings
    user_id, key_hash = cost_model.seeded_account(days=usage.DAYS_ON_ACCOUNT + 1, keys=3)
    with counter.meter.measure() as tally:
        Credits().spend(user_id, key_hash, 1)
    assert (tally.requests, tally.write_units) == (1, 1)
    item = dynamodb_meter.emulator_item(settings.accounts_table(), {"user_id": {"S": user_id}})
    assert len(item["k"]["M"]) == 3 and sum(len(slot["M"]["q"]["L"]) for slot in item["k"]["M"].values()) == 16


def test_an_email_is_one_write_to_record_and_three_requests_to_send(counter):
    user_id = cost_model.seeded_account(days=0)[0]
    emails = cost_measure.measure_emails(counter, user_id, emails=2)
    for step, assumed in cost_model.ASSUMED_EMAIL.items():
        assert emails[step]["max_requests"] == assumed["requests"], (step, emails[step])
        assert emails[step]["max_write_units"] <= assumed["write_units"], (step, emails[step])
