"""Plans as synced from products.json into the product table."""
from chalicelib import settings
from chalicelib.models import Product


class Plans:
    def all(self):
        products = sorted(Product.scan(consistent_read=True), key=lambda p: (p.position, p.name))
        return [self.view(product) for product in products]

    def find(self, name):
        if not isinstance(name, str) or not name:
            return None
        try:
            return Product.get(name, consistent_read=True)
        except Product.DoesNotExist:
            return None

    def allowance(self, name):
        product = self.find(name)
        if product is not None:
            return int(product.credits)
        if name == settings.FREE_PLAN:
            return settings.free_plan_credits()
        return 0

    @staticmethod
    def view(product):
        prices = product.prices.as_dict() if hasattr(product.prices, "as_dict") else dict(product.prices or {})
        return {
            "name": product.name,
            "credits": int(product.credits),
            "interval": product.interval,
            "prices": prices,
        }
