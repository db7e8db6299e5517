"""scripts/sync_products.py against a fresh Stripe sandbox and a fresh
product table per test (sync makes both match the file it is given, so the
shared ones are left alone)."""
import copy
import json
import uuid

import pytest

from scripts import sync_products
from scripts.devstack.ports import free_port
from scripts.devstack.stripe import StripeSandbox

with open(sync_products.DEFAULT_PRODUCTS) as _handle:
    PRODUCTS = json.load(_handle)


class Stack:
    def __init__(self, sandbox, tmp_path):
        from chalicelib.billing import stripe_client
        self.sandbox = sandbox
        self.stripe = stripe_client.build(max_network_retries=0)
        self.tmp_path = tmp_path
        self.lines = []

    def write(self, document):
        path = self.tmp_path / ("products-%s.json" % uuid.uuid4().hex[:6])
        path.write_text(json.dumps(document))
        return str(path)

    def run(self, document=None, *args):
        """Runs the script's main() on `document` (default: products.json)."""
        self.lines = []
        path = self.write(document if document is not None else PRODUCTS)
        code = sync_products.main(["--products", path] + list(args), out=self.lines.append)
        return code

    @property
    def output(self):
        return "\n".join(self.lines)

    def products(self):
        return list(self.stripe.v1.products.list(params={"limit": 100}).auto_paging_iter())

    def prices(self, **params):
        return list(self.stripe.v1.prices.list(params=dict(limit=100, **params)).auto_paging_iter())

    def price(self, lookup_key):
        found = self.stripe.v1.prices.list(params={"lookup_keys": [lookup_key], "active": True}).data
        assert len(found) == 1, lookup_key
        return found[0]

    def snapshot(self):
        """Everything sync could have written."""
        from chalicelib.platform.models import Product
        from chalicelib.credits.plans import Plans
        return {
            "products": sorted((p.id, p.name, p.active, p.metadata.to_dict()) for p in self.products()),
            "prices": sorted((p.id, p.active, p.lookup_key, p.unit_amount) for p in self.prices()),
            "table": sorted((Plans.view(row)["name"], json.dumps(Plans.view(row), sort_keys=True),
                             row.stripe_product_id) for row in Product.scan(consistent_read=True)),
        }


@pytest.fixture
def stack(aws_stack, monkeypatch, tmp_path):
    from chalicelib.platform.models import Product

    sandbox = StripeSandbox(host="127.0.0.1", port=0).start()
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_sync")
    monkeypatch.setenv("STRIPE_API_BASE", sandbox.url)
    monkeypatch.setenv("STRIPE_MAX_NETWORK_RETRIES", "0")
    monkeypatch.setattr(Product.Meta, "table_name", "products-sync-%s" % uuid.uuid4().hex[:8])
    Product.create_table(billing_mode="PAY_PER_REQUEST", wait=True)
    try:
        yield Stack(sandbox, tmp_path)
    finally:
        Product.delete_table()
        sandbox.stop()


def with_change(change):
    document = copy.deepcopy(PRODUCTS)
    change({plan["name"]: plan for plan in document["plans"]}, document)
    return document


def test_sync_from_empty_creates_products_prices_and_rows(stack, client):
    assert stack.run() == 0, stack.output
    assert "Applying" in stack.output and "[1/" in stack.output

    products = {p.metadata["plan"]: p for p in stack.products()}
    assert sorted(products) == ["Basic", "Power"]          # Free is not sold
    for name, plan in (("Basic", (500, 1000)), ("Power", (5000, 100000))):
        one_off = stack.price(name.lower() + "_one_off")
        monthly = stack.price(name.lower() + "_monthly")
        assert (one_off.unit_amount, one_off.currency, one_off.recurring) == (plan[0], "gbp", None)
        assert (monthly.unit_amount, monthly.currency) == (plan[0], "gbp")
        assert (monthly.recurring.interval, monthly.recurring.interval_count) == ("month", 1)
        assert one_off.product == monthly.product == products[name].id

    from chalicelib.platform.models import Product
    basic = Product.get("Basic", consistent_read=True)
    assert basic.stripe_product_id == products["Basic"].id
    assert basic.prices.as_dict()["monthly"]["price_id"] == stack.price("basic_monthly").id
    free = Product.get("Free", consistent_read=True)
    assert (int(free.credits), free.interval, free.stripe_product_id) == (50, "week", None)

    response = client.http.get("/plans")
    assert response.status_code == 200
    plans = json.loads(response.body)["plans"]
    assert [p["name"] for p in plans] == ["Free", "Basic", "Power"]
    assert plans[0] == {"name": "Free", "credits": 50, "interval": "week", "prices": {}}
    assert plans[1] == {"name": "Basic", "credits": 1000, "interval": "month", "prices": {
        "one_off": {"amount": 500, "currency": "gbp", "lookup_key": "basic_one_off", "tax_behavior": "inclusive"},
        "monthly": {"amount": 500, "currency": "gbp", "lookup_key": "basic_monthly", "tax_behavior": "inclusive"}}}
    assert plans[2]["credits"] == 100000
    assert stack.price("basic_one_off").tax_behavior == "inclusive"


