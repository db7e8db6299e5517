"""What a Stripe charge paid for: a pack (a Checkout Session in payment mode),
a subscription invoice or an automatic top-up (a PaymentIntent of ours,
`metadata.top_up`, which also pays the top-up's invoice). Refunds and disputes name a charge; this finds the
account, the credits the payment granted and the bucket they went to, and
makes sure that grant is applied first, so a refund or dispute that arrives
before the payment's own event still takes back from a granted payment."""
import time

from chalicelib.billing.payments import PLAN, PURCHASED, Source
from chalicelib.billing.stripe_objects import (
    as_dict, first_line, invoice_metadata, invoice_subscription, stripe_id)


class ChargeSources:
    def __init__(self, stripe, plans, grants):
        self._stripe = stripe
        self._plans = plans
        self._grants = grants  # chalicelib.billing.webhooks.StripeWebhook: account_for, grant_pack, grant_invoice

    def charge(self, charge_id):
        return as_dict(self._stripe.v1.charges.retrieve(charge_id))

    def for_charge(self, charge):
        """A `payments.Source`, or None for a charge that bought no credits."""
        intent_id = stripe_id(charge.get("payment_intent"))
        if not intent_id:
            return None
        sessions = self._stripe.v1.checkout.sessions.list(params={"payment_intent": intent_id, "limit": 1}).data
        if sessions:
            return self._pack(charge, as_dict(sessions[0]))
        payments = self._stripe.v1.invoice_payments.list(params={
            "payment": {"type": "payment_intent", "payment_intent": intent_id}, "limit": 1}).data
        if payments:
            invoice = as_dict(self._stripe.v1.invoices.retrieve(payments[0].invoice))
            if invoice_subscription(invoice):
                return self._invoice(charge, invoice)
            # Any other invoice (a top-up's) only records the payment: its intent says what it bought.
        intent = as_dict(self._stripe.v1.payment_intents.retrieve(intent_id))
        if (intent.get("metadata") or {}).get("top_up"):
            return self._top_up(charge, intent)
        return None

    def _top_up(self, charge, intent):
        """An automatic top-up: a pack's credits, in the purchased bucket."""
        metadata = intent.get("metadata") or {}
        account = self._grants.account_for(intent, metadata.get("user_id"))
        if account is None or not metadata.get("credits"):
            return None
        self._grants.grant_top_up(account, intent)
        return Source(account.user_id, charge["id"], charge["amount"], charge["currency"], int(metadata["credits"]),
                      PURCHASED, "%s pack (automatic top-up)" % (metadata.get("pack") or "Pack"), intent["id"])

    def _pack(self, charge, session):
        account = self._grants.account_for(session, session.get("client_reference_id"))
        product = self._plans.find((session.get("metadata") or {}).get("plan"))
        if account is None or product is None:
            return None
        self._grants.grant_pack(account, session)
        return Source(account.user_id, charge["id"], charge["amount"], charge["currency"], int(product.credits),
                      PURCHASED, "%s pack" % product.name, session["id"])

    def _invoice(self, charge, invoice):
        subscription_id = invoice_subscription(invoice)
        account = self._grants.account_for(invoice, metadata=invoice_metadata(invoice))
        line = first_line(invoice)
        product = (self._plans.for_price(line.get("price"))
                   or self._plans.find(invoice_metadata(invoice).get("plan")))
        if account is None or product is None or not subscription_id:
            return None
        self._grants.grant_invoice(invoice)
        period_start = int(line["period"]["start"])
        label = "%s, period from %s" % (product.name, time.strftime("%Y-%m-%d", time.gmtime(period_start)))
        return Source(account.user_id, charge["id"], charge["amount"], charge["currency"], int(product.credits),
                      PLAN, label, invoice["id"], subscription_id=subscription_id, period_start=period_start)
