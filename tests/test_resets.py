"""`next_reset_at` on GET /user: when the plan credits are next reset."""
import datetime

from chalicelib.platform.models import Account, SubscriptionAttribute
from chalicelib.accounts.resets import ResetSchedule

NEW_YEAR = 1798761600  # 2027-01-01T00:00:00Z


def get_user(client, user):
    response = client.http.get("/user", headers=user.headers)
    assert response.status_code == 200, response.body
    return response.json_body["user"]


def test_a_subscription_resets_at_its_current_period_end(client, user):
    get_user(client, user)
    Account(user.id).update(actions=[
        Account.plan.set("Basic"),
        Account.subscription.set(SubscriptionAttribute(id="sub_1", plan="Basic", status="active",
                                                       current_period_end=NEW_YEAR)),
    ])
    assert get_user(client, user)["next_reset_at"] == "2027-01-01T00:00:00Z"


def test_unknown_without_a_refill_or_a_period_end(client, user):
    assert get_user(client, user)["next_reset_at"] is None      # Free, no state machine here
    Account(user.id).update(actions=[Account.plan.set("Basic")])  # paid, period end not yet known
    assert get_user(client, user)["next_reset_at"] is None


class Free:
    plan = "Free"
    user_id = "someone"


class Refills:
    def __init__(self, answer):
        self.answer = answer

    def next_grant_at(self, account):
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_a_free_account_resets_at_its_next_refill():
    moment = datetime.datetime(2026, 12, 6, 4, 30, 15, 123456, tzinfo=datetime.timezone.utc)
    assert ResetSchedule(lambda: Refills(moment)).next_reset_at(Free()) == "2026-12-06T04:30:15Z"
    assert ResetSchedule(lambda: Refills(None)).next_reset_at(Free()) is None


def test_an_unreadable_refill_execution_leaves_it_unknown():
    failing = Refills(RuntimeError("Step Functions is throttling"))
    assert ResetSchedule(lambda: failing).next_reset_at(Free()) is None
