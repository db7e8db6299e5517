"""Refunds: each refund of a payment takes back its share of the credits the
payment granted; a refund that fails or is cancelled gives them back.

No handler trusts the event it was handed: every refund event (and
`charge.refunded`) lists the charge's refunds in Stripe and settles each one,
so duplicates, reordering (a `refund.failed` before its `refund.created`) and
retries all end in the same ledger."""
from chalicelib.billing.stripe_objects import as_dict, money
from chalicelib.billing.payments import Step

# A refund in one of these states has the money on its way back to the customer.
COUNTED_STATUSES = ("pending", "succeeded", "requires_action")


class Refunds:
    def __init__(self, stripe, sources, takebacks):
        self._stripe = stripe
        self._sources = sources
        self._takebacks = takebacks

    def reconcile(self, charge_id):
        charge = self._sources.charge(charge_id)
        source = self._sources.for_charge(charge)
        if source is None:
            return
        listing = self._stripe.v1.refunds.list(params={"charge": charge_id, "limit": 100})
        refunds = sorted((as_dict(r) for r in listing.auto_paging_iter()), key=lambda r: (r.get("created") or 0, r["id"]))
        for refund in refunds:
            self._takebacks.settle(source, self.step(source, refund))

    @staticmethod
    def step(source, refund):
        share = "%s of %s" % (money(refund["amount"], refund.get("currency")), money(source.amount, source.currency))
        if refund.get("status") in COUNTED_STATUSES:
            return Step("refund", refund["id"], refund["amount"], "Refund of %s (%s)" % (source.label, share))
        return Step("refund_reversed", refund["id"], refund["amount"],
                    "Refund of %s %s (%s): credits returned" % (source.label, refund.get("status"), share))
