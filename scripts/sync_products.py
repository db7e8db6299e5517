"""Make Stripe and the product table match products.json.

    python scripts/sync_products.py [--products products.json] [--dry-run] [--stage dev]

- Validates the whole file first; a bad file exits non-zero and writes nothing.
- Stripe products are found by `metadata[plan]` (or through a price's lookup
  key), never by name. Prices are immutable in Stripe: a changed amount makes
  a new price, moves the lookup key to it and deactivates the old price.
- Every Stripe change happens before the product table is written, so a run
  that fails half-way is finished by running it again.
- Running it twice changes nothing the second time, and says so.
- `--dry-run` prints the changes and writes nothing.

Reads STRIPE_SECRET_KEY (and STRIPE_API_BASE for the local Stripe sandbox),
PRODUCTS_TABLE, REGION and AWS_ENDPOINT_URL from the environment; `--stage`
fills in whatever is unset from backend/.chalice/config.json (or the Chalice
project named by CHALICE_PROJECT_DIR), including the SSM parameter holding
the stage's Stripe key, so after `make deploy` no key needs exporting.
"""
import argparse
import json
import os
import re
import sys

if not __package__:  # run as a file: make `scripts` importable
    import _bootstrap  # noqa: F401

from chalicelib.plans import ONE_OFF, PUBLIC_PRICE_FIELDS, RECURRING  # noqa: E402
from scripts import BACKEND, ROOT  # noqa: E402

DEFAULT_PRODUCTS = os.path.join(ROOT, "products.json")
FREE_PLAN = "Free"
INTERVALS = tuple(RECURRING)
PLAN_FIELDS = {"name", "credits", "interval", "prices"}
PRICE_FIELDS = set(PUBLIC_PRICE_FIELDS)
LOOKUP_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")
CURRENCY = re.compile(r"^[a-z]{3}$")
NEW_PRICE = "(new price)"
NEW_PRODUCT = "(new product)"
RERUN = "Run it again once the problem is fixed: it carries on where it stopped."


class ProductsError(Exception):
    """products.json is unusable; `problems` names each plan and field."""

    def __init__(self, problems):
        super().__init__("\n".join(problems))
        self.problems = problems


class SyncError(Exception):
    """Stripe or the product table failed; the message says which."""


# Validation -------------------------------------------------------------------

