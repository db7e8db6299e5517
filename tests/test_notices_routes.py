"""`GET /notifications` and `PUT /notifications`: the customer's switches for
optional emails, stored on the account item only when turned off."""
import pytest

from chalicelib.platform.models import Account
from conftest import call

ALL_ON = {"low_balance": True, "product_updates": True}


def test_both_are_on_until_turned_off(client, user):
    assert call(client, "GET", "/notifications", user.headers) == (200, ALL_ON)
    assert Account.get(user.id, consistent_read=True).email_off is None


def test_a_put_is_stored_and_read_back(client, user):
    wanted = {"low_balance": False, "product_updates": True}
    assert call(client, "PUT", "/notifications", user.headers, wanted) == (200, wanted)
    assert call(client, "GET", "/notifications", user.headers) == (200, wanted)
    assert Account.get(user.id, consistent_read=True).email_off == {"low_balance"}
    assert call(client, "PUT", "/notifications", user.headers, ALL_ON) == (200, ALL_ON)
    assert Account.get(user.id, consistent_read=True).email_off is None


@pytest.mark.parametrize("body", [
    {}, {"low_balance": False}, {"low_balance": "no", "product_updates": True},
    {"low_balance": 0, "product_updates": True}, {"low_balance": True, "product_updates": True, "other": True},
    {"low_balance": None, "product_updates": True},
])
def test_anything_but_the_two_booleans_is_refused(client, user, body):
    status, answer = call(client, "PUT", "/notifications", user.headers, body)
    assert status == 400 and answer["error"]["code"] == "invalid_notifications"
    assert call(client, "GET", "/notifications", user.headers) == (200, ALL_ON)


def test_not_json_and_no_token_are_refused(client, user):
    assert call(client, "PUT", "/notifications", user.headers, body="{nope")[1]["error"]["code"] == "invalid_json"
    assert call(client, "GET", "/notifications")[0] == 401
    assert call(client, "PUT", "/notifications", body=ALL_ON)[0] == 401
