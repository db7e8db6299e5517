"""How the business is doing, for operators: a cached aggregate.

Computing it reads every account item once (a Scan projecting a few
attributes) plus two queries of the `stats` counters (chalicelib.credits.stats);
the result is kept in the ledger table (`stats` / `summary`) and served from
there while it is younger than `max_age` seconds, so a request costs one
GetItem and the accounts table is scanned at most once per `max_age`
however many operators look. docs/operations.md gives the cost.
"""
import datetime
import json

from chalicelib.credits import stats
from chalicelib.platform import clock, db, settings
from chalicelib.billing.subscriptions import LIVE_STATUSES

CACHE_KEY = "summary"
MAX_AGE_SECONDS = 300
DAYS = 30
PROJECTION = "#plan, created_at, subscription, #usage, #on, closed_at"
# Ledger kinds the summary reports as purchases and refunds.
PURCHASE_KINDS = ("purchase", "plan")
REFUND_KINDS = ("refund", "dispute")
GIVEN_BACK_KINDS = ("refund_reversed", "dispute_reinstated")
MONTHLY_FACTOR = {"monthly": 1, "weekly": 52 / 12}


class Summary:
    def __init__(self, plans, max_age=MAX_AGE_SECONDS):
        self._plans = plans
        self._max_age = max_age

    def get(self, fresh=False):
        """The cached summary if young enough (one read), else a new one."""
        if not fresh:
            cached = self._cached()
            if cached is not None and clock.now().timestamp() - cached["computed_epoch"] < self._max_age:
                return cached["summary"]
        summary = self.compute()
        self._store(summary)
        return summary

    def compute(self, today=None):
        today = today or clock.today()
        days = [(today - datetime.timedelta(days=offset)).isoformat() for offset in range(DAYS - 1, -1, -1)]
        prices = self._recurring_prices()
        totals = Totals(days, prices)
        for item in scan_accounts():
            totals.add(item)
        kinds, moved = stats.read(days[0], days[-1])
        return totals.view(kinds, moved, computed_at=clock.iso())

    def _recurring_prices(self):
        """Plan name -> (amount per month in minor units, currency)."""
        prices = {}
        for plan in self._plans.all():
            for kind, factor in MONTHLY_FACTOR.items():
                price = plan["prices"].get(kind)
                if price and price.get("amount") is not None and price.get("currency"):
                    prices[plan["name"]] = (price["amount"] * factor, price["currency"])
        return prices

    @staticmethod
    def _cached():
        response = db.connection().client.get_item(
            TableName=settings.ledger_table(), ConsistentRead=False,
            Key={"user_id": {"S": stats.PARTITION}, "key": {"S": CACHE_KEY}})
        item = response.get("Item")
        if not item:
            return None
        return {"computed_epoch": float(item["computed_epoch"]["N"]), "summary": json.loads(item["body"]["S"])}

    @staticmethod
    def _store(summary):
        db.connection().client.put_item(TableName=settings.ledger_table(), Item={
            "user_id": {"S": stats.PARTITION}, "key": {"S": CACHE_KEY},
            "computed_epoch": {"N": str(clock.now().timestamp())},
            "body": {"S": json.dumps(summary, separators=(",", ":"))}})


def scan_accounts():
    """Every account item, a few attributes each, page by page."""
    client = db.connection().client
    arguments = dict(TableName=settings.accounts_table(), ProjectionExpression=PROJECTION,
                     ExpressionAttributeNames={"#plan": "plan", "#usage": "usage", "#on": "on"})
    while True:
        response = client.scan(**arguments)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]


class Totals:
    """Sums over account items (raw DynamoDB JSON)."""

    def __init__(self, days, prices):
        self.days = days
        self.prices = prices
        self.accounts = 0
        self.team_organisations = 0
        self.by_plan = {}
        self.subscriptions = {}
        self.mrr = {}
        self.signups = dict.fromkeys(days, 0)
        self.spent = dict.fromkeys(days, 0)

    def add(self, item):
        self.accounts += 1
        plan = item.get("plan", {}).get("S", settings.FREE_PLAN)
        self.by_plan[plan] = self.by_plan.get(plan, 0) + 1
        if "on" in item:  # a team organisation (chalicelib.orgs), not a sign-up
            self.team_organisations += "closed_at" not in item
        created = item.get("created_at", {}).get("S", "")[:10]
        if created in self.signups and "on" not in item:
            self.signups[created] += 1
        for day, value in item.get("usage", {}).get("M", {}).items():
            if day in self.spent:
                self.spent[day] += int(value["N"])
        subscription = item.get("subscription", {}).get("M")
        if subscription:
            status = subscription.get("status", {}).get("S", "unknown")
            self.subscriptions[status] = self.subscriptions.get(status, 0) + 1
            price = self.prices.get(subscription.get("plan", {}).get("S"))
            if status in LIVE_STATUSES and status != "trialing" and price:
                self.mrr[price[1]] = self.mrr.get(price[1], 0) + price[0]

    def view(self, kinds, moved, computed_at):
        spent = {day: self.spent[day] + moved.get(day, 0) for day in self.days}
        return {
            "computed_at": computed_at,
            "accounts": self.accounts,
            "team_organisations": self.team_organisations,
            "accounts_by_plan": dict(sorted(self.by_plan.items())),
            "subscriptions": {"active": self.subscriptions.get("active", 0),
                              "past_due": self.subscriptions.get("past_due", 0),
                              "by_status": dict(sorted(self.subscriptions.items()))},
            "mrr": [{"currency": currency, "amount": round(amount)} for currency, amount in sorted(self.mrr.items())],
            "credits_spent": {"today": spent[self.days[-1]], "yesterday": spent[self.days[-2]],
                              "last_30_days": sum(spent.values())},
            "daily": [{"date": day, "signups": self.signups[day], "credits_spent": spent[day]} for day in self.days],
            "last_30_days": {"purchases": _kind_totals(kinds, PURCHASE_KINDS),
                             "refunds": _kind_totals(kinds, REFUND_KINDS),
                             "given_back": _kind_totals(kinds, GIVEN_BACK_KINDS),
                             "adjustments": _kind_totals(kinds, ("adjustment",))},
        }


def _kind_totals(kinds, names):
    count = sum(day.get(name + "_count", 0) for day in kinds.values() for name in names)
    credits = sum(day.get(name + "_credits", 0) for day in kinds.values() for name in names)
    return {"count": count, "credits": credits}
