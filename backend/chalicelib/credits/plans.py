"""Plans as synced from products.json into the product table."""
from chalicelib.platform import settings
from chalicelib.platform.models import Product, plain

# Price kinds, the keys of a plan's `prices`: a one-off pack, and the
# subscription price named after the plan's interval.
ONE_OFF = "one_off"
RECURRING = {"week": "weekly", "month": "monthly"}
PUBLIC_PRICE_FIELDS = ("amount", "currency", "lookup_key")


def price_kind(interval, subscribe):
    """The key in `prices` of the price a checkout uses."""
    return RECURRING[interval] if subscribe else ONE_OFF


def stored_prices(product):
    """The product's prices map as plain dicts: kind -> {amount, currency,
    lookup_key, price_id}."""
    return {kind: dict(price) for kind, price in plain(product.prices).items()}


def tax_behavior(price):
    """"inclusive" or "exclusive" when the price is taxed (Stripe Tax), else None."""
    behavior = (price or {}).get("tax_behavior")
    return behavior if behavior in ("inclusive", "exclusive") else None


class Plans:
    def all(self):
        products = sorted(Product.scan(consistent_read=True), key=lambda p: (p.position, p.name))
        return [self.view(product) for product in products]

    @staticmethod
    def tax(plans):
        """How the plans' prices carry VAT (products.json's `tax`), from their
        views: {"enabled", "behavior"} — the pricing page's "incl. VAT" or "+ VAT"."""
        behaviors = {price.get("tax_behavior") for plan in plans for price in plan["prices"].values()}
        behaviors.discard(None)
        behavior = behaviors.pop() if len(behaviors) == 1 else None
        return {"enabled": behavior is not None, "behavior": behavior}

    def find(self, name):
        if not isinstance(name, str) or not name:
            return None
        try:
            return Product.get(name, consistent_read=True)
        except Product.DoesNotExist:
            return None

    def for_price(self, price):
        """The plan a Stripe price belongs to (by price id or lookup key), else
        the one its metadata names; None when neither is known."""
        if not price:
            return None
        for product in Product.scan(consistent_read=True):
            for stored in stored_prices(product).values():
                if stored.get("price_id") == price.get("id") or (
                        price.get("lookup_key") and stored.get("lookup_key") == price.get("lookup_key")):
                    return product
        return self.find((price.get("metadata") or {}).get("plan"))

    def allowance(self, name):
        product = self.find(name)
        if product is not None:
            return int(product.credits)
        if name == settings.FREE_PLAN:
            return settings.free_plan_credits()
        return 0

    @staticmethod
    def view(product):
        prices = {kind: dict({field: price.get(field) for field in PUBLIC_PRICE_FIELDS},
                             tax_behavior=tax_behavior(price))
                  for kind, price in stored_prices(product).items()}
        for price in prices.values():
            if price["amount"] is not None:
                price["amount"] = int(price["amount"])
        return {
            "name": product.name,
            "credits": int(product.credits),
            "interval": product.interval,
            "prices": prices,
        }
