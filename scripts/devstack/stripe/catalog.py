"""Customers, products and prices: the catalog the rest of the account
refers to."""

from __future__ import annotations

import re
from typing import Any

from .params import ApiError, Params, missing_param
from .routes import route
from .store import retriever
from .util import apply_metadata, atomically, new_id, now, public


class Catalog:
    """Mixed into the sandbox state (see ``state.py``)."""

    @route("POST", "/v1/customers")
    def create_customer(self, p: Params) -> dict:
        customer = self.new_customer(
            email=_email(p), name=p.str("name"), description=p.str("description"),
            phone=p.str("phone"), metadata=apply_metadata({}, p.metadata()))
        return self.output("customers", customer, p)

    def new_customer(self, *, email: str | None, currency: str | None = None,
                     name: str | None = None, description: str | None = None,
                     phone: str | None = None, metadata: dict | None = None) -> dict:
        """A stored customer (the API's create, and Checkout's when none was passed)."""
        return self.create("customers", {
            "object": "customer", "address": None, "balance": 0, "created": now(),
            "currency": currency, "default_source": None, "delinquent": False,
            "description": description, "discount": None,
            "email": email, "invoice_prefix": new_id("", 8).upper(),
            "invoice_settings": {"custom_fields": None, "default_payment_method": None,
                                 "footer": None, "rendering_options": None},
            "livemode": False, "metadata": metadata or {},
            "name": name, "next_invoice_sequence": 1, "phone": phone,
            "preferred_locales": [], "shipping": None, "tax_exempt": "none",
            "test_clock": None})

    retrieve_customer = retriever("customers", "/v1/customers/{id}", allow_deleted=True)

    @route("POST", "/v1/customers/{id}")
    def update_customer(self, p: Params, id: str) -> dict:
        def change(customer: dict) -> None:
            if "email" in p:
                customer["email"] = _email(p)
            _set_strings(customer, p, ("name", "description", "phone"))
            customer["metadata"] = apply_metadata(customer["metadata"], p.metadata())
            self.default_card_setting(customer, p)
        return self.output("customers", atomically(self.get("customers", id), change), p)

    @route("DELETE", "/v1/customers/{id}")
    def delete_customer(self, p: Params, id: str) -> dict:
        """Deleted customers keep a stub, as Stripe returns on later retrieval."""
        customer = self.get("customers", id)
        stub = {"id": id, "object": "customer", "deleted": True, "_seq": customer["_seq"]}
        self.db["customers"][id] = stub
        return public(stub)

    @route("GET", "/v1/customers")
    def list_customers(self, p: Params) -> dict:
        email = p.str("email")
        return self.page("customers", p, lambda c: email is None or c["email"] == email)

    # -- products ---------------------------------------------------------

    @route("POST", "/v1/products")
    def create_product(self, p: Params) -> dict:
        custom_id = p.str("id")
        if custom_id and custom_id in self.db["products"]:
            raise ApiError(400, "Product already exists.", code="resource_already_exists",
                           param="id")
        product = self._new_product(p, obj_id=custom_id, description=p.str("description"),
                                    images=p.strings("images"),
                                    statement_descriptor=p.str("statement_descriptor"),
                                    unit_label=p.str("unit_label"), url=p.str("url"))
        return self.output("products", product, p)

    def _new_product(self, p: Params, obj_id: str | None = None, **optional: Any) -> dict:
        """A stored product from ``name``/``active``/``metadata`` and the optional
        fields given (the API's create, and a price's ``product_data``)."""
        created = now()
        return self.create("products", {
            "object": "product", "active": p.bool("active", default=True),
            "created": created, "default_price": None, "description": None,
            "images": [], "livemode": False, "marketing_features": [],
            "metadata": apply_metadata({}, p.metadata()),
            "name": p.str("name", required=True), "package_dimensions": None,
            "shippable": None, "statement_descriptor": None,
            "tax_code": None, "type": "service", "unit_label": None,
            "updated": created, "url": None, **optional}, obj_id=obj_id)

    retrieve_product = retriever("products", "/v1/products/{id}")

    @route("POST", "/v1/products/{id}")
    def update_product(self, p: Params, id: str) -> dict:
        def change(product: dict) -> None:
            if "name" in p:
                product["name"] = p.str("name", required=True)
            if "active" in p:
                product["active"] = p.bool("active")
            if "default_price" in p:
                price = self.ref("prices", p, "default_price")
                product["default_price"] = price["id"] if price else None
            _set_strings(product, p, ("description", "statement_descriptor", "unit_label",
                                      "url"))
            product["metadata"] = apply_metadata(product["metadata"], p.metadata())
            product["updated"] = now()
        return self.output("products", atomically(self.get("products", id), change), p)

    @route("GET", "/v1/products")
    def list_products(self, p: Params) -> dict:
        active, ids = p.bool("active"), set(p.strings("ids"))

        def keep(product: dict) -> bool:
            return (active is None or product["active"] == active) and (
                not ids or product["id"] in ids)
        return self.page("products", p, keep)

    # -- prices -----------------------------------------------------------

    @route("POST", "/v1/prices")
    def create_price(self, p: Params) -> dict:
        recurring = self._recurring(p.sub("recurring")) if "recurring" in p else None
        fields = {
            "object": "price", "active": p.bool("active", default=True),
            "billing_scheme": "per_unit", "created": now(),
            "currency": p.str("currency", required=True).lower(),
            "custom_unit_amount": None, "livemode": False, "lookup_key": None,
            "metadata": apply_metadata({}, p.metadata()), "nickname": p.str("nickname"),
            "product": None, "recurring": recurring,
            "tax_behavior": p.str("tax_behavior") or "unspecified", "tiers_mode": None,
            "transform_quantity": None, "type": "recurring" if recurring else "one_time",
            "unit_amount": p.int("unit_amount", required=True, minimum=0)}
        fields["unit_amount_decimal"] = str(fields["unit_amount"])
        holder = self._lookup_key_holder(p, None)
        fields["product"] = self._price_product(p)["id"]
        price = self.create("prices", fields)
        self._set_lookup_key(price, p, holder)
        return self.output("prices", price, p)

    def _price_product(self, p: Params) -> dict:
        """The price's product: an existing one, or one made from ``product_data``."""
        if "product_data" in p:
            return self._new_product(p.sub("product_data"))
        if "product" not in p:
            raise missing_param("product")
        return self.ref("products", p, "product")

    @staticmethod
    def _recurring(p: Params) -> dict:
        return {"interval": p.str("interval", required=True,
                                  choices=("day", "week", "month", "year")),
                "interval_count": p.int("interval_count", default=1, minimum=1),
                "meter": None, "trial_period_days": p.int("trial_period_days"),
                "usage_type": p.str("usage_type", choices=("licensed",)) or "licensed"}

    def _lookup_key_holder(self, p: Params, price: dict | None) -> dict | None:
        """The other price already using the requested lookup key, when it may move.

        Lookup keys are unique per account (archived prices keep theirs):
        taking one needs ``transfer_lookup_key=true``, otherwise Stripe answers 400.
        """
        key = p.str("lookup_key")
        own_id = price["id"] if price else None
        holder = next((o for o in self.db["prices"].values()
                       if key and o["lookup_key"] == key and o["id"] != own_id), None)
        if holder and not p.bool("transfer_lookup_key", default=False):
            raise ApiError(400, f"A price (`{holder['id']}`) already uses that lookup key.",
                           param="lookup_key")
        return holder

    def _set_lookup_key(self, price: dict, p: Params, holder: dict | None) -> None:
        if "lookup_key" not in p:
            return
        if holder:
            holder["lookup_key"] = None
        price["lookup_key"] = p.str("lookup_key")

    retrieve_price = retriever("prices", "/v1/prices/{id}")

    @route("POST", "/v1/prices/{id}")
    def update_price(self, p: Params, id: str) -> dict:
        """Amount, currency, interval and product are fixed once a price exists."""
        for fixed in ("unit_amount", "currency", "recurring", "product"):
            if fixed in p:
                raise ApiError(400, f"Received unknown parameter: {fixed}",
                               code="parameter_unknown", param=fixed)

        def change(price: dict) -> None:
            if "active" in p:
                price["active"] = p.bool("active")
            if "tax_behavior" in p:
                price["tax_behavior"] = p.str("tax_behavior") or "unspecified"
            _set_strings(price, p, ("nickname",))
            price["metadata"] = apply_metadata(price["metadata"], p.metadata())
            self._set_lookup_key(price, p, self._lookup_key_holder(p, price))
        return self.output("prices", atomically(self.get("prices", id), change), p)

    @route("GET", "/v1/prices")
    def list_prices(self, p: Params) -> dict:
        active, product = p.bool("active"), p.str("product")
        kind = p.str("type", choices=("one_time", "recurring"))
        currency = (p.str("currency") or "").lower() or None
        interval = p.sub("recurring").str("interval")
        keys = p.strings("lookup_keys")
        if len(keys) > 10:
            raise ApiError(400, "You may only specify up to 10 lookup keys.",
                           param="lookup_keys")

        def keep(price: dict) -> bool:
            return all((
                active is None or price["active"] == active,
                product is None or price["product"] == product,
                kind is None or price["type"] == kind,
                currency is None or price["currency"] == currency,
                interval is None or (price["recurring"] or {}).get("interval") == interval,
                not keys or price["lookup_key"] in keys))
        return self.page("prices", p, keep)


def _email(p: Params) -> str | None:
    email = p.str("email")
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        raise ApiError(400, f"Invalid email address: {email}", code="email_invalid",
                       param="email")
    return email


def _set_strings(obj: dict, p: Params, names: tuple) -> None:
    """Optional string fields on update: posted empty means unset."""
    for name in names:
        if name in p:
            obj[name] = p.str(name)

