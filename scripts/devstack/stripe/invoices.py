"""Invoices: the ones a subscription's start, renewal or failed renewal
creates, and the API to read them."""

from __future__ import annotations

from .params import Params
from .routes import route
from .store import retriever
from .util import describe_recurring, format_amount, new_id, now


class Invoices:
    """Mixed into the sandbox state (see ``state.py``)."""

    def _create_invoice(self, sub: dict, reason: str, *, paid: bool, period: tuple,
                        line_period: tuple, one_time: list[dict] = (),
                        extra_lines: list[dict] = ()) -> dict:
        """Invoice ``period_*`` is the period just ended (as Stripe reports it);
        each line's ``period`` is the service period being billed."""
        created = now()
        customer = self.db["customers"].get(sub["customer"], {})
        lines = [self._invoice_line(sub, item["price"], item["quantity"], line_period, item["id"])
                 for item in sub["items"]["data"]]
        lines += [self._invoice_line(sub, item["price"], item["quantity"], (created, created))
                  for item in one_time]
        lines += list(extra_lines)
        total = max(0, sum(line["amount"] for line in lines))
        invoice = self.create("invoices", {
            "object": "invoice", "account_country": "GB", "amount_due": total,
            "amount_overpaid": 0, "amount_paid": total if paid else 0,
            "amount_remaining": 0 if paid else total, "amount_shipping": 0,
            "attempt_count": 1, "attempted": True, "auto_advance": not paid,
            "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None,
                              "provider": None, "status": None},
            "billing_reason": reason, "collection_method": "charge_automatically",
            "created": created, "currency": sub["currency"], "customer": sub["customer"],
            "customer_address": customer.get("address"), "customer_email": customer.get("email"),
            "customer_name": customer.get("name"), "customer_phone": customer.get("phone"),
            "customer_shipping": customer.get("shipping"),
            "customer_tax_exempt": customer.get("tax_exempt", "none"), "customer_tax_ids": [],
            "default_tax_rates": [], "description": None, "discounts": [],
            "effective_at": created, "ending_balance": 0, "hosted_invoice_url": None,
            "issuer": {"type": "self"}, "lines": None, "livemode": False, "metadata": {},
            "next_payment_attempt": None if paid else created + 3 * 86400,
            "number": f"{customer.get('invoice_prefix', 'SANDBOX')}-"
                      f"{next(self._invoice_numbers):04d}",
            "parent": {"quote_details": None, "type": "subscription_details",
                       "subscription_details": {"metadata": dict(sub["metadata"]),
                                                "subscription": sub["id"]}},
            "payment_settings": {"default_mandate": None, "payment_method_options": None,
                                 "payment_method_types": None},
            "period_end": period[1], "period_start": period[0],
            "post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0,
            "starting_balance": 0, "status": "paid" if paid else "open",
            "status_transitions": {"finalized_at": created, "marked_uncollectible_at": None,
                                   "paid_at": created if paid else None, "voided_at": None},
            "subtotal": total, "subtotal_excluding_tax": total, "total": total,
            "total_discount_amounts": [], "total_excluding_tax": total,
            "total_pretax_credit_amounts": [], "total_taxes": []})
        for line in lines:
            line["invoice"] = invoice["id"]
        invoice["lines"] = {"object": "list", "data": lines, "has_more": False,
                            "url": f"/v1/invoices/{invoice['id']}/lines"}
        invoice["hosted_invoice_url"] = f"{self.base_url}/invoice/{invoice['id']}"
        if paid and total > 0:
            self._collect(invoice)
        return invoice

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


def _field(invoice: dict, name: str) -> str | None:
    """A list filter's field; an invoice names its subscription under ``parent``."""
    if name == "subscription":
        return invoice["parent"]["subscription_details"]["subscription"]
    return invoice[name]
