"""Stripe Tax, as the sandbox computes it: VAT from the customer's country
and tax id, reported the way Stripe reports it (``total_taxes`` and line
``taxes`` on invoices, ``amount_tax`` on Checkout, ``automatic_tax.status``).

The table is small on purpose: the United Kingdom at 20 %, a few EU member
states at their standard rate. A business in the EU (outside GB) with a
well-formed VAT id pays no VAT: the reverse charge. A country outside the
table is one the seller is not registered in: no tax is collected.
"""

from __future__ import annotations

import re

HOME = "GB"
STANDARD_RATES = {"GB": 20, "AT": 20, "BE": 21, "DE": 19, "ES": 21, "FR": 20, "IE": 23,
                  "IT": 22, "NL": 21, "PL": 23, "SE": 25}
EU = frozenset(STANDARD_RATES) - {HOME}
# Two letters (the country, Greece's is EL), then 8 to 12 digits or capitals.
EU_VAT_ID = re.compile(r"^([A-Z]{2})[0-9A-Z]{8,12}$")


def tax_id_type(value: str) -> str:
    return "gb_vat" if value.upper().startswith("GB") else "eu_vat"


def reverse_charged(country: str | None, tax_ids: list[dict]) -> bool:
    """An EU business (outside GB) with a well-formed VAT id of its own country."""
    if country not in EU:
        return False
    for tax_id in tax_ids:
        match = EU_VAT_ID.match((tax_id.get("value") or "").replace(" ", "").upper())
        if tax_id.get("type") == "eu_vat" and match and match.group(1) in (country, "EL"):
            return True
    return False


def rate_id(country: str) -> str:
    """The tax rate Stripe Tax reports for a country's standard rate."""
    return f"txr_sandbox_{country.lower()}_standard"


def line_tax(amount: int, behavior: str, country: str | None, tax_ids: list[dict]) -> dict | None:
    """The tax on one amount, in Stripe's ``taxes`` shape; None while the
    customer's location is unknown (``requires_location_inputs``)."""
    if not country:
        return None
    behavior = behavior if behavior in ("inclusive", "exclusive") else "exclusive"
    rate = STANDARD_RATES.get(country)
    if rate is None:
        reason, tax = "not_collecting", 0
    elif reverse_charged(country, tax_ids):
        reason, tax = "reverse_charge", 0
    else:
        reason = "standard_rated"
        # Rounded half up to the minor unit, as Stripe rounds per line.
        tax = ((amount * rate * 2 + (100 + rate)) // (2 * (100 + rate)) if behavior == "inclusive"
               else (amount * rate * 2 + 100) // 200)
    taxable = amount - tax if behavior == "inclusive" else amount
    return {"amount": tax, "tax_behavior": behavior,
            "tax_rate_details": {"tax_rate": rate_id(country)} if rate is not None else None,
            "taxability_reason": reason, "taxable_amount": taxable, "type": "tax_rate_details",
            "_rate": rate or 0, "_country": country}


def totals(lines: list[tuple[int, dict | None]]) -> dict:
    """Invoice-style totals of (amount, tax) lines: ``subtotal`` and ``total``
    count inclusive tax in the amounts, exclusive tax on top."""
    subtotal = sum(amount for amount, _ in lines)
    taxes = [tax for _, tax in lines if tax is not None]
    inclusive = sum(t["amount"] for t in taxes if t["tax_behavior"] == "inclusive")
    exclusive = sum(t["amount"] for t in taxes if t["tax_behavior"] == "exclusive")
    total = subtotal + exclusive
    return {"subtotal": subtotal, "subtotal_excluding_tax": subtotal - inclusive,
            "total": total, "total_excluding_tax": total - inclusive - exclusive,
            "tax": inclusive + exclusive, "total_taxes": _grouped(taxes)}


def _grouped(taxes: list[dict]) -> list[dict]:
    """One ``total_taxes`` entry per rate, behaviour and reason."""
    groups: dict[tuple, dict] = {}
    for tax in taxes:
        key = (tax["_country"], tax["tax_behavior"], tax["taxability_reason"])
        group = groups.setdefault(key, dict(tax, amount=0, taxable_amount=0))
        group["amount"] += tax["amount"]
        group["taxable_amount"] += tax["taxable_amount"]
    return [public_tax(group) for group in groups.values()]


def public_tax(tax: dict) -> dict:
    return {name: value for name, value in tax.items() if not name.startswith("_")}


def automatic_tax_hash(enabled: bool, country: str | None, kind: str) -> dict:
    """The ``automatic_tax`` hash of an ``invoice``, a ``session`` or a ``subscription``."""
    found = {"enabled": enabled, "liability": {"account": None, "type": "self"} if enabled else None}
    if kind == "subscription":
        return dict(found, disabled_reason=None)
    status = ("complete" if country else "requires_location_inputs") if enabled else None
    found.update(provider="stripe" if enabled else None, status=status)
    if kind == "invoice":
        found["disabled_reason"] = None
    return found