def load(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except OSError as error:
        raise ProductsError(["%s: cannot be read (%s)" % (path, error.strerror)])
    except ValueError as error:
        raise ProductsError(["%s: not valid JSON (%s)" % (path, error)])


def validate(document):
    """The plans of a products.json document, normalised, or ProductsError
    listing every problem. The only check: nothing is written before it passes.

    Returns [{"name", "credits", "interval", "position",
              "prices": {kind: {"amount", "currency", "lookup_key"}}}]."""
    problems = []
    if not isinstance(document, dict) or not isinstance(document.get("plans"), list):
        raise ProductsError(['products.json: must be an object with a "plans" list'])
    unknown = sorted(set(document) - {"plans"})
    if unknown:
        problems.append("products.json: unknown field(s) %s" % ", ".join(unknown))

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
        plans.append({"name": name, "credits": credits, "interval": interval,
                      "position": position, "prices": prices})

    if FREE_PLAN.lower() not in names:
        problems.append("plan %r: missing (every account starts on it)" % FREE_PLAN)
    elif document["plans"][names[FREE_PLAN.lower()]].get("name", "").strip() != FREE_PLAN:
        problems.append("plan %r: name: must be spelled %r" % (FREE_PLAN.lower(), FREE_PLAN))
    if problems:
        raise ProductsError(problems)
    return plans


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

def _field(obj, *path):
    """obj.a.b of a Stripe object, None where a step is missing."""
    for name in path:
        if obj is None or name not in obj:
            return None
        obj = obj[name]
    return obj


def _managed_products(stripe):
    """Stripe products that carry metadata[plan], by plan; active ones first."""
    found = {}
    for product in stripe.v1.products.list(params={"limit": 100}).auto_paging_iter():
        plan = _field(product, "metadata", "plan")
        if not plan:
            continue
        current = found.get(plan)
        if current is None or (product.active and not current.active):
            found[plan] = product
    return found


def _prices_by_lookup_key(stripe, lookup_keys):
    found = {}
    for start in range(0, len(lookup_keys), 10):  # Stripe takes up to 10 keys per request
        chunk = lookup_keys[start:start + 10]
        listing = stripe.v1.prices.list(params={"lookup_keys": chunk, "active": True, "limit": 100})
        for price in listing.auto_paging_iter():
            if _field(price, "lookup_key") in chunk:
                found[price.lookup_key] = price
    return found


def _active_prices(stripe, product_id):
    listing = stripe.v1.prices.list(params={"product": product_id, "active": True, "limit": 100})
    return [price for price in listing.auto_paging_iter() if price.active]


def _table_rows():
    from chalicelib.models import Product
    return {row.name: row for row in Product.scan(consistent_read=True)}


def _price_matches(price, product_id, spec, recurring_interval):
    if not price.active or price.product != product_id:
        return False
    if price.unit_amount != spec["amount"] or price.currency != spec["currency"]:
        return False
    recurring = _field(price, "recurring")
    if recurring_interval is None:
        return not recurring
    return bool(recurring) and _field(recurring, "interval") == recurring_interval and \
        (_field(recurring, "interval_count") or 1) == 1


def _describe_amount(spec, recurring_interval):
    amount = "%d.%02d %s" % (spec["amount"] // 100, spec["amount"] % 100, spec["currency"].upper())
    return amount + (" per %s" % recurring_interval if recurring_interval else " once")


# Planning --------------------------------------------------------------------

class Change:
    """One write: a line for the diff, and what to do."""

    def __init__(self, description, apply):
        self.description = description
        self.apply = apply


class Plan:
    """What a sync would do, computed from a read-only look at Stripe and the
    product table. Created ids are filled in while the changes apply."""

    def __init__(self, plans, stripe):
        self.plans = plans
        self.stripe = stripe
        self.changes = []
        self.product_ids = {}   # plan -> Stripe product id
        self.price_ids = {}     # (plan, kind) -> Stripe price id

    def compute(self):
        paid = [plan for plan in self.plans if plan["prices"]]
        managed = _managed_products(self.stripe)
        keys = [spec["lookup_key"] for plan in paid for spec in plan["prices"].values()]
        by_key = _prices_by_lookup_key(self.stripe, keys)
        for plan in paid:
            self._plan_product(plan, managed, by_key)
        names = {plan["name"] for plan in self.plans}
        for name, product in sorted(managed.items()):
            if name not in names and product.active:
                self._plan_retirement(name, product)
        self._plan_table(names)
        return self

    def _add(self, description, apply):
        self.changes.append(Change(description, apply))

    def _plan_product(self, plan, managed, by_key):
        name = plan["name"]
        product = managed.get(name)
        if product is None:
            # Not tagged (e.g. created by hand): reach it through a price's lookup key.
            for spec in plan["prices"].values():
                price = by_key.get(spec["lookup_key"])
                if price is not None:
                    product = self.stripe.v1.products.retrieve(price.product)
                    break
        if product is None:
            self._add("Stripe: create product %r" % name,
                      lambda: self._create_product(name))
            existing_prices = []
        else:
            self.product_ids[name] = product.id
            if product.name != name or not product.active or _field(product, "metadata", "plan") != name:
                self._add("Stripe: update product %s (%r, active, metadata plan=%s)"
                          % (product.id, name, name),
                          lambda pid=product.id: self._update_product(pid, name))
            existing_prices = _active_prices(self.stripe, product.id)

        keep = set()
        for kind, spec in sorted(plan["prices"].items()):
            interval = plan["interval"] if kind != ONE_OFF else None
            current = by_key.get(spec["lookup_key"])
            product_id = product.id if product is not None else None
            if current is not None and _price_matches(current, product_id, spec, interval):
                keep.add(current.id)
                self.price_ids[(name, kind)] = current.id
                continue
            self._add("Stripe: create price %s for %s: %s%s"
                      % (spec["lookup_key"], name, _describe_amount(spec, interval),
                         " (lookup key moves from %s)" % current.id if current is not None else ""),
                      lambda kind=kind, spec=spec, interval=interval:
                          self._create_price(name, kind, spec, interval))
        stale = {price.id: price for price in existing_prices if price.id not in keep}
        for spec in plan["prices"].values():
            current = by_key.get(spec["lookup_key"])
            if current is not None and current.id not in keep:
                stale[current.id] = current
        for price_id, price in sorted(stale.items()):
            self._add("Stripe: deactivate price %s (%s)" % (price_id, _field(price, "lookup_key") or "no lookup key"),
                      lambda price_id=price_id: self._deactivate_price(price_id))

    def _plan_retirement(self, name, product):
        for price in _active_prices(self.stripe, product.id):
            self._add("Stripe: deactivate price %s of removed plan %r" % (price.id, name),
                      lambda price_id=price.id: self._deactivate_price(price_id))
        self._add("Stripe: archive product %s of removed plan %r" % (product.id, name),
                  lambda: self.stripe.v1.products.update(product.id, params={"active": False}))

    def _plan_table(self, names):
        rows = _table_rows()
        for plan in self.plans:
            current = rows.get(plan["name"])
            wanted = self._row(plan, placeholders=True)
            if current is None:
                self._add("Table: add plan %r (%d credits per %s)"
                          % (plan["name"], plan["credits"], plan["interval"]),
                          lambda plan=plan: self._save_row(plan))
                continue
            differences = _row_differences(_row_of(current), wanted)
            if differences:
                self._add("Table: update plan %r: %s" % (plan["name"], "; ".join(differences)),
                          lambda plan=plan: self._save_row(plan))
        for name in sorted(set(rows) - names):
            self._add("Table: remove plan %r" % name, lambda row=rows[name]: row.delete())

    def _row(self, plan, placeholders=False):
        name = plan["name"]
        product_id = self.product_ids.get(name)
        if plan["prices"] and product_id is None and placeholders:
            product_id = NEW_PRODUCT
        prices = {}
        for kind, spec in plan["prices"].items():
            price_id = self.price_ids.get((name, kind)) or (NEW_PRICE if placeholders else None)
            prices[kind] = dict(spec, price_id=price_id)
        return {"credits": plan["credits"], "interval": plan["interval"], "position": plan["position"],
                "stripe_product_id": product_id, "prices": prices}

    # Writes (only through Change.apply) ---------------------------------------

    def _create_product(self, name):
        product = self.stripe.v1.products.create(params={"name": name, "metadata": {"plan": name}})
        self.product_ids[name] = product.id
        return product.id

    def _update_product(self, product_id, name):
        self.stripe.v1.products.update(product_id, params={
            "name": name, "active": True, "metadata": {"plan": name}})
        return product_id

    def _create_price(self, name, kind, spec, interval):
        params = {
            "product": self.product_ids[name],
            "unit_amount": spec["amount"],
            "currency": spec["currency"],
            "lookup_key": spec["lookup_key"],
            "transfer_lookup_key": True,
            "metadata": {"plan": name, "kind": kind},
        }
        if interval is not None:
            params["recurring"] = {"interval": interval, "interval_count": 1}
        price = self.stripe.v1.prices.create(params=params)
        self.price_ids[(name, kind)] = price.id
        return price.id

    def _deactivate_price(self, price_id):
        self.stripe.v1.prices.update(price_id, params={"active": False})
        return price_id

    def _save_row(self, plan):
        from chalicelib.models import Product
        row = self._row(plan)
        Product(plan["name"], credits=row["credits"], interval=row["interval"],
                position=row["position"], stripe_product_id=row["stripe_product_id"],
                prices=row["prices"]).save()


def _row_of(product):
    from chalicelib.plans import stored_prices
    prices = {}
    for kind, price in stored_prices(product).items():
        prices[kind] = {
            "amount": int(price["amount"]) if price.get("amount") is not None else None,
            "currency": price.get("currency"),
            "lookup_key": price.get("lookup_key"),
            "price_id": price.get("price_id"),
        }
    return {"credits": int(product.credits), "interval": product.interval,
            "position": int(product.position or 0), "stripe_product_id": product.stripe_product_id,
            "prices": prices}


def _row_differences(current, wanted):
    differences = []
    for field in ("credits", "interval", "position", "stripe_product_id"):
        if current[field] != wanted[field]:
            differences.append("%s %s -> %s" % (field, current[field], wanted[field]))
    for kind in sorted(set(current["prices"]) | set(wanted["prices"])):
        old, new = current["prices"].get(kind), wanted["prices"].get(kind)
        if old == new:
            continue
        if old is None or new is None:
            differences.append("prices.%s %s" % (kind, "added" if old is None else "removed"))
            continue
        for field in ("amount", "currency", "lookup_key", "price_id"):
            if old.get(field) != new.get(field):
                differences.append("prices.%s.%s %s -> %s" % (kind, field, old.get(field), new.get(field)))
    return differences


# Running ---------------------------------------------------------------------

def sync(plans, stripe, dry_run=False, out=print):
    """Apply (or with dry_run, only print) the changes; returns them."""
    import stripe as stripe_sdk
    from pynamodb.exceptions import PynamoDBException

    try:
        out("Reading Stripe products and prices and the product table...")
        plan = Plan(plans, stripe).compute()
        if not plan.changes:
            out("Nothing to change: Stripe and the product table already match products.json.")
            return plan.changes
        if dry_run:
            out("Dry run: %d change(s) would be made; nothing was written." % len(plan.changes))
            for change in plan.changes:
                out("  " + change.description)
            return plan.changes
        out("Applying %d change(s):" % len(plan.changes))
        for number, change in enumerate(plan.changes, 1):
            out("  [%d/%d] %s" % (number, len(plan.changes), change.description))
            result = change.apply()
            if isinstance(result, str):
                out("        -> %s" % result)
        out("Done: Stripe and the product table match products.json.")
        return plan.changes
    except stripe_sdk.StripeError as error:
        raise SyncError("Stripe refused or could not be reached: %s\n%s"
                        % (error.user_message or error, RERUN))
    except PynamoDBException as error:
        raise SyncError("The product table could not be read or written: %s\n%s" % (error, RERUN))


def load_stage_environment(stage):
    """Fill unset variables from backend/.chalice/config.json for `stage`."""
    project = os.environ.get("CHALICE_PROJECT_DIR") or BACKEND
    with open(os.path.join(project, ".chalice", "config.json")) as handle:
        config = json.load(handle)
    if stage not in config.get("stages", {}):
        raise SyncError("No stage %r in %s/.chalice/config.json" % (stage, _display(project)))
    variables = dict(config.get("environment_variables", {}))
    variables.update(config["stages"][stage].get("environment_variables", {}))
    for name, value in variables.items():
        os.environ.setdefault(name, value)


def _display(path):
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def main(argv=None, out=None):
    out = out or (lambda line: print(line, flush=True))
    parser = argparse.ArgumentParser(description="Make Stripe and the product table match products.json.")
    parser.add_argument("--products", default=DEFAULT_PRODUCTS, help="path of products.json")
    parser.add_argument("--dry-run", action="store_true", help="print the changes, write nothing")
    parser.add_argument("--stage", help="read unset settings from this Chalice stage")
    args = parser.parse_args(argv)

    try:
        plans = validate(load(args.products))
    except ProductsError as error:
        out("%s is invalid; nothing was written:" % _display(args.products))
        for problem in error.problems:
            out("  " + problem)
        return 2
    out("%s: %d plans (%s)" % (_display(args.products), len(plans),
                               ", ".join(plan["name"] for plan in plans)))
    try:
        if args.stage:
            load_stage_environment(args.stage)
        from chalicelib import stripe_client
        stripe = stripe_client.build()
        if stripe is None:
            raise SyncError("STRIPE_SECRET_KEY is not set.")
        sync(plans, stripe, dry_run=args.dry_run, out=out)
    except SyncError as error:
        out("Sync failed: %s" % error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
