"""A minimal, valid PDF of an invoice: one A4 page of text in Helvetica,
written by hand (objects, a cross-reference table with exact byte offsets,
a trailer), so a viewer opens it and no PDF library is needed."""

from __future__ import annotations

import datetime

from .util import format_amount


def _escape(text: str) -> str:
    """A PDF literal string's content, in the Latin-1 the standard fonts use."""
    text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return text.encode("latin-1", "replace").decode("latin-1")


def document(lines: list[tuple[int, str]]) -> bytes:
    """A one-page PDF showing ``lines``: (font size, text), top to bottom."""
    text = ["BT", "/F1 12 Tf", "56 780 Td"]
    for size, line in lines:
        text += [f"/F1 {size} Tf", f"0 -{size + 8} Td", f"({_escape(line)}) Tj"]
    text.append("ET")
    stream = "\n".join(text).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def invoice_pdf(invoice: dict) -> bytes:
    """The invoice as its PDF: number, dates, customer, lines, VAT, total."""
    currency = invoice["currency"]

    def money(amount: int) -> str:
        # Latin-1 has the pound sign; the euro is written out.
        return format_amount(amount, currency).replace("€", "EUR ")

    created = datetime.datetime.fromtimestamp(invoice["created"], datetime.timezone.utc)
    lines = [(20, f"Invoice {invoice['number'] or invoice['id']}"),
             (11, f"Date: {created:%d %B %Y}"),
             (11, f"Status: {invoice['status']}"),
             (11, f"Seller: {invoice.get('account_name') or 'Sandbox Ltd'} "
                  f"({invoice['account_country']})"),
             (11, f"Bill to: {invoice['customer_name'] or invoice['customer_email'] or invoice['customer']}")]
    address = invoice.get("customer_address") or {}
    if address.get("country"):
        lines.append((11, f"Country: {address['country']}"))
    for tax_id in invoice.get("customer_tax_ids") or []:
        lines.append((11, f"VAT number: {tax_id['value']}"))
    lines.append((11, ""))
    for line in invoice["lines"]["data"]:
        lines.append((11, f"{line['description']}    {money(line['amount'])}"))
    lines.append((11, ""))
    lines.append((11, f"Subtotal: {money(invoice['subtotal'])}"))
    for tax in invoice.get("total_taxes") or []:
        lines.append((11, f"VAT ({_reason(tax)}): {money(tax['amount'])}"))
    lines.append((14, f"Total: {money(invoice['total'])}"))
    lines.append((11, f"Amount paid: {money(invoice['amount_paid'])}"))
    if any(tax["taxability_reason"] == "reverse_charge" for tax in invoice.get("total_taxes") or []):
        lines.append((11, "Reverse charge: the customer accounts for the VAT."))
    return document(lines)


def _reason(tax: dict) -> str:
    from .tax import STANDARD_RATES  # the rate behind the reported tax

    reason = tax["taxability_reason"]
    if reason == "standard_rated":
        country = (tax.get("tax_rate_details") or {}).get("tax_rate", "").split("_")[2:3]
        rate = STANDARD_RATES.get(country[0].upper()) if country else None
        return f"{rate} %" if rate is not None else "standard rate"
    return reason.replace("_", " ")
