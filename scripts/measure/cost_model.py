"""What the cost model assumes, in one place: `make cost` multiplies these by
prices, and tests/test_measure_cost_model.py fails when the counted operations of a
route rise above them. Also builds the account the figures are measured on.
"""
import datetime
import time
import uuid

# DynamoDB requests and write units per call, as counted on the local stack
# (dynamodb_meter.py). Raise a figure here only with the reason.
ASSUMED_PER_ROUTE = {
    "POST /test": {"requests": 1, "write_units": 1},
    "GET /user": {"requests": 1, "write_units": 0},
    "GET /keys": {"requests": 2, "write_units": 0},
    "GET /usage": {"requests": 2, "write_units": 0},
    "GET /ledger": {"requests": 2, "write_units": 0},
    "GET /plans": {"requests": 1, "write_units": 0},
}
# The daily usage moved off the account item (chalicelib/credits/usage.py): one
# transaction of the account, at most two month items and the operators'
# spent counters of the same months (chalicelib/credits/stats.py), about once every
# DAYS_ON_ACCOUNT active days.
ASSUMED_USAGE_MOVE = {"requests": 1, "write_units": 10}
# An email: recording its cause is one conditional PutItem (never a read);
# sending it claims the item, reads the account's address and opt-outs and
# marks the item sent (chalicelib/notices).
ASSUMED_EMAIL = {"record": {"requests": 1, "write_units": 1}, "send": {"requests": 3, "write_units": 2}}
# A user looks at the account page (GET /user, /usage, /ledger) this often.
ACCOUNT_PAGE_VISITS_PER_MONTH = 4

# The account the write units are measured on: 90 days of use, an active
# subscription as the webhook records it, a long email address.
LONG_EMAIL = "firstname.middlename.lastname.department@mail.subsidiary-example-company.co.uk"
HISTORY_DAYS = 90
CREDITS_PER_DAY = 3400  # a Power subscriber using all 100,000 credits a month


# The keys the figures are measured with, in turn: no limit, 5 per second,
# 10 per minute. A limit of N keeps N call times on the account item.
SEEDED_LIMITS = [None, {"requests": 5, "per": "second"}, {"requests": 10, "per": "minute"}]


def seeded_keys(count):
    """(name, rate limit) of `count` keys."""
    return [("service-%02d" % n, SEEDED_LIMITS[n % len(SEEDED_LIMITS)]) for n in range(count)]


def fill_call_times(user_id, seconds_ago=3600):
    """Every key's queue of call times full of real times (the largest the
    account item gets), old enough to leave every limit open."""
    from chalicelib.keys.account_keys import slots_of
    from chalicelib.platform.models import Account

    account = Account.get(user_id, consistent_read=True)
    past = int(time.time()) - seconds_ago
    Account(user_id).update(actions=[
        Account.api_keys[key_id]["q"].set({"L": [{"N": str(past + i)} for i in range(len(slot["q"]))]})
        for key_id, slot in slots_of(account).items()])


def seeded_account(today=None, days=HISTORY_DAYS, per_day=CREDITS_PER_DAY, keys=1, team=False):
    """A provisioned account with `keys` API keys (seeded_keys), `days` days
    of usage before `today`, an active Power subscription and a long email;
    with `team`, a team organisation with the longest name instead, owned by
    such an account, its keys made by that owner. Returns (account id, hash
    of the first key)."""
    from chalicelib.accounts.lifecycle import Accounts
    from chalicelib.keys.account_keys import ApiKeys
    from chalicelib.credits.balances import Credits
    from chalicelib.keys.key_format import parse
    from chalicelib.platform.models import Account, SubscriptionAttribute
    from chalicelib.credits.plans import Plans
    from chalicelib.keys.rate_limits import RateLimit

    today = today or datetime.date.today()
    user_id = str(uuid.uuid4())
    account = Accounts(Plans()).provision(user_id, LONG_EMAIL)
    if team:
        from chalicelib.orgs.directory import MAX_NAME, Directory

        owner = user_id
        user_id = Directory().create(owner, LONG_EMAIL, ("Team " + "x" * MAX_NAME)[:MAX_NAME])["id"]
        account = Account.get(user_id, consistent_read=True)
    else:
        owner = None
    created = [(ApiKeys().create(account, name, None, created_by=owner)[0], limit)
               for name, limit in seeded_keys(keys)]
    key_hashes = [parse(key["key"])[1] for key, _ in created]
    Credits().add_purchased(user_id, days * per_day * 2, "checkout:cs_seed_%s" % user_id, "purchase", "seed")
    now = int(time.time())
    Account(user_id).update(actions=[
        Account.plan.set("Power"),
        Account.stripe_customer_id.set("cus_" + uuid.uuid4().hex[:14]),
        Account.subscription.set(SubscriptionAttribute(
            id="sub_" + uuid.uuid4().hex[:24], plan="Power", status="active",
            current_period_end=now + 30 * 86400, cancel_at_period_end=False, event_created=now)),
        Account.subscription_synced_at.set(time.time_ns()),
        Account.plan_period_start.set(now),
        Account.refill_generation.set(1),
        Account.refill_period.set(12),
    ])
    credits = Credits()
    for offset in range(days, 0, -1):
        for key_hash in key_hashes:  # every key used every day
            credits.spend(user_id, key_hash, per_day // len(key_hashes), day=today - datetime.timedelta(days=offset))
    for key, limit in created:  # limits set after the history, which is made in seconds
        if limit is not None:
            ApiKeys().update(Account.get(user_id, consistent_read=True), key["id"], limit=RateLimit.parse(limit))
    fill_call_times(user_id)
    return user_id, key_hashes[0]
