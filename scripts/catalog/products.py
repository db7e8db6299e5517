"""products.json: reading it and checking every plan and price before
anything is written (the problems name the plan and the field)."""
import json
import os
import re

from chalicelib.credits.plans import ONE_OFF, PUBLIC_PRICE_FIELDS, RECURRING
from scripts import ROOT

DEFAULT_PRODUCTS = os.path.join(ROOT, "products.json")
FREE_PLAN = "Free"
INTERVALS = tuple(RECURRING)
PLAN_FIELDS = {"name", "credits", "interval", "prices"}
PRICE_FIELDS = set(PUBLIC_PRICE_FIELDS)
LOOKUP_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")
CURRENCY = re.compile(r"^[a-z]{3}$")
TAX_BEHAVIORS = ("inclusive", "exclusive")


class ProductsError(Exception):
    """products.json is unusable; `problems` names each plan and field."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


# Validation -------------------------------------------------------------------

def load(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except OSError as error:
        raise ProductsError(["%s: cannot be read (%s)" % (path, error.strerror)])
    except ValueError as error:
        raise ProductsError(["%s: not valid JSON (%s)" % (path, error)])


def load_plans(path=DEFAULT_PRODUCTS):
    """The validated plans of products.json (or `path`)."""
    return validate(load(path))


def validate(document):
    """The plans of a products.json document, normalised, or ProductsError
    listing every problem. The only check: nothing is written before it passes.

    Returns [{"name", "credits", "interval", "position",
              "prices": {kind: {"amount", "currency", "lookup_key", "tax_behavior"}}}]:
    `tax_behavior` is the document's `tax.behavior` when `tax.enabled`, else None."""
    problems = []
    if not isinstance(document, dict) or not isinstance(document.get("plans"), list):
        raise ProductsError(['products.json: must be an object with a "plans" list'])
    unknown = sorted(set(document) - {"plans", "tax"})
    if unknown:
        problems.append("products.json: unknown field(s) %s" % ", ".join(unknown))

    tax_behavior = _validate_tax(document.get("tax"), problems)
    plans, names, lookup_keys = [], {}, {}
    for position, raw in enumerate(document["plans"]):
        label = "plan #%d" % (position + 1)
        if not isinstance(raw, dict):
            problems.append("%s: must be an object" % label)
            continue
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append("%s: name is missing" % label)
            continue
        name = name.strip()
        label = "plan %r" % name
        if name.lower() in names:
            problems.append("%s: name: duplicate (also plan #%d)" % (label, names[name.lower()] + 1))
            continue
        names[name.lower()] = position
        for field in sorted(set(raw) - PLAN_FIELDS):
            problems.append("%s: %s: unknown field" % (label, field))

        credits = raw.get("credits")
        if "credits" not in raw:
            problems.append("%s: credits: missing" % label)
        elif isinstance(credits, bool) or not isinstance(credits, int) or credits <= 0:
            problems.append("%s: credits: must be a positive integer, not %s"
                            % (label, json.dumps(credits)))
        interval = raw.get("interval")
        if interval not in INTERVALS:
            problems.append("%s: interval: must be %s, not %s"
                            % (label, " or ".join(INTERVALS), json.dumps(interval)))

        prices = _validate_prices(label, name, raw.get("prices"), interval, lookup_keys, problems)
        for price in prices.values():
            price["tax_behavior"] = tax_behavior
        plans.append({"name": name, "credits": credits, "interval": interval,
                      "position": position, "prices": prices})

    if FREE_PLAN.lower() not in names:
        problems.append("plan %r: missing (every account starts on it)" % FREE_PLAN)
    elif document["plans"][names[FREE_PLAN.lower()]].get("name", "").strip() != FREE_PLAN:
        problems.append("plan %r: name: must be spelled %r" % (FREE_PLAN.lower(), FREE_PLAN))
    if problems:
        raise ProductsError(problems)
    return plans


def _validate_tax(tax, problems):
    """The prices' `tax_behavior` from `"tax": {"enabled": true|false, "behavior":
    "inclusive"|"exclusive"}` (absent: no tax), or None."""
    if tax is None:
        return None
    if not isinstance(tax, dict) or set(tax) - {"enabled", "behavior"} or not isinstance(tax.get("enabled"), bool):
        problems.append('products.json: tax: must be {"enabled": true|false, "behavior": "inclusive"|"exclusive"}')
        return None
    behavior = tax.get("behavior")
    if behavior not in TAX_BEHAVIORS:
        problems.append("products.json: tax.behavior: must be %s, not %s"
                        % (" or ".join(TAX_BEHAVIORS), json.dumps(behavior)))
        return None
    return behavior if tax["enabled"] else None


def _validate_prices(label, name, prices, interval, lookup_keys, problems):
    if name == FREE_PLAN:
        if prices:
            problems.append("%s: prices: must be empty (Free is not sold)" % label)
        return {}
    if not isinstance(prices, dict) or not prices:
        problems.append("%s: prices: missing (a paid plan needs %s and %s amounts)"
                        % (label, ONE_OFF, RECURRING.get(interval, "monthly")))
        return {}
    expected = [ONE_OFF] + ([RECURRING[interval]] if interval in RECURRING else [])
    # With a bad interval only that is reported, not the price named after it.
    allowed = set(expected) if interval in RECURRING else {ONE_OFF} | set(RECURRING.values())
    for kind in sorted(set(prices) - allowed):
        problems.append("%s: prices.%s: unknown price (expected %s)" % (label, kind, " and ".join(expected)))
    result = {}
    for kind in expected:
        field = "prices.%s" % kind
        price = prices.get(kind)
        if not isinstance(price, dict):
            problems.append("%s: %s: missing" % (label, field))
            continue
        for extra in sorted(set(price) - PRICE_FIELDS):
            problems.append("%s: %s.%s: unknown field" % (label, field, extra))
        amount = price.get("amount")
        if "amount" not in price:
            problems.append("%s: %s.amount: missing" % (label, field))
        elif isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            problems.append("%s: %s.amount: must be a positive integer in minor units (e.g. 500 "
                            "for 5.00), not %s" % (label, field, json.dumps(amount)))
        currency = price.get("currency")
        currency = currency.lower() if isinstance(currency, str) else currency
        if not isinstance(currency, str) or not CURRENCY.match(currency):
            problems.append("%s: %s.currency: must be a three-letter ISO code such as \"gbp\", not %s"
                            % (label, field, json.dumps(price.get("currency"))))
        lookup_key = price.get("lookup_key", "%s_%s" % (name.lower(), kind))
        if not isinstance(lookup_key, str) or not LOOKUP_KEY.match(lookup_key):
            problems.append("%s: %s.lookup_key: must be 1-200 letters, digits or _.-, not %s"
                            % (label, field, json.dumps(lookup_key)))
        elif lookup_key in lookup_keys:
            problems.append("%s: %s.lookup_key: %r is already used by %s"
                            % (label, field, lookup_key, lookup_keys[lookup_key]))
        else:
            lookup_keys[lookup_key] = "%s %s" % (name, field)
        result[kind] = {"amount": amount, "currency": currency, "lookup_key": lookup_key}
    return result


# Reading the current state ---------------------------------------------------
