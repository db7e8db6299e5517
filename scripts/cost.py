"""`make cost`: what the service costs to run, from operations counted on the
local stack (scripts/cost_measure.py) times the published prices in
scripts/prices.json. Prints Markdown; `--write docs/cost.md` also saves it.

    python scripts/cost.py [--margin 80] [--region eu-west-2] [--usd-per-gbp 1.27]
"""
import argparse
import json
import math
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from scripts import cost_model  # noqa: E402

PRICES = os.path.join(ROOT, "scripts", "prices.json")
PRODUCTS = os.path.join(ROOT, "products.json")
REGIONS = ("us-east-1", "eu-west-2")
WEEKS_PER_MONTH = 52 / 12
DAYS_PER_MONTH = 365 / 12
METERED_ROUTE = "POST /test"
VISIT_ROUTES = ("GET /user", "GET /usage", "GET /ledger")
SOURCES = {
    "open_executions": "https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html",
    "partition": "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-partition-key-design.html",
    "table_throughput": "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html",
    "api_gateway": "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html",
    "lambda": "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
}


class Prices:
    def __init__(self, table, region, usd_per_gbp):
        self.table = table
        self.region = region
        self.aws = {name: entry["usd"] for name, entry in table["aws"][region].items()}
        self.lambda_config = table["lambda"]
        self.usd_per_gbp = usd_per_gbp

    def dynamodb(self, write_units, read_units):
        return (write_units * self.aws["dynamodb_write_request_unit_per_million"]
                + read_units * self.aws["dynamodb_read_request_unit_per_million"]) / 1e6

    def invocation(self, lambda_ms):
        """API Gateway request + Lambda request + billed duration (whole ms)."""
        gb_seconds = math.ceil(lambda_ms) / 1000 * self.lambda_config["memory_mb"] / 1024
        key = "lambda_%s_gb_second" % self.lambda_config["architecture"]
        return {"api_gateway": self.aws["api_gateway_rest_request_per_million"] / 1e6,
                "lambda": self.aws["lambda_request_per_million"] / 1e6 + gb_seconds * self.aws[key]}

    def transitions(self, count):
        return count * self.aws["step_functions_standard_transition_per_thousand"] / 1000


def call_cost(prices, summary):
    """By service, for one call of a route or one Stripe event."""
    cost = prices.invocation(summary["lambda_ms"])
    cost["dynamodb"] = prices.dynamodb(summary["write_units"], summary["read_units"])
    return cost


def add(*costs, times=1):
    total = {}
    for cost in costs:
        for service, usd in cost.items():
            total[service] = total.get(service, 0) + usd * times
    return total


def usage_moves(calls_per_month, days_on_account):
    """Moves of older days a month, when the calls fall on every day."""
    if calls_per_month <= 0:
        return 0
    return min(calls_per_month, DAYS_PER_MONTH) / days_on_account


def refill_week(prices, refill):
    transitions = (refill["transitions_per_period"]
                   + refill["transitions_per_execution"] / refill["periods_per_execution"])
    return {"step_functions": prices.transitions(transitions),
            "dynamodb": prices.dynamodb(refill["write_units_per_period"], 0)}


def monthly(prices, measured, plan, credits_per_month, use):
    """A user's AWS cost for a month at `use` (0..1) of their credits."""
    routes = measured["routes"]
    calls = use * credits_per_month
    move = {"dynamodb": prices.dynamodb(measured["usage_move"]["write_units"], 0)}
    parts = [add(call_cost(prices, routes[METERED_ROUTE]), times=calls),
             add(move, times=usage_moves(calls, measured["usage_move"]["days_on_account"])),
             add(*[call_cost(prices, routes[route]) for route in VISIT_ROUTES],
                 times=cost_model.ACCOUNT_PAGE_VISITS_PER_MONTH)]
    if plan == "Free":
        parts.append(add(refill_week(prices, measured["refill"]), times=WEEKS_PER_MONTH))
    else:
        parts.append(add(*[call_cost(prices, measured["stripe_events"][event])
                           for event in measured["stripe_flows"]["renewal"]]))
    return add(*parts)


