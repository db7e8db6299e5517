"""Billing history: an organisation's invoices as Stripe keeps them — one
per payment: a pack's (Checkout's `invoice_creation`), a subscription's
start, renewal or switch, an automatic top-up's (chalicelib.billing.top_ups)
— newest first, with the links to Stripe's hosted page and PDF.

Stripe is the record: nothing is copied into our tables. Drafts and voided
invoices (a top-up that was declined) are not payments and are left out.
Amounts are integers in the currency's minor unit, as Stripe gives them.
"""
import datetime
import re

import stripe as stripe_sdk

from chalicelib.platform.errors import BadRequest
from chalicelib.billing.stripe_client import upstream
from chalicelib.billing.stripe_objects import as_dict

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SHOWN = ("open", "paid", "uncollectible")
CURSOR = re.compile(r"^in_[A-Za-z0-9]{1,100}$")
MAX_READS = 5  # Stripe pages read to fill one page despite drafts and voided invoices


def parse_cursor(raw):
    """An invoice id the API answered as `next_cursor`; empty or absent: the first page."""
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str) or not CURSOR.match(raw):
        raise BadRequest("cursor is not one this API returned.", code="invalid_cursor")
    return raw


def view(invoice):
    """One invoice as `GET /invoices` shows it."""
    lines = ((invoice.get("lines") or {}).get("data")) or []
    description = invoice.get("description") or "; ".join(
        line.get("description") or "" for line in lines if line.get("description")) or None
    created = datetime.datetime.fromtimestamp(int(invoice["created"]), datetime.timezone.utc)
    return {
        "id": invoice["id"],
        "number": invoice.get("number"),
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": description,
        "total": int(invoice.get("total") or 0),
        "tax": sum(int(tax.get("amount") or 0) for tax in invoice.get("total_taxes") or []),
        "currency": invoice.get("currency"),
        "status": invoice.get("status"),
        "hosted_url": invoice.get("hosted_invoice_url"),
        "pdf_url": invoice.get("invoice_pdf"),
    }


class BillingHistory:
    def __init__(self, stripe):
        self._stripe = stripe

    def page(self, account, limit=DEFAULT_LIMIT, cursor=None):
        """(invoices, next_cursor) of the account's Stripe customer, newest first."""
        cursor = parse_cursor(cursor)
        if not account.stripe_customer_id:
            return [], None
        found, after, more = [], cursor, False
        with upstream("read your invoices"):
            for _ in range(MAX_READS):
                params = {"customer": account.stripe_customer_id, "limit": limit}
                if after:
                    params["starting_after"] = after
                try:
                    listing = self._stripe.v1.invoices.list(params=params)
                except stripe_sdk.InvalidRequestError:
                    if after == cursor and cursor is not None:
                        raise BadRequest("cursor is not one this API returned.", code="invalid_cursor")
                    raise
                consumed = 0
                for invoice in listing.data:
                    consumed += 1
                    after = invoice.id
                    if invoice.status in SHOWN:
                        found.append(view(as_dict(invoice)))
                    if len(found) == limit:
                        break
                more = listing.has_more or consumed < len(listing.data)
                if len(found) == limit or not listing.has_more:
                    break
        return found, (after if more else None)
