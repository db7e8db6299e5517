"""Disputes (chargebacks): while the bank holds a payment's funds, every
credit the payment granted is taken back; a won dispute (funds reinstated)
gives them back; a lost one changes nothing further.

Like refunds, every dispute event reads the dispute from Stripe and settles
what it says now, so duplicates and reordering end in the same ledger."""
from chalicelib.billing.stripe_objects import as_dict, stripe_id
from chalicelib.billing.payments import Step

# Inquiries (`warning_*`) and prevented disputes never withdraw funds; a won
# dispute has them back.
FUNDS_NOT_WITHDRAWN = ("won", "prevented", "warning_needs_response", "warning_under_review", "warning_closed")


class Disputes:
    def __init__(self, stripe, sources, takebacks):
        self._stripe = stripe
        self._sources = sources
        self._takebacks = takebacks

    def reconcile(self, dispute_id):
        dispute = as_dict(self._stripe.v1.disputes.retrieve(dispute_id))
        charge = self._sources.charge(stripe_id(dispute["charge"]))
        source = self._sources.for_charge(charge)
        if source is None:
            return
        self._takebacks.settle(source, self.step(source, dispute))

    @staticmethod
    def step(source, dispute):
        if dispute.get("status") in FUNDS_NOT_WITHDRAWN:
            return Step("dispute_reinstated", dispute["id"], dispute["amount"],
                        "Dispute on %s %s: credits returned" % (source.label, dispute.get("status")))
        return Step("dispute", dispute["id"], dispute["amount"], "Dispute on %s: credits taken back" % source.label)