def plans():
    with open(PRODUCTS) as handle:
        return json.load(handle)["plans"]


def plan_credits_per_month(plan):
    return plan["credits"] * (WEEKS_PER_MONTH if plan["interval"] == "week" else 1)


def stripe_fee_pence(stripe, amount, card, recurring):
    rate = stripe["cards"][card]
    percent = rate["percent"] + (stripe["billing"]["percent"] if recurring else 0)
    return amount * percent / 100 + rate["fixed_pence"]


def lowest_price_per_thousand(stripe, credits, aws_pence, card, recurring, margin):
    """Price per 1,000 credits of a pack/plan of `credits` at which
    (price - Stripe fee - AWS cost) / price >= margin."""
    rate = stripe["cards"][card]
    percent = (rate["percent"] + (stripe["billing"]["percent"] if recurring else 0)) / 100
    if percent + margin >= 1:
        return float("inf")
    price = (rate["fixed_pence"] + aws_pence) / (1 - percent - margin)
    return price * 1000 / credits


# -- output ---------------------------------------------------------------------------

def usd(value):
    if value == 0:
        return "$0"
    return "$%.2f" % value if value >= 0.995 else "$%.6f" % value if value < 0.01 else "$%.4f" % value


def pence(value):
    return "£%.2f" % (value / 100) if value >= 10 else "£%.4f" % (value / 100)


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def above_assumptions(measured):
    """Routes whose counted requests or write units exceed the cost model's."""
    return [route for route, assumed in cost_model.ASSUMED_PER_ROUTE.items()
            if measured["routes"][route]["max_requests"] > assumed["requests"]
            or measured["routes"][route]["max_write_units"] > assumed["write_units"]]


def section_counts(measured):
    rows = []
    for label, summary in list(measured["routes"].items()) + list(measured["stripe_events"].items()):
        name = label if label.split()[0].isupper() or label.startswith("sign-up") else "webhook %s" % label
        assumed = cost_model.ASSUMED_PER_ROUTE.get(label)
        rows.append((name, "%.2g" % summary["requests"], "%.3g" % summary["write_units"],
                     "%.3g" % summary["read_units"], "%.1f" % summary["lambda_ms"],
                     "%(requests)d / %(write_units)d" % assumed if assumed else ""))
    refill, move, item = measured["refill"], measured["usage_move"], measured["account_after_90_days"]
    notes = [
        "Free refill: %.3g state transitions a period (%s), plus %d an execution that hands over every %d "
        "weeks: %.3f a week; %d DynamoDB writes (%d write units) a period, no Lambda."
        % (refill["transitions_per_period"], ", ".join(refill["states_per_period"]),
           refill["transitions_per_execution"], refill["periods_per_execution"],
           refill["transitions_per_period"] + refill["transitions_per_execution"] / refill["periods_per_execution"],
           refill["dynamodb_requests_per_period"], refill["write_units_per_period"]),
        "Moving older usage off the account item: %d request, %d write units (a transaction), once every %d "
        "active days." % (move["requests"], move["write_units"], move["days_on_account"]),
        "Account item after 90 days of use (Power subscription, %d-character email): %d bytes, %d write "
        "unit(s) per metered call." % (len(cost_model.LONG_EMAIL), item["bytes"], item["write_units"]),
    ]
    over = above_assumptions(measured)
    notes.append("**Above the cost model's assumptions: %s.**" % ", ".join(over) if over else
                 "Every route stays within the cost model's assumptions (scripts/cost_model.py).")
    return ("## Counted operations (local stack)\n\n"
            + table(("Route or Stripe event", "DynamoDB requests", "write units", "read units", "Lambda ms (median)",
                     "assumed requests / write units"), rows)
            + "\n\n" + "\n".join("- " + note for note in notes))


