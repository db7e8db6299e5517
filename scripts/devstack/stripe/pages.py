"""The hosted pages: Checkout (Pay / Decline, or Save card) at each
session's ``url``, the bank's check of a payment that needs the customer,
receipts, invoices and the billing portal, rendered as plain HTML forms."""

from __future__ import annotations

import datetime
import html
import urllib.parse

from .params import Params
from .routes import Response, route
from .pdf import invoice_pdf
from .util import describe_recurring, format_amount


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 34rem; margin: 3rem auto; color: #1a1f36; }}
.card {{ border: 1px solid #e3e8ee; border-radius: 8px; padding: 1.5rem; margin-bottom: 1rem; }}
.amount {{ font-size: 2rem; font-weight: 600; }}
.muted {{ color: #697386; }}
button {{ font-size: 1rem; padding: .6rem 1.2rem; border-radius: 6px; border: 0; cursor: pointer; }}
.primary {{ background: #635bff; color: white; }}
.secondary {{ background: #e3e8ee; }}
form {{ display: inline-block; margin: .25rem .5rem .25rem 0; }}
.badge {{ font-size: .8rem; background: #fde68a; padding: 0 .4rem; border-radius: 4px; }}
</style></head><body>
<p class="muted">Stripe sandbox &middot; test mode</p>
{body}
</body></html>"""


def page(title: str, body: str) -> str:
    return _PAGE.format(title=html.escape(title), body=body)


def _button(label: str, css: str, **fields: str) -> str:
    inputs = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in fields.items())
    return f'<form method="post">{inputs}<button class="{css}">{html.escape(label)}</button></form>'


def _checkout_row(item: dict) -> str:
    price = item["price"]
    nickname = f" ({price['nickname']})" if price["nickname"] else ""
    amount = format_amount(item["amount_total"], item["currency"])
    return (f"<li>{html.escape(item['description'] + nickname)} &times; {item['quantity']}"
            f" &mdash; {html.escape(amount)} "
            f"{html.escape(describe_recurring(price['recurring']))}</li>")


def _closed_session(session: dict) -> str:
    action = f"<p>This checkout session is <strong>{session['status']}</strong>.</p>"
    if session["status"] == "complete" and session["success_url"]:
        target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
        action += f'<p><a href="{html.escape(target)}">Continue</a></p>'
    return action


def checkout_page(state, session: dict) -> str:
    if session["mode"] == "setup":
        return setup_page(state, session)
    items = state._session_line_items(session, Params())["data"]
    title = items[0]["description"] if len(items) == 1 else "Your order"
    total = format_amount(session["amount_total"], session["currency"])
    cadence = describe_recurring(items[0]["price"]["recurring"]) if len(items) == 1 else ""
    rows = "".join(_checkout_row(item) for item in items)
    if session["status"] != "open":
        action = _closed_session(session)
    else:
        action = (_pay_form(session, total) + _button("Decline", "secondary", action="decline"))
    saving = ("<p>Your card will be saved for future payments.</p>"
              if session["_payment_intent_data"]["setup_future_usage"] else "")
    body = (f'<div class="card"><h1>{html.escape(title)}</h1>'
            f'<p class="amount">{html.escape(total)} <span class="muted">'
            f"{html.escape(cadence)}</span></p><ul>{rows}</ul>{saving}"
            f'<p class="muted">Mode: {session["mode"]}</p>{action}</div>')
    return page(f"Checkout - {title}", body)


# The countries the page offers (any two-letter code works through the controls).
_COUNTRIES = ("GB", "DE", "FR", "IE", "NL", "ES", "IT", "US")


def _pay_form(session: dict, total: str) -> str:
    """Pay, with the billing country and a VAT number when the session asks for them."""
    fields = ""
    if session["automatic_tax"]["enabled"] or session["billing_address_collection"]:
        options = "".join(f'<option value="{c}">{c}</option>' for c in _COUNTRIES)
        fields += f'<label>Country <select name="country">{options}</select></label> '
    if session["tax_id_collection"]["enabled"]:
        fields += '<label>VAT number <input name="tax_id" placeholder="optional"></label> '
    note = ('<p class="muted">VAT is worked out from your country when you pay.</p>'
            if session["automatic_tax"]["enabled"] else "")
    return (f'{note}<form method="post"><input type="hidden" name="action" value="pay">{fields}'
            f'<button class="primary">Pay {html.escape(total)}</button></form>')


def setup_page(state, session: dict) -> str:
    """A setup-mode session: no amount, the card is saved for later."""
    customer = state.db["customers"].get(session["customer"] or "", {})
    who = customer.get("email") or session["customer_email"] or ""
    if session["status"] != "open":
        action = _closed_session(session)
    else:
        action = (_button("Save card", "primary", action="pay")
                  + _button("Cancel", "secondary", action="decline"))
    body = (f'<div class="card"><h1>Save your card</h1>'
            f"<p>{html.escape(who)}</p>"
            "<p>Your card will be saved for future payments. You will not be charged now.</p>"
            f'<p class="muted">Mode: setup</p>{action}</div>')
    return page("Checkout - Save your card", body)


def _card_label(method: dict | None) -> str:
    if not method or not method.get("card"):
        return ""
    card = method["card"]
    return f"{card['brand'].title()} &bull;&bull;&bull;&bull; {html.escape(card['last4'])}"


def authentication_page(state, intent: dict) -> str:
    """The bank's check (3-D Secure) of a payment that needs the customer."""
    amount = format_amount(intent["amount"], intent["currency"])
    method = state.db["payment_methods"].get(intent["payment_method"] or "")
    if intent["status"] == "requires_action":
        action = ("<p>Your bank asks you to confirm this payment.</p>"
                  + _button("Complete payment", "primary", action="complete")
                  + _button("Fail authentication", "secondary", action="fail"))
    else:
        action = (f"<p>This payment is <strong>{html.escape(intent['status'])}</strong>."
                  "</p>")
        target = return_target(intent)
        if target:
            action += f'<p><a href="{html.escape(target)}">Continue</a></p>'
    description = (f"<p>{html.escape(intent['description'])}</p>"
                   if intent["description"] else "")
    body = (f'<div class="card"><h1>Confirm your payment</h1>'
            f'<p class="amount">{html.escape(amount)}</p>{description}'
            f'<p class="muted">{_card_label(method)}</p>{action}</div>')
    return page("Confirm your payment", body)


def return_target(intent: dict) -> str | None:
    """Where the customer goes after authenticating: the ``return_url``
    with the parameters Stripe adds to it."""
    url = intent.get("_return_url")
    if not url:
        return None
    status = "succeeded" if intent["status"] == "succeeded" else "failed"
    query = urllib.parse.urlencode({"payment_intent": intent["id"],
                                    "payment_intent_client_secret": intent["client_secret"],
                                    "redirect_status": status})
    return url + ("&" if "?" in url else "?") + query


def receipt_page(state, charge: dict) -> str:
    amount = format_amount(charge["amount"], charge["currency"])
    when = datetime.datetime.fromtimestamp(charge["created"], datetime.timezone.utc)
    method = state.db["payment_methods"].get(charge["payment_method"] or "")
    refunded = ""
    if charge["amount_refunded"]:
        refunded = (f"<p>Refunded: {html.escape(format_amount(charge['amount_refunded'], charge['currency']))}"
                    "</p>")
    description = (f"<p>{html.escape(charge['description'])}</p>"
                   if charge["description"] else "")
    body = (f'<div class="card"><h1>Receipt</h1>'
            f'<p class="amount">{html.escape(amount)}</p>{description}'
            f"<p>Paid on {when:%d %b %Y}</p>"
            f'<p class="muted">{_card_label(method)}</p>{refunded}'
            f'<p class="muted">{html.escape(charge["id"])}</p></div>')
    return page("Receipt", body)


def portal_page(state, portal: dict) -> str:
    customer = state.db["customers"].get(portal["customer"], {})
    cards = []
    for sub in state.portal_subscriptions(portal["customer"]):
        item = sub["items"]["data"][0]
        price = item["price"]
        name = state.db["products"][price["product"]]["name"]
        when = datetime.datetime.fromtimestamp(item["current_period_end"], datetime.timezone.utc)
        verb = "Cancels" if sub["cancel_at_period_end"] else "Renews"
        phase = state.next_scheduled_phase(state.db["subscriptions"][sub["id"]])
        scheduled = ""
        if phase is not None:
            next_price = state.db["prices"][phase["items"][0]["price"]]
            scheduled = (f'<p>Changes to <strong>{html.escape(state.db["products"][next_price["product"]]["name"])}'
                         f"</strong> on {when:%d %b %Y}</p>"
                         + _button("Keep current plan", "secondary", action="keep",
                                   subscription=sub["id"]))
        switches = "".join(
            _button(f"Switch to {state.db['products'][p['product']]['name']}"
                    f"{' (' + p['nickname'] + ')' if p['nickname'] else ''} "
                    f"{format_amount(p['unit_amount'], p['currency'])} "
                    f"{describe_recurring(p['recurring'])}",
                    "secondary", action="switch", subscription=sub["id"], price=p["id"])
            for p in state.switchable_prices(sub))
        amount = format_amount(price["unit_amount"], price["currency"])
        cards.append(
            f'<div class="card"><h2>{html.escape(name)} <span class="badge">'
            f"{sub['status']}</span></h2><p>{html.escape(amount)} "
            f"{html.escape(describe_recurring(price['recurring']))}</p>"
            f'<p class="muted">{verb} on {when:%d %b %Y}</p>{scheduled}'
            f'{_button("Cancel subscription", "primary", action="cancel", subscription=sub["id"])}'
            f"{switches}</div>")
    back = (f'<p><a href="{html.escape(portal["return_url"])}">Return</a></p>'
            if portal["return_url"] else "")
    body = (f"<h1>Billing</h1><p>{html.escape(customer.get('email') or portal['customer'])}</p>"
            + ("".join(cards) or "<p>No active subscriptions.</p>") + back)
    return page("Billing portal", body)


def invoice_page(state, invoice: dict) -> str:
    total = format_amount(invoice["amount_due"], invoice["currency"])
    rows = "".join(f"<li>{html.escape(line['description'])} &mdash; "
                   f"{html.escape(format_amount(line['amount'], line['currency']))}</li>"
                   for line in invoice["lines"]["data"])
    taxes = "".join(f"<li>VAT ({html.escape(tax['taxability_reason'].replace('_', ' '))}, "
                    f"{html.escape(tax['tax_behavior'])}) &mdash; "
                    f"{html.escape(format_amount(tax['amount'], invoice['currency']))}</li>"
                    for tax in invoice["total_taxes"] or [])
    rows += taxes
    if invoice["status"] == "open":
        action = ("<p>Your bank asks you to confirm this payment.</p>"
                  + _button(f"Pay {total}", "primary", action="pay"))
    else:
        action = f"<p>This invoice is <strong>{html.escape(invoice['status'])}</strong>.</p>"
    pdf = (f'<p><a href="{html.escape(invoice["invoice_pdf"])}">Download PDF</a></p>'
           if invoice["invoice_pdf"] else "")
    body = (f'<div class="card"><h1>Invoice {html.escape(invoice["number"] or invoice["id"])}</h1>'
            f'<p class="amount">{html.escape(total)}</p><ul>{rows}</ul>{action}{pdf}</div>')
    return page(f"Invoice {invoice['number'] or invoice['id']}", body)


class HostedPages:
    """The page handlers; ``self.state`` is the sandbox state."""

    def _show(self, kind: str, obj_id: str, label: str, render) -> Response:
        """A hosted page for one stored object, or a 404 page naming what is missing."""
        obj = self.state.db[kind].get(obj_id)
        if obj is None:
            return Response.html(404, page("Not found", f"<h1>{label} not found</h1>"))
        return Response.html(200, render(self.state, obj))

    @route("GET", "/checkout/{id}")
    def checkout_get(self, form: dict, id: str) -> Response:
        return self._show("checkout_sessions", id, "Checkout session", checkout_page)

    @route("POST", "/checkout/{id}")
    def checkout_post(self, form: dict, id: str) -> Response:
        """Pay completes the session then redirects to success_url; Decline leaves it open."""
        if form.get("action") == "decline":
            session = self.state.decline_checkout(id)
            target = session["cancel_url"]
        else:
            session = self.state.complete_checkout(id, country=form.get("country") or None,
                                                   tax_id=form.get("tax_id") or None)
            target = session["success_url"]
        if not target:
            return Response.html(200, page("Checkout", f"<h1>Payment {session['status']}</h1>"))
        return Response.redirect(target.replace("{CHECKOUT_SESSION_ID}", session["id"]))

    @route("GET", "/invoice/{id}")
    def invoice_get(self, form: dict, id: str) -> Response:
        return self._show("invoices", id, "Invoice", invoice_page)

    @route("GET", "/invoice/{id}/pdf")
    def invoice_pdf_get(self, form: dict, id: str) -> Response:
        """The invoice's PDF (``invoice_pdf``), once it is finalized: a download, as Stripe serves it."""
        invoice = self.state.db["invoices"].get(id)
        if invoice is None or invoice["status"] == "draft":
            return Response.html(404, page("Not found", "<h1>Invoice not found</h1>"))
        rendered = self.state.render("invoices", invoice)
        return Response(200, invoice_pdf(rendered), {
            "Content-Type": "application/pdf",
            "Content-Disposition": f'attachment; filename="Invoice-{rendered["number"]}.pdf"'})

    @route("POST", "/invoice/{id}")
    def invoice_post(self, form: dict, id: str) -> Response:
        """Pay confirms the payment (the customer passed 3-D Secure) and shows the invoice."""
        if self.state.db["invoices"].get(id, {}).get("status") == "open":
            self.state.pay_invoice(id)
        return Response.redirect(f"/invoice/{id}")

    @route("GET", "/authenticate/{id}")
    def authenticate_get(self, form: dict, id: str) -> Response:
        return self._show("payment_intents", id, "Payment", authentication_page)

    @route("POST", "/authenticate/{id}")
    def authenticate_post(self, form: dict, id: str) -> Response:
        """Complete (or fail) the check once, then go to the ``return_url``;
        a second submission changes nothing."""
        intent = self.state.db["payment_intents"].get(id)
        if intent is None:
            return Response.html(404, page("Not found", "<h1>Payment not found</h1>"))
        if intent["status"] == "requires_action":
            if form.get("action") == "fail":
                self.state.fail_payment_intent_authentication(id)
            else:
                self.state.authenticate_payment_intent(id)
        return Response.redirect(return_target(intent) or f"/authenticate/{id}")

    @route("GET", "/receipts/{id}")
    def receipt_get(self, form: dict, id: str) -> Response:
        """Only a successful charge has a receipt (its ``receipt_url``)."""
        if self.state.db["charges"].get(id, {}).get("status") != "succeeded":
            return Response.html(404, page("Not found", "<h1>Receipt not found</h1>"))
        return self._show("charges", id, "Receipt", receipt_page)

    @route("GET", "/billing_portal/{id}")
    def portal_get(self, form: dict, id: str) -> Response:
        return self._show("billing_portal_sessions", id, "Portal session", portal_page)

    @route("POST", "/billing_portal/{id}")
    def portal_post(self, form: dict, id: str) -> Response:
        target = self.state.portal_action(id, form)
        return Response.redirect(target or f"/billing_portal/{id}")

