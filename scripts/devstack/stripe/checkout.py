"""Checkout Sessions: create, list, line items, expire, and completing one
(what Stripe creates when the customer pays or saves a card, in its order)."""

from __future__ import annotations

import re

from .tax import HOME, automatic_tax_hash, line_tax, tax_id_type, totals
from .fields import with_every_field
from .params import ApiError, Params, missing_param
from .routes import route
from .store import retriever
from .subscriptions import current_period
from .util import apply_metadata, new_id, now


class Checkout:
    """Mixed into the sandbox state (see ``state.py``)."""

    @route("POST", "/v1/checkout/sessions")
    def create_checkout_session(self, p: Params) -> dict:
        mode = p.str("mode", required=True, choices=("payment", "setup", "subscription"))
        customer = self.ref("customers", p, "customer")
        if customer and p.str("customer_email"):
            raise ApiError(400, "You may only specify one of these parameters: customer, "
                           "customer_email.", param="customer_email")
        _reject_for_mode(p, mode)
        taxes = _tax_settings(p, mode, customer)
        if mode == "setup":
            items, total, currency = [], None, _setup_currency(p)
        else:
            items = self._checkout_items(p, mode)
            prices = [self.db["prices"][item["price"]] for item in items]
            total = sum(price["unit_amount"] * item["quantity"]
                        for price, item in zip(prices, items))
            currency = prices[0]["currency"]
        created = now()
        session = self.create("checkout_sessions", {
            "object": "checkout.session", "after_expiration": None,
            "allow_promotion_codes": p.bool("allow_promotion_codes"),
            "amount_subtotal": total, "amount_total": total,
            "automatic_tax": automatic_tax_hash(taxes["automatic_tax"], None, "session"),
            "billing_address_collection": p.str("billing_address_collection",
                                                choices=("auto", "required")),
            "cancel_url": p.str("cancel_url"),
            "client_reference_id": p.str("client_reference_id"), "created": created,
            "currency": currency,
            "customer": customer["id"] if customer else None,
            "customer_creation": None if customer or mode != "payment" else "if_required",
            "custom_fields": [], "custom_text": {"after_submit": None, "shipping_address": None,
                                                 "submit": None,
                                                 "terms_of_service_acceptance": None},
            "customer_details": None, "customer_email": p.str("customer_email"),
            "discounts": [],
            "expires_at": p.int("expires_at") or created + 86400, "invoice": None,
            "invoice_creation": ({"enabled": taxes["invoice_creation"],
                                  "invoice_data": _invoice_data(p.sub("invoice_creation"))}
                                 if mode == "payment" else None),
            "livemode": False, "locale": p.str("locale"),
            "metadata": apply_metadata({}, p.metadata()), "mode": mode,
            "payment_intent": None,
            "payment_method_collection": None if mode == "payment" else "always",
            "payment_method_types": ["card"],
            "payment_status": "no_payment_required" if mode == "setup" else "unpaid",
            "phone_number_collection": {"enabled": False}, "setup_intent": None,
            "shipping_options": [], "status": "open", "submit_type": None,
            "subscription": None, "success_url": p.str("success_url"),
            "tax_id_collection": {"enabled": taxes["tax_id_collection"], "required": "never"},
            "total_details": None if mode == "setup" else {
                "amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted", "url": None, "_line_items": items,
            "_subscription_data": _intent_data(p.sub("subscription_data")),
            "_payment_intent_data": _intent_data(p.sub("payment_intent_data")),
            "_setup_intent_data": _intent_data(p.sub("setup_intent_data")),
            "_customer_update": taxes["customer_update"]})
        session["url"] = f"{self.base_url}/checkout/{session['id']}"
        if mode != "setup":
            self._price_session(session)
        return self.output("checkout_sessions", session, p)

    def _checkout_items(self, p: Params, mode: str) -> list[dict]:
        entries = p.objects("line_items", required=True)
        if not entries:
            raise missing_param("line_items")
        items, prices = [], []
        for entry in entries:
            price = self.ref("prices", entry, "price") if "price" in entry else None
            if price is None:
                raise missing_param(entry.path("price"))
            _check_checkout_price(price, entry, mode)
            items.append({"id": new_id("li_"), "price": price["id"],
                          "quantity": entry.int("quantity", required=True, minimum=1)})
            prices.append(price)
        if len({price["currency"] for price in prices}) > 1:
            raise ApiError(400, "All prices on a Checkout Session must use the same currency.",
                           param="line_items")
        if mode == "subscription":
            cycles = {(pr["recurring"]["interval"], pr["recurring"]["interval_count"])
                      for pr in prices if pr["recurring"]}
            if not cycles:
                raise ApiError(400, "You must provide at least one recurring price in "
                               "`subscription` mode when using prices.", param="line_items")
            if len(cycles) > 1:
                raise ApiError(400, "Checkout does not support multiple prices with different "
                               "billing intervals.", param="line_items")
        return items

    retrieve_checkout_session = retriever("checkout_sessions", "/v1/checkout/sessions/{id}")

    @route("GET", "/v1/checkout/sessions")
    def list_checkout_sessions(self, p: Params) -> dict:
        filters = {name: p.str(name) for name in
                   ("customer", "status", "payment_intent", "subscription")}
        return self.page("checkout_sessions", p, lambda s: all(
            value is None or s[name] == value for name, value in filters.items()))

    @route("GET", "/v1/checkout/sessions/{id}/line_items")
    def list_checkout_line_items(self, p: Params, id: str) -> dict:
        return self._session_line_items(self.get("checkout_sessions", id), p)

    def _session_line_items(self, session: dict, p: Params) -> dict:
        items = []
        for item in session["_line_items"]:
            price = self.db["prices"][item["price"]]
            amount = price["unit_amount"] * item["quantity"]
            found = item.get("_tax")
            amount_tax = found["amount"] if found else 0
            exclusive = amount_tax if found and found["tax_behavior"] == "exclusive" else 0
            items.append({"id": item["id"], "object": "item", "amount_discount": 0,
                          "amount_subtotal": amount, "amount_tax": amount_tax,
                          "amount_total": amount + exclusive,
                          "currency": price["currency"],
                          "description": self.db["products"][price["product"]]["name"],
                          "metadata": {}, "price": self.render("prices", price),
                          "quantity": item["quantity"]})
        limit = p.int("limit", default=10, minimum=1, maximum=100)
        return with_every_field({"object": "list", "data": items[:limit],
                                 "has_more": len(items) > limit,
                                 "url": f"/v1/checkout/sessions/{session['id']}/line_items"})

    @route("POST", "/v1/checkout/sessions/{id}/expire")
    def expire_checkout_session(self, p: Params, id: str) -> dict:
        session = self.get("checkout_sessions", id)
        if session["status"] != "open":
            raise ApiError(400, 'Only Checkout Sessions with a status in ["open"] can be '
                           f"expired. This session has status `{session['status']}`.")
        session.update(status="expired", url=None)
        self.emit("checkout.session.expired", self.render("checkout_sessions", session))
        return self.output("checkout_sessions", session, p)

    def _price_session(self, session: dict, country: str | None = None,
                       tax_ids: list[dict] = ()) -> None:
        """The session's amounts, with Stripe Tax's once the customer's
        location is known (their saved address, or what they enter)."""
        customer = self.db["customers"].get(session["customer"] or "", {})
        country = country or ((customer.get("address") or {}).get("country"))
        tax_ids = list(tax_ids) or customer.get("_tax_ids", [])
        enabled = session["automatic_tax"]["enabled"]
        lines = []
        for item in session["_line_items"]:
            price = self.db["prices"][item["price"]]
            amount = price["unit_amount"] * item["quantity"]
            item["_tax"] = (line_tax(amount, price["tax_behavior"], country, tax_ids)
                            if enabled else None)
            lines.append((amount, item["_tax"]))
        summed = totals(lines)
        session.update(amount_subtotal=summed["subtotal"], amount_total=summed["total"],
                       automatic_tax=automatic_tax_hash(enabled, country, "session"),
                       total_details={"amount_discount": 0, "amount_shipping": 0,
                                      "amount_tax": summed["tax"]})

    def _collect_location(self, session: dict, country: str | None,
                          tax_id: str | None) -> tuple[str | None, list[dict]]:
        """What the customer enters on the page: a billing country (when the
        session collects an address or computes tax; GB unless they pick
        another) and a VAT number (when it collects tax ids), saved on the
        customer as ``customer_update`` (or a new customer) allows."""
        if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
            raise ApiError(400, "`country` must be a two-letter country code, such as GB.",
                           param="country")
        customer = self.db["customers"].get(session["customer"] or "")
        asks = session["automatic_tax"]["enabled"] or session["billing_address_collection"]
        saved = ((customer or {}).get("address") or {}).get("country")
        country = (country or saved or HOME) if asks else country
        tax_ids = []
        if tax_id and session["tax_id_collection"]["enabled"]:
            value = tax_id.replace(" ", "").upper()
            tax_ids = [{"type": tax_id_type(value), "value": value}]
        if customer is not None:
            update = session["_customer_update"]
            if country and (update.get("address") == "auto" or not saved):
                customer["address"] = {"city": None, "country": country, "line1": None,
                                       "line2": None, "postal_code": None, "state": None}
            if tax_ids and all(t["value"] != tax_ids[0]["value"]
                               for t in customer.setdefault("_tax_ids", [])):
                customer["_tax_ids"].append(tax_ids[0])
        return country, tax_ids

    def complete_checkout(self, session_id: str, *, country: str | None = None,
                          tax_id: str | None = None) -> dict:
        """The customer paid: create what Stripe creates, emitting events in its order.
        ``country`` and ``tax_id`` are what they entered on the page."""
        session = self.get("checkout_sessions", session_id)
        if session["status"] == "complete":
            return self.render("checkout_sessions", session)
        if session["status"] != "open":
            raise ApiError(400, f"This Checkout Session is no longer open: its status is "
                           f"`{session['status']}`.")
        country, tax_ids = self._collect_location(session, country, tax_id)
        if session["mode"] != "setup":
            self._price_session(session, country, tax_ids)
        if session["mode"] == "payment":
            self._pay_session(session)
        elif session["mode"] == "setup":
            self._setup_session(session)
        else:
            self._subscribe_session(session)
        session.update(status="complete", url=None,
                       customer_details=self._customer_details(session, country, tax_ids))
        if session["mode"] != "setup":
            session["payment_status"] = "paid"
        self.emit("checkout.session.completed", self.render("checkout_sessions", session))
        return self.render("checkout_sessions", session)

    def decline_checkout(self, session_id: str) -> dict:
        """The customer backed out: Stripe keeps the session open until it expires."""
        session = self.get("checkout_sessions", session_id)
        return self.render("checkout_sessions", session)

    def _customer_details(self, session: dict, country: str | None,
                          tax_ids: list[dict]) -> dict:
        customer = self.db["customers"].get(session["customer"] or "", {})
        address = ({"city": None, "country": country, "line1": None, "line2": None,
                    "postal_code": None, "state": None} if country else None)
        return {"address": address, "email": customer.get("email") or session["customer_email"],
                "name": customer.get("name"), "phone": None, "tax_exempt": "none",
                "tax_ids": [dict(t) for t in tax_ids]}

    def _pay_session(self, session: dict) -> None:
        """The customer pays with a card; with ``setup_future_usage`` it is
        saved to the customer (made now if the session has none)."""
        data = session["_payment_intent_data"]
        saving = data["setup_future_usage"]
        invoicing = session["invoice_creation"]["enabled"]
        if (saving or invoicing) and not session["customer"]:
            session["customer"] = self.new_customer(email=session["customer_email"])["id"]
        card = self.new_card(session["customer"], allow_redisplay="limited")
        if saving:
            self.attach_card(card, session["customer"])
        else:
            card["_consumed"] = True  # used once, kept by no customer
        intent = self._new_intent(session["customer"], session["amount_total"],
                                  session["currency"], data["metadata"], data["description"],
                                  payment_method=card["id"], setup_future_usage=saving)
        session["payment_intent"] = intent["id"]
        self.emit("payment_intent.succeeded", self.render("payment_intents", intent))
        if invoicing:
            self._invoice_session(session, intent)

    def _invoice_session(self, session: dict, intent: dict) -> None:
        """``invoice_creation``: the paid invoice of a one-off payment, its
        lines and taxes those of the session, paid by the session's intent."""
        data = session["invoice_creation"]["invoice_data"]
        invoice = self._new_invoice(session["customer"], session["currency"], "manual",
                                    automatic_tax=session["automatic_tax"]["enabled"],
                                    description=data["description"],
                                    metadata=dict(data["metadata"] or {}))
        lines = [self._item_line(invoice, self.db["prices"][item["price"]], item["quantity"],
                                 Params()) for item in session["_line_items"]]
        self._set_lines(invoice, lines)
        self._finalize(invoice)
        self._mark_paid(invoice)
        self._record_invoice_payment(invoice, intent)
        session["invoice"] = invoice["id"]
        self.emit("invoice.finalized", self.render("invoices", invoice))
        self.emit("invoice.paid", self.render("invoices", invoice))

    def _setup_session(self, session: dict) -> None:
        """The customer saves a card: a succeeded setup intent, and the card
        attached to the session's customer (if it names one). As on Stripe,
        the customer's default payment method is left as it was."""
        data = session["_setup_intent_data"]
        card = self.new_card(session["customer"], allow_redisplay="limited")
        intent = self.new_setup_intent(session["customer"], card, usage="off_session",
                                       metadata=data["metadata"],
                                       description=data["description"], types=["card"])
        self.succeed_setup(intent, card)
        session["setup_intent"] = intent["id"]

    def _subscribe_session(self, session: dict) -> None:
        if not session["customer"]:
            session["customer"] = self.new_customer(email=session["customer_email"],
                                                     currency=session["currency"])["id"]
        items = session["_line_items"]
        recurring = [i for i in items if self.db["prices"][i["price"]]["recurring"]]
        one_time = [i for i in items if not self.db["prices"][i["price"]]["recurring"]]
        sub = self._create_subscription(session["customer"], recurring,
                                        session["_subscription_data"])
        sub["automatic_tax"] = automatic_tax_hash(session["automatic_tax"]["enabled"], None,
                                                 "subscription")
        invoice = self._create_invoice(
            sub, "subscription_create", paid=True,
            period=(sub["created"], sub["created"]),
            line_period=current_period(sub),
            one_time=one_time)
        sub["latest_invoice"] = invoice["id"]
        session.update(subscription=sub["id"], invoice=invoice["id"])
        self.emit("customer.subscription.created", self.render("subscriptions", sub))
        self.emit("invoice.paid", self.render("invoices", invoice))


def _tax_settings(p: Params, mode: str, customer: dict | None) -> dict:
    """``automatic_tax``, ``tax_id_collection``, ``customer_update`` and
    ``invoice_creation``, refused where Stripe refuses them."""
    update = p.sub("customer_update")
    settings = {
        "automatic_tax": bool(p.sub("automatic_tax").bool("enabled", default=False)),
        "tax_id_collection": bool(p.sub("tax_id_collection").bool("enabled", default=False)),
        "invoice_creation": bool(p.sub("invoice_creation").bool("enabled", default=False)),
        "customer_update": {name: update.str(name, choices=("auto", "never"))
                            for name in ("address", "name", "shipping") if name in update}}
    if "customer_update" in p and customer is None:
        raise ApiError(400, "`customer_update` can only be used with `customer`.",
                       param="customer_update")
    if "invoice_creation" in p and mode != "payment":
        raise ApiError(400, "`invoice_creation` can only be used in `payment` mode.",
                       param="invoice_creation")
    if (settings["automatic_tax"] and customer is not None and not customer.get("address")
            and settings["customer_update"].get("address") != "auto"
            and settings["customer_update"].get("shipping") != "auto"):
        raise ApiError(400, "Automatic tax calculation in Checkout requires a valid address on "
                       "the Customer. Add a valid address to the Customer or set either "
                       "`customer_update[address]` to 'auto' or `customer_update[shipping]` "
                       "to 'auto' to save the address entered in Checkout to the Customer.",
                       param="automatic_tax[enabled]")
    if (settings["tax_id_collection"] and customer is not None
            and settings["customer_update"].get("name") != "auto"):
        raise ApiError(400, "Tax ID collection requires updating business name on the "
                       "customer. To enable tax ID collection for an existing customer, "
                       "please set `customer_update[name]` to `auto`.",
                       param="tax_id_collection[enabled]")
    return settings


def _invoice_data(p: Params) -> dict:
    data = p.sub("invoice_data")
    return {"account_tax_ids": None, "custom_fields": None, "description": data.str("description"),
            "footer": data.str("footer"), "issuer": None,
            "metadata": apply_metadata({}, data.metadata()), "rendering_options": None}


def _intent_data(p: Params) -> dict:
    return {"metadata": apply_metadata({}, p.metadata()), "description": p.str("description"),
            "setup_future_usage": p.str("setup_future_usage",
                                        choices=("off_session", "on_session"))}


# The parameters each mode takes: the others are refused.
_MODE_DATA = {"payment": "payment_intent_data", "setup": "setup_intent_data",
              "subscription": "subscription_data"}


def _reject_for_mode(p: Params, mode: str) -> None:
    for wrong in set(_MODE_DATA.values()) - {_MODE_DATA[mode]}:
        if wrong in p:
            raise ApiError(400, f"You can not pass `{wrong}` in `{mode}` mode.", param=wrong)
    if mode == "setup" and "line_items" in p:
        raise ApiError(400, "You can not pass `line_items` in `setup` mode.",
                       param="line_items")


def _setup_currency(p: Params) -> str | None:
    """Setup mode offers the payment methods that suit ``currency``, so it
    needs one unless ``payment_method_types`` names them."""
    currency = p.str("currency")
    if currency is None and not p.strings("payment_method_types"):
        raise ApiError(400, "`currency` is required in `setup` mode when "
                       "`payment_method_types` is not set.", param="currency")
    return currency.lower() if currency else None


def _check_checkout_price(price: dict, entry: Params, mode: str) -> None:
    if not price["active"]:
        raise ApiError(400, "The price specified is inactive. This field only accepts active "
                       "prices.", param=entry.path("price"))
    if mode == "payment" and price["recurring"]:
        raise ApiError(400, "You specified `payment` mode but passed a recurring price. Either "
                       "switch to `subscription` mode or use only one-time prices.",
                       param=entry.path("price"))

