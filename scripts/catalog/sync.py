"""Making Stripe and the product table match validated plans: Stripe
products found by `metadata[plan]` (or a price's lookup key), new prices for
changed amounts, every Stripe change before the table is written."""
import json
import os

from chalicelib.credits.plans import ONE_OFF
from scripts import BACKEND

NEW_PRICE = "(new price)"
NEW_PRODUCT = "(new product)"
RERUN = "Run it again once the problem is fixed: it carries on where it stopped."


class SyncError(Exception):
    """Stripe or the product table failed; the message says which."""


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
    from chalicelib.platform.models import Product
    return {row.name: row for row in Product.scan(consistent_read=True)}


def _price_matches(price, product_id, spec, recurring_interval):
    if not price.active or price.product != product_id:
        return False
    if price.unit_amount != spec["amount"] or price.currency != spec["currency"]:
        return False
    # Stripe never changes a price's tax behaviour once set: another one is another price.
    if (_field(price, "tax_behavior") or "unspecified") != (spec.get("tax_behavior") or "unspecified"):
        return False
    recurring = _field(price, "recurring")
    if recurring_interval is None:
        return not recurring
    return bool(recurring) and _field(recurring, "interval") == recurring_interval and \
        (_field(recurring, "interval_count") or 1) == 1


def _describe_amount(spec, recurring_interval):
    amount = "%d.%02d %s" % (spec["amount"] // 100, spec["amount"] % 100, spec["currency"].upper())
    tax = {"inclusive": " (tax inclusive)", "exclusive": " (tax exclusive)"}.get(spec.get("tax_behavior"), "")
    return amount + (" per %s" % recurring_interval if recurring_interval else " once") + tax


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
        if spec.get("tax_behavior"):
            params["tax_behavior"] = spec["tax_behavior"]
        if interval is not None:
            params["recurring"] = {"interval": interval, "interval_count": 1}
        price = self.stripe.v1.prices.create(params=params)
        self.price_ids[(name, kind)] = price.id
        return price.id

    def _deactivate_price(self, price_id):
        self.stripe.v1.prices.update(price_id, params={"active": False})
        return price_id

    def _save_row(self, plan):
        from chalicelib.platform.models import Product
        row = self._row(plan)
        Product(plan["name"], credits=row["credits"], interval=row["interval"],
                position=row["position"], stripe_product_id=row["stripe_product_id"],
                prices=row["prices"]).save()


def _row_of(product):
    from chalicelib.credits.plans import stored_prices
    prices = {}
    for kind, price in stored_prices(product).items():
        prices[kind] = {
            "amount": int(price["amount"]) if price.get("amount") is not None else None,
            "currency": price.get("currency"),
            "lookup_key": price.get("lookup_key"),
            "price_id": price.get("price_id"),
            "tax_behavior": price.get("tax_behavior"),
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
        for field in ("amount", "currency", "lookup_key", "price_id", "tax_behavior"):
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
        raise SyncError("No stage %r in %s/.chalice/config.json" % (stage, display_path(project)))
    variables = dict(config.get("environment_variables", {}))
    variables.update(config["stages"][stage].get("environment_variables", {}))
    for name, value in variables.items():
        os.environ.setdefault(name, value)


def display_path(path):
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative
