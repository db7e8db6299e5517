"""Invoices: the ones a subscription's start, renewal or failed renewal
creates, and the API to read them."""

from __future__ import annotations

from .tax import automatic_tax_hash, line_tax, public_tax, totals
from .params import ApiError, Params, missing_param
from .routes import route
from .store import retriever
from .util import apply_metadata, describe_recurring, format_amount, new_id, now


class Invoices:
    """Mixed into the sandbox state (see ``state.py``)."""

    def _create_invoice(self, sub: dict, reason: str, *, paid: bool, period: tuple,
                        line_period: tuple, one_time: list[dict] = (),
                        extra_lines: list[dict] = ()) -> dict:
        """A subscription's invoice. Invoice ``period_*`` is the period just
        ended (as Stripe reports it); each line's ``period`` is the service
        period being billed."""
        created = now()
        lines = [self._invoice_line(sub, item["price"], item["quantity"], line_period, item["id"])
                 for item in sub["items"]["data"]]
        lines += [self._invoice_line(sub, item["price"], item["quantity"], (created, created))
                  for item in one_time]
        lines += list(extra_lines)
        parent = {"quote_details": None, "type": "subscription_details",
                  "subscription_details": {"metadata": dict(sub["metadata"]),
                                           "subscription": sub["id"]}}
        invoice = self._new_invoice(sub["customer"], sub["currency"], reason, parent=parent,
                                    automatic_tax=sub["automatic_tax"]["enabled"],
                                    period=period, auto_advance=not paid)
        self._set_lines(invoice, lines)
        self._finalize(invoice)
        if paid:
            self._mark_paid(invoice)
            if invoice["total"] > 0:
                self._collect(invoice)
        else:
            invoice.update(attempt_count=1, attempted=True,
                           next_payment_attempt=invoice["created"] + 3 * 86400)
        return invoice

    def _new_invoice(self, customer_id: str, currency: str | None, reason: str, *,
                     parent: dict | None = None, automatic_tax: bool = False,
                     period: tuple | None = None, auto_advance: bool = False,
                     description: str | None = None, metadata: dict | None = None) -> dict:
        """A draft invoice of a customer (no lines, no number yet)."""
        created = now()
        period = period or (created, created)
        customer = self.db["customers"].get(customer_id, {})
        invoice = self.create("invoices", {
            "object": "invoice", "account_country": "GB", "account_name": "Sandbox Ltd",
            "amount_due": 0, "amount_overpaid": 0, "amount_paid": 0, "amount_remaining": 0,
            "amount_shipping": 0, "attempt_count": 0, "attempted": False,
            "auto_advance": auto_advance,
            "automatic_tax": automatic_tax_hash(automatic_tax, _country(customer), "invoice"),
            "billing_reason": reason, "collection_method": "charge_automatically",
            "created": created, "currency": currency, "customer": customer_id,
            "customer_address": customer.get("address"), "customer_email": customer.get("email"),
            "customer_name": customer.get("name"), "customer_phone": customer.get("phone"),
            "customer_shipping": customer.get("shipping"),
            "customer_tax_exempt": customer.get("tax_exempt", "none"),
            "customer_tax_ids": [dict(t) for t in customer.get("_tax_ids", [])],
            "default_tax_rates": [], "description": description, "discounts": [],
            "effective_at": None, "ending_balance": None, "hosted_invoice_url": None,
            "invoice_pdf": None, "issuer": {"type": "self"}, "lines": None, "livemode": False,
            "metadata": metadata or {}, "next_payment_attempt": None, "number": None,
            "parent": parent,
            "payment_settings": {"default_mandate": None, "payment_method_options": None,
                                 "payment_method_types": None},
            "period_end": period[1], "period_start": period[0],
            "post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0,
            "starting_balance": 0, "status": "draft",
            "status_transitions": {"finalized_at": None, "marked_uncollectible_at": None,
                                   "paid_at": None, "voided_at": None},
            "subtotal": 0, "subtotal_excluding_tax": 0, "total": 0,
            "total_discount_amounts": [], "total_excluding_tax": 0,
            "total_pretax_credit_amounts": [], "total_taxes": []})
        invoice["lines"] = {"object": "list", "data": [], "has_more": False,
                            "url": f"/v1/invoices/{invoice['id']}/lines"}
        return invoice

    def _set_lines(self, invoice: dict, lines: list[dict]) -> None:
        """The invoice's lines and totals, with Stripe Tax's amounts when
        automatic tax is on (from the customer's address and tax ids)."""
        customer = self.db["customers"].get(invoice["customer"], {})
        country = _country(customer)
        enabled = invoice["automatic_tax"]["enabled"]
        taxed = []
        for line in lines:
            line["invoice"] = invoice["id"]
            found = None
            if enabled:
                behavior = self._line_tax_behavior(line)
                found = line_tax(line["amount"], behavior, country, customer.get("_tax_ids", []))
                line["taxes"] = [public_tax(found)] if found else []
            taxed.append((line["amount"], found))
        invoice["lines"]["data"] = lines
        summed = totals(taxed)
        total = max(0, summed["total"])
        invoice.update(subtotal=summed["subtotal"], subtotal_excluding_tax=summed["subtotal_excluding_tax"],
                       total=total, total_excluding_tax=summed["total_excluding_tax"],
                       total_taxes=summed["total_taxes"], amount_due=total, amount_remaining=total,
                       automatic_tax=automatic_tax_hash(enabled, country, "invoice"),
                       customer_address=customer.get("address"),
                       customer_name=customer.get("name"),
                       customer_tax_ids=[dict(t) for t in customer.get("_tax_ids", [])])

    def _line_tax_behavior(self, line: dict) -> str:
        price_id = ((line.get("pricing") or {}).get("price_details") or {}).get("price")
        price = self.db["prices"].get(price_id or "")
        return price["tax_behavior"] if price else "exclusive"

    def _finalize(self, invoice: dict) -> None:
        """Numbered, with its hosted page and PDF; open until paid."""
        customer = self.db["customers"].get(invoice["customer"], {})
        created = now()
        invoice.update(
            status="open", effective_at=created, ending_balance=0,
            number=f"{customer.get('invoice_prefix', 'SANDBOX')}-{next(self._invoice_numbers):04d}",
            hosted_invoice_url=f"{self.base_url}/invoice/{invoice['id']}",
            invoice_pdf=f"{self.base_url}/invoice/{invoice['id']}/pdf")
        invoice["status_transitions"]["finalized_at"] = created

    def _mark_paid(self, invoice: dict) -> None:
        paid_at = now()
        invoice.update(status="paid", amount_paid=invoice["amount_due"], amount_remaining=0,
                       attempt_count=1, attempted=True, auto_advance=False,
                       next_payment_attempt=None)
        invoice["status_transitions"]["paid_at"] = paid_at

    def _collect(self, invoice: dict) -> None:
        """The invoice's payment: an intent, its charge, and the invoice payment tying them."""
        intent = self._new_intent(invoice["customer"], invoice["amount_due"],
                                  invoice["currency"], {}, f"Invoice {invoice['number']}")
        self._record_invoice_payment(invoice, intent)

    def _invoice_line(self, sub: dict, price_id: str, quantity: int, period: tuple,
                      item_id: str | None = None, proration: bool = False) -> dict:
        price = self.db["prices"][price_id]
        product = self.db["products"][price["product"]]
        label = format_amount(price["unit_amount"], price["currency"])
        cadence = f" {describe_recurring(price['recurring'])}" if price["recurring"] else ""
        parent = ({"type": "subscription_item_details", "invoice_item_details": None,
                   "subscription_item_details": {
                       "invoice_item": None, "proration": False,
                       "proration_details": {"credited_items": None},
                       "subscription": sub["id"], "subscription_item": item_id}}
                  if item_id else
                  {"type": "invoice_item_details", "subscription_item_details": None,
                   "invoice_item_details": {"invoice_item": new_id("ii_"), "proration": proration,
                                            "proration_details": {"credited_items": None},
                                            "subscription": sub["id"]}})
        amount = price["unit_amount"] * quantity
        return {"id": new_id("il_"), "object": "line_item", "amount": amount,
                "currency": price["currency"],
                "description": f"{quantity} × {product['name']} (at {label}{cadence})",
                "discount_amounts": [], "discountable": True, "discounts": [],
                "invoice": None, "livemode": False, "metadata": {}, "parent": parent,
                "period": {"end": period[1], "start": period[0]},
                "pretax_credit_amounts": [],
                "pricing": {"type": "price_details",
                            "unit_amount_decimal": str(price["unit_amount"]),
                            "price_details": {"price": price_id, "product": product["id"]}},
                "quantity": quantity, "quantity_decimal": str(quantity),
                "subscription": sub["id"], "subtotal": amount,
                "taxes": []}

    retrieve_invoice = retriever("invoices", "/v1/invoices/{id}")

    @route("GET", "/v1/invoices")
    def list_invoices(self, p: Params) -> dict:
        filters = {"customer": p.str("customer"), "subscription": p.str("subscription"),
                   "status": p.str("status", choices=("draft", "open", "paid",
                                                      "uncollectible", "void"))}
        return self.page("invoices", p, lambda inv: all(
            value is None or _field(inv, name) == value for name, value in filters.items()))


    # -- invoices made by hand (an invoice per one-off charge) ---------------

    @route("POST", "/v1/invoices")
    def create_invoice(self, p: Params) -> dict:
        """A draft for a customer; its lines come from ``add_lines``. Pending
        invoice items are not kept by the sandbox: ``include`` finds none."""
        customer = self.ref("customers", p, "customer")
        if customer is None:
            raise missing_param("customer")
        p.str("collection_method", choices=("charge_automatically", "send_invoice"))
        p.str("pending_invoice_items_behavior", choices=("exclude", "include"))
        invoice = self._new_invoice(
            customer["id"], (p.str("currency") or customer.get("currency") or "gbp").lower(), "manual",
            automatic_tax=bool(p.sub("automatic_tax").bool("enabled", default=False)),
            auto_advance=bool(p.bool("auto_advance", default=False)),
            description=p.str("description"), metadata=apply_metadata({}, p.metadata()))
        self.emit("invoice.created", self.render("invoices", invoice))
        return self.output("invoices", invoice, p)

    @route("POST", "/v1/invoices/{id}/add_lines")
    def add_invoice_lines(self, p: Params, id: str) -> dict:
        invoice = self.get("invoices", id)
        if invoice["status"] != "draft":
            raise ApiError(400, "You can only add lines to a draft invoice.",
                           code="invoice_not_editable")
        entries = p.objects("lines", required=True)
        if not entries:
            raise missing_param("lines")
        lines = list(invoice["lines"]["data"])
        for entry in entries:
            price = self.ref("prices", entry.sub("pricing"), "price")
            if price is None:
                raise missing_param(entry.path("pricing[price]"))
            if price["currency"] != invoice["currency"]:
                raise ApiError(400, "The price's currency must match the invoice's.",
                               param=entry.path("pricing[price]"))
            quantity = entry.int("quantity", default=1, minimum=1)
            lines.append(self._item_line(invoice, price, quantity, entry))
        self._set_lines(invoice, lines)
        return self.output("invoices", invoice, p)

    def _item_line(self, invoice: dict, price: dict, quantity: int, entry: Params) -> dict:
        product = self.db["products"][price["product"]]
        amount = price["unit_amount"] * quantity
        created = now()
        return {"id": new_id("il_"), "object": "line_item", "amount": amount,
                "currency": price["currency"],
                "description": entry.str("description") or f"{quantity} × {product['name']}",
                "discount_amounts": [], "discountable": True, "discounts": [],
                "invoice": invoice["id"], "livemode": False,
                "metadata": apply_metadata({}, entry.metadata()),
                "parent": {"type": "invoice_item_details", "subscription_item_details": None,
                           "invoice_item_details": {"invoice_item": new_id("ii_"),
                                                    "proration": False,
                                                    "proration_details": {"credited_items": None},
                                                    "subscription": None}},
                "period": {"end": created, "start": created}, "pretax_credit_amounts": [],
                "pricing": {"type": "price_details",
                            "unit_amount_decimal": str(price["unit_amount"]),
                            "price_details": {"price": price["id"], "product": product["id"]}},
                "quantity": quantity, "quantity_decimal": str(quantity), "subscription": None,
                "subtotal": amount, "taxes": []}

    @route("POST", "/v1/invoices/{id}/finalize")
    def finalize_invoice(self, p: Params, id: str) -> dict:
        invoice = self.get("invoices", id)
        if invoice["status"] != "draft":
            raise ApiError(400, "This invoice is already finalized, you can't re-finalize a "
                           "non-draft invoice.", code="invoice_not_editable")
        if invoice["automatic_tax"]["status"] == "requires_location_inputs":
            raise ApiError(400, "The customer's location is not valid for automatic tax "
                           "calculation. Add an address to the customer.",
                           code="customer_tax_location_invalid")
        if "auto_advance" in p:
            invoice["auto_advance"] = bool(p.bool("auto_advance"))
        self._finalize(invoice)
        self.emit("invoice.finalized", self.render("invoices", invoice))
        if invoice["amount_due"] == 0:
            self._mark_paid(invoice)
            self.emit("invoice.paid", self.render("invoices", invoice))
        return self.output("invoices", invoice, p)

    @route("POST", "/v1/invoices/{id}/attach_payment")
    def attach_invoice_payment(self, p: Params, id: str) -> dict:
        """A PaymentIntent pays the invoice: at once if it succeeded already,
        else when it succeeds (``credit_attached_payment``)."""
        invoice = self.get("invoices", id)
        intent = self.ref("payment_intents", p, "payment_intent")
        if intent is None:
            raise missing_param("payment_intent")
        if invoice["status"] != "open":
            raise ApiError(400, f"This invoice is {invoice['status']}; a payment can only be "
                           "attached to an open invoice.", code="invoice_not_editable")
        if intent["customer"] != invoice["customer"] or intent["currency"] != invoice["currency"]:
            raise ApiError(400, "The PaymentIntent must have the invoice's customer and currency.",
                           param="payment_intent")
        if any(ip["payment"]["payment_intent"] == intent["id"]
               for ip in self.db["invoice_payments"].values()):
            raise ApiError(400, "This PaymentIntent is already attached to an invoice.",
                           param="payment_intent")
        self._record_invoice_payment(invoice, intent)
        if intent["status"] == "succeeded":
            self.credit_attached_payment(intent)
        return self.output("invoices", invoice, p)

    def credit_attached_payment(self, intent: dict) -> None:
        """A succeeded intent attached to an open invoice pays it."""
        for payment in self.db["invoice_payments"].values():
            if payment["payment"]["payment_intent"] != intent["id"]:
                continue
            payment.update(status="paid", amount_paid=intent["amount"])
            payment["status_transitions"]["paid_at"] = now()
            invoice = self.db["invoices"][payment["invoice"]]
            if invoice["status"] == "open" and intent["amount"] >= invoice["amount_remaining"]:
                self._mark_paid(invoice)
                self.emit("invoice.paid", self.render("invoices", invoice))

    @route("POST", "/v1/invoices/{id}/void")
    def void_invoice(self, p: Params, id: str) -> dict:
        invoice = self.get("invoices", id)
        if invoice["status"] != "open":
            raise ApiError(400, f"You can only void an open invoice; this one is "
                           f"{invoice['status']}.", code="invoice_not_editable")
        invoice.update(status="void", amount_remaining=0, auto_advance=False,
                       next_payment_attempt=None)
        invoice["status_transitions"]["voided_at"] = now()
        self.emit("invoice.voided", self.render("invoices", invoice))
        return self.output("invoices", invoice, p)


def _country(customer: dict) -> str | None:
    return ((customer.get("address") or {}).get("country") or None)


def _field(invoice: dict, name: str) -> str | None:
    """A list filter's field; an invoice names its subscription under ``parent``."""
    if name == "subscription":
        return ((invoice["parent"] or {}).get("subscription_details") or {}).get("subscription")
    return invoice[name]