def test_a_changed_tax_behavior_makes_new_prices_and_a_bad_tax_setting_is_refused(stack):
    assert stack.run() == 0
    old = stack.price("power_one_off")
    assert stack.run(dict(PRODUCTS, tax={"enabled": True, "behavior": "exclusive"})) == 0
    assert "5000" not in stack.output and "50.00 GBP once (tax exclusive)" in stack.output
    new = stack.price("power_one_off")
    assert (new.id != old.id, new.tax_behavior, new.unit_amount) == (True, "exclusive", 5000)
    assert stack.run(dict(PRODUCTS, tax={"enabled": False, "behavior": "exclusive"})) == 0
    assert stack.price("power_one_off").tax_behavior == "unspecified"
    for bad in ({"enabled": "yes", "behavior": "inclusive"}, {"enabled": True, "behavior": "gross"}, []):
        assert stack.run(dict(PRODUCTS, tax=bad)) == 2
        assert "tax" in stack.output


def test_second_sync_changes_nothing_and_says_so(stack):
    assert stack.run() == 0
    before = stack.snapshot()
    events = len(stack.sandbox.events())

    assert stack.run() == 0
    assert "Nothing to change" in stack.output
    assert stack.snapshot() == before
    assert len(stack.sandbox.events()) == events


def test_changed_amount_makes_a_new_price_and_retires_the_old_one(stack):
    assert stack.run() == 0
    old = stack.price("basic_monthly")
    one_off = stack.price("basic_one_off")

    def cheaper(plans, _):
        plans["Basic"]["prices"]["monthly"]["amount"] = 450
        plans["Basic"]["credits"] = 1200
    assert stack.run(with_change(cheaper)) == 0, stack.output

    new = stack.price("basic_monthly")
    assert new.id != old.id and new.unit_amount == 450 and new.product == old.product
    retired = stack.stripe.v1.prices.retrieve(old.id)
    assert retired.active is False and retired.lookup_key is None
    assert stack.price("basic_one_off").id == one_off.id          # untouched

    from chalicelib.platform.models import Product
    basic = Product.get("Basic", consistent_read=True)
    assert int(basic.credits) == 1200
    assert basic.prices.as_dict()["monthly"] == {
        "amount": 450, "currency": "gbp", "lookup_key": "basic_monthly", "price_id": new.id,
        "tax_behavior": "inclusive"}
    assert stack.run(with_change(cheaper)) == 0 and "Nothing to change" in stack.output


def test_dry_run_prints_the_diff_and_writes_nothing(stack):
    assert stack.run(None, "--dry-run") == 0
    assert "Dry run" in stack.output and "create product 'Basic'" in stack.output
    assert "create price basic_monthly" in stack.output and "add plan 'Free'" in stack.output
    assert stack.snapshot() == {"products": [], "prices": [], "table": []}

    assert stack.run() == 0
    before = stack.snapshot()

    def dearer(plans, _):
        plans["Power"]["prices"]["one_off"]["amount"] = 6000
    assert stack.run(with_change(dearer), "--dry-run") == 0
    assert "create price power_one_off for Power: 60.00 GBP once" in stack.output
    assert "deactivate price %s" % stack.price("power_one_off").id in stack.output
    assert stack.snapshot() == before


def test_products_are_found_by_metadata_never_by_name(stack):
    decoy = stack.stripe.v1.products.create(params={"name": "Basic"})
    tagged = stack.stripe.v1.products.create(params={"name": "Old name", "metadata": {"plan": "Power"}})

    assert stack.run() == 0, stack.output

    products = stack.products()
    assert len(products) == 3
    assert stack.stripe.v1.products.retrieve(decoy.id).metadata.to_dict() == {}
    assert stack.price("basic_monthly").product != decoy.id
    assert stack.price("power_monthly").product == tagged.id
    assert stack.stripe.v1.products.retrieve(tagged.id).name == "Power"