def section_million(measured, all_prices):
    rows = []
    services = ("api_gateway", "lambda", "dynamodb")
    costs = {p.region: add(call_cost(p, measured["routes"][METERED_ROUTE]), times=1e6) for p in all_prices}
    for service in services:
        rows.append([service.replace("_", " ")] + [usd(costs[p.region][service]) for p in all_prices])
    rows.append(["**total**"] + ["**%s**" % usd(sum(costs[p.region].values())) for p in all_prices])
    lam = all_prices[0].lambda_config
    return ("## 1 million metered calls (`POST /test`)\n\n"
            + table(["Service"] + [p.region for p in all_prices], rows)
            + "\n\nLambda: %s, %d MB, billed on the median duration measured locally (whole ms). Not "
            "counted: CloudWatch Logs, data transfer, storage (an account is under 1 KB plus about 0.5 KB of usage "
            "a month), free tiers." % (lam["architecture"], lam["memory_mb"]))


def section_monthly(measured, all_prices):
    rows = []
    for plan in plans():
        credits = plan_credits_per_month(plan)
        for use in (0, 0.5, 1):
            rows.append(["%s (%s credits)" % (plan["name"], format(round(credits), ",")), "%d %%" % (use * 100)]
                        + [usd(sum(monthly(p, measured, plan["name"], credits, use).values())) for p in all_prices])
    return ("## A user's month (AWS only)\n\n"
            + table(["Plan", "credits used"] + [p.region for p in all_prices], rows)
            + "\n\nEach metered call spends 1 credit. Also counted: %d account-page visits a month (%s), the "
            "usage moves, and for Free the weekly refill, for subscribers the Stripe events of a renewal."
            % (cost_model.ACCOUNT_PAGE_VISITS_PER_MONTH, ", ".join(VISIT_ROUTES)))


def priced_items():
    for plan in plans():
        for kind, price in sorted((plan.get("prices") or {}).items()):
            yield plan, kind, price


def aws_pence_at_full_use(prices, measured, plan, kind):
    cost = sum(monthly(prices, measured, plan["name"], plan_credits_per_month(plan), 1).values())
    if kind == "one_off":  # no renewal; the purchase's own events instead
        cost -= sum(sum(call_cost(prices, measured["stripe_events"][e]).values())
                    for e in measured["stripe_flows"]["renewal"])
        cost += sum(sum(call_cost(prices, measured["stripe_events"][e]).values())
                    for e in measured["stripe_flows"]["pack"])
    return cost / prices.usd_per_gbp * 100


def section_stripe_and_margins(measured, prices, margin):
    stripe = prices.table["stripe"]
    cards = list(stripe["cards"])
    fee_rows, margin_rows, floor_rows = [], [], []
    for plan, kind, price in priced_items():
        amount, recurring = price["amount"], kind != "one_off"
        label = "%s %s" % (plan["name"], "monthly" if recurring else "pack")
        fees = [stripe_fee_pence(stripe, amount, card, recurring) for card in cards]
        fee_rows.append([label, pence(amount)] + [pence(fee) for fee in fees])
        aws = aws_pence_at_full_use(prices, measured, plan, kind)
        margin_rows.append([label, pence(amount), pence(aws)]
                           + ["%.1f %%" % ((amount - fee - aws) / amount * 100) for fee in fees])
        floor_rows.append([label, format(plan["credits"], ","), pence(amount * 1000 / plan["credits"])]
                          + [pence(lowest_price_per_thousand(stripe, plan["credits"], aws, card, recurring,
                                                             margin / 100)) for card in cards])
    card_names = [stripe["cards"][card]["label"] for card in cards]
    rates = ", ".join("%s %s %% + %dp" % (stripe["cards"][c]["label"], stripe["cards"][c]["percent"],
                                          stripe["cards"][c]["fixed_pence"]) for c in cards)
    return "\n\n".join([
        "## Stripe fees per payment\n\n" + table(["Price", "amount"] + card_names, fee_rows)
        + "\n\n%s, as published on %s (%s); subscriptions add Stripe Billing's %s %% (%s)."
        % (rates, stripe["published"], stripe["source"], stripe["billing"]["percent"], stripe["billing"]["source"]),
        "## Margin at 100 %% use of the credits (%s, $%.2f = £1)\n\n" % (prices.region, prices.usd_per_gbp)
        + table(["Price", "amount", "AWS cost"] + card_names, margin_rows),
        "## Lowest price per 1,000 credits for a %d %% margin (%s)\n\n" % (margin, prices.region)
        + table(["Price", "credits", "today per 1,000"] + card_names, floor_rows)
        + "\n\nStripe's fixed 20p dominates small payments: the floor falls as the pack grows.",
    ])


def section_limits(measured):
    write_units = measured["routes"][METERED_ROUTE]["max_write_units"]
    rows = [
        ("Free users per Region", "about 1,000,000", "one open Standard execution each; quota 1,000,000 open "
         "executions per account and Region", SOURCES["open_executions"]),
        ("Metered calls/s for one account", format(1000 // write_units, ","), "1,000 write units/s per partition"
         " ÷ %d write unit(s) per call (one item per account)" % write_units, SOURCES["partition"]),
        ("Metered calls/s for all accounts", "40,000", "on-demand table default of 40,000 write units/s "
         "(raisable)", SOURCES["table_throughput"]),
        ("API requests/s per Region", "10,000", "API Gateway account throttle (burst 5,000; raisable)",
         SOURCES["api_gateway"]),
        ("Concurrent requests", "1,000", "Lambda concurrency per Region (raisable)", SOURCES["lambda"]),
        ("Accounts per table", "no limit", "DynamoDB limits neither items nor table size; an account is one "
         "item plus one usage item a month", SOURCES["table_throughput"]),
    ]
    return "## Scale limits\n\n" + table(("Limit", "figure", "why", "source"), rows)


def section_prices(table_):
    rows = []
    for region, entries in table_["aws"].items():
        for name, entry in entries.items():
            amount = ("%.10f" % entry["usd"]).rstrip("0").rstrip(".")
            rows.append((region, name.replace("_", " "), "$" + amount, entry["source"], entry["published"]))
    return ("## Prices used (scripts/prices.json)\n\n" + table(("Region", "price", "USD", "page", "as published on"), rows)
            + "\n\n" + table_["note"])


def report(measured, prices_table, region, margin, usd_per_gbp):
    all_prices = [Prices(prices_table, r, usd_per_gbp) for r in REGIONS]
    chosen = Prices(prices_table, region, usd_per_gbp)
    return "\n\n".join([
        section_million(measured, all_prices),
        section_monthly(measured, all_prices),
        section_stripe_and_margins(measured, chosen, margin),
        section_limits(measured),
        section_counts(measured),
        section_prices(prices_table),
    ]) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--margin", type=float, default=80, help="margin in %% for the price floor (default 80)")
    parser.add_argument("--region", choices=REGIONS, default="eu-west-2", help="Region for the margins")
    parser.add_argument("--usd-per-gbp", type=float, help="exchange rate (default from prices.json)")
    parser.add_argument("--write", metavar="PATH", help="also write the report under a title to PATH")
    args = parser.parse_args(argv)
    with open(PRICES) as handle:
        prices_table = json.load(handle)
    started = time.monotonic()
    from scripts import cost_measure
    measured = cost_measure.measure()
    text = report(measured, prices_table, args.region, args.margin,
                  args.usd_per_gbp or prices_table["exchange"]["usd_per_gbp"])
    print(text)
    print("(measured on the local stack in %.0f s)" % (time.monotonic() - started))
    if args.write:
        with open(args.write, "w") as handle:
            handle.write("# What it costs\n\nGenerated by `make cost` (`scripts/cost.py --write docs/cost.md`); "
                         "see the README for what is counted and how.\n\n" + text)


if __name__ == "__main__":
    main()
