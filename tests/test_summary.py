"""The operators' summary: counts from account items and the day counters,
MRR from live subscriptions' prices, served from a cache between refreshes."""
import uuid

from chalicelib.platform import reset_services
from chalicelib.platform import clock
from chalicelib.operators.adjustments import Adjustments
from chalicelib.credits.balances import Credits
from chalicelib.keys.key_format import parse
from chalicelib.platform.models import Account, SubscriptionAttribute
from chalicelib.operators.summary import Summary
from conftest import call


class FixedPlans:
    def all(self):
        return [{"name": "Basic", "prices": {"monthly": {"amount": 900, "currency": "usd"}}},
                {"name": "Weekly", "prices": {"weekly": {"amount": 300, "currency": "eur"}}}]


def subscribe(user_id, plan, status):
    Account(user_id).update(actions=[Account.plan.set(plan), Account.subscription.set(
        SubscriptionAttribute(id="sub_" + uuid.uuid4().hex[:8], plan=plan, status=status))])


def test_the_summary_counts_what_happened_since_the_last_one(client, new_user):
    summary = Summary(FixedPlans())
    before = summary.compute()
    users = [new_user() for _ in range(3)]
    keys = [call(client, "POST", "/generate-key", user.headers)[1]["key"] for user in users]
    subscribe(users[0].id, "Basic", "active")
    subscribe(users[1].id, "Weekly", "past_due")
    subscribe(users[2].id, "Basic", "canceled")
    user_id, key_hash = parse(keys[0])
    for _ in range(3):
        Credits().spend(user_id, key_hash, 2)
    Credits().add_purchased(users[1].id, 100, "checkout:cs_" + uuid.uuid4().hex, "purchase", "Pack")
    Adjustments(Credits()).apply(users[2].id, 5, "plan", "goodwill", uuid.uuid4().hex, "cli:t")
    after = summary.compute()

    def delta(read):
        return read(after) - read(before)

    assert delta(lambda s: s["accounts"]) == 3
    assert delta(lambda s: s["accounts_by_plan"].get("Basic", 0)) == 2
    assert delta(lambda s: s["subscriptions"]["active"]) == 1
    assert delta(lambda s: s["subscriptions"]["past_due"]) == 1
    mrr = {row["currency"]: row["amount"] for row in after["mrr"]}
    mrr_before = {row["currency"]: row["amount"] for row in before["mrr"]}
    assert mrr.get("usd", 0) - mrr_before.get("usd", 0) == 900
    assert mrr.get("eur", 0) - mrr_before.get("eur", 0) == 1300  # 300 a week, 52/12 weeks a month
    assert delta(lambda s: s["credits_spent"]["today"]) == 6
    assert delta(lambda s: s["credits_spent"]["last_30_days"]) == 6
    assert delta(lambda s: s["daily"][-1]["signups"]) == 3
    assert after["daily"][-1]["date"] == clock.today().isoformat() and len(after["daily"]) == 30
    assert delta(lambda s: s["last_30_days"]["purchases"]["count"]) == 1
    assert delta(lambda s: s["last_30_days"]["purchases"]["credits"]) == 100
    assert delta(lambda s: s["last_30_days"]["adjustments"]["credits"]) == 5


def test_usage_moved_off_account_items_still_counts(client, user, api_key):
    from chalicelib.credits import usage
    from chalicelib.platform import db
    summary = Summary(FixedPlans())
    user_id, key_hash = parse(api_key)
    Credits().spend(user_id, key_hash, 3)
    today = clock.today().isoformat()
    before = summary.compute()["credits_spent"]["today"]
    db.connection().client.transact_write_items(TransactItems=usage.move_items(user_id, {today: 3}))
    assert today not in Account.get(user_id, consistent_read=True).usage.as_dict()
    assert summary.compute()["credits_spent"]["today"] == before


def test_the_summary_is_served_from_its_cache_until_it_is_older_than_max_age(aws_stack):
    reset_services()
    cached = Summary(FixedPlans(), max_age=300)
    first = cached.get(fresh=True)
    assert cached.get()["computed_at"] == first["computed_at"]
    assert Summary(FixedPlans(), max_age=0).get()["computed_at"] != first["computed_at"]