def test_a_product_is_also_found_through_its_prices_lookup_key(stack):
    untagged = stack.stripe.v1.products.create(params={"name": "Something else"})
    price = stack.stripe.v1.prices.create(params={
        "product": untagged.id, "unit_amount": 500, "currency": "gbp", "lookup_key": "basic_one_off",
        "tax_behavior": "inclusive"})

    assert stack.run() == 0, stack.output

    assert stack.price("basic_one_off").id == price.id            # kept: it already matches
    assert stack.price("basic_monthly").product == untagged.id
    product = stack.stripe.v1.products.retrieve(untagged.id)
    assert (product.name, product.metadata["plan"]) == ("Basic", "Basic")


def test_a_removed_plan_is_archived_and_leaves_the_table(stack):
    assert stack.run() == 0
    power = stack.price("power_monthly").product

    def without_power(_, document):
        document["plans"] = [p for p in document["plans"] if p["name"] != "Power"]
    assert stack.run(with_change(without_power)) == 0, stack.output

    assert stack.stripe.v1.products.retrieve(power).active is False
    assert stack.prices(product=power, active=True) == []
    from chalicelib.platform.models import Product
    assert sorted(row.name for row in Product.scan(consistent_read=True)) == ["Basic", "Free"]


def _duplicate(plans, document):
    document["plans"].append(copy.deepcopy(plans["Basic"]))


def _set(plan, field, value):
    def change(plans, _):
        plans[plan][field] = value
    return change


def _price(plan, kind, field, value=None, remove=False):
    def change(plans, _):
        if remove:
            del plans[plan]["prices"][kind][field]
        else:
            plans[plan]["prices"][kind][field] = value
    return change


def _drop_prices(plans, _):
    del plans["Power"]["prices"]


BAD_FILES = [
    ("duplicate name", _duplicate, "plan 'Basic': name: duplicate"),
    ("zero credits", _set("Basic", "credits", 0), "plan 'Basic': credits"),
    ("negative credits", _set("Power", "credits", -5), "plan 'Power': credits"),
    ("fractional credits", _set("Basic", "credits", 2.5), "plan 'Basic': credits"),
    ("credits as text", _set("Free", "credits", "50"), "plan 'Free': credits"),
    ("yearly interval", _set("Power", "interval", "year"), "plan 'Power': interval"),
    ("missing amount", _price("Basic", "monthly", "amount", remove=True),
     "plan 'Basic': prices.monthly.amount: missing"),
    ("zero amount", _price("Power", "one_off", "amount", 0), "plan 'Power': prices.one_off.amount"),
    ("missing prices", _drop_prices, "plan 'Power': prices: missing"),
    ("bad currency", _price("Basic", "one_off", "currency", "pounds"), "plan 'Basic': prices.one_off.currency"),
    ("shared lookup key", _price("Power", "monthly", "lookup_key", "basic_monthly"),
     "plan 'Power': prices.monthly.lookup_key"),
    ("priced Free", _set("Free", "prices", {"one_off": {"amount": 1, "currency": "gbp"}}),
     "plan 'Free': prices"),
]


@pytest.mark.parametrize("change, message", [case[1:] for case in BAD_FILES],
                         ids=[case[0] for case in BAD_FILES])
def test_a_bad_products_file_is_refused_before_any_write(stack, change, message):
    assert stack.run(with_change(change)) != 0
    assert "invalid; nothing was written" in stack.output
    assert message in stack.output, stack.output
    assert stack.snapshot() == {"products": [], "prices": [], "table": []}


def test_validation_reports_every_problem_at_once():
    document = with_change(lambda plans, _: (plans["Basic"].update(credits=0, interval="day")))
    with pytest.raises(sync_products.ProductsError) as raised:
        sync_products.validate(document)
    assert len(raised.value.problems) == 2
    assert sync_products.validate(PRODUCTS)[1]["prices"]["monthly"] == {
        "amount": 500, "currency": "gbp", "lookup_key": "basic_monthly", "tax_behavior": "inclusive"}


def test_unreachable_stripe_fails_cleanly_and_writes_nothing(stack, monkeypatch):
    monkeypatch.setenv("STRIPE_API_BASE", "http://127.0.0.1:%d" % free_port())
    assert stack.run() == 1
    assert "Sync failed: Stripe" in stack.output
    monkeypatch.setenv("STRIPE_API_BASE", stack.sandbox.url)
    assert stack.snapshot() == {"products": [], "prices": [], "table": []}
