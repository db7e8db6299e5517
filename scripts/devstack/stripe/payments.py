"""Money after the sale: the charge every successful payment leaves, refunds
(full, partial, several per charge, failing later), disputes (withdrawn,
won, lost) and the invoice payments that tie a charge to its invoice."""

from __future__ import annotations

from .params import ApiError, Params
from .routes import route
from .store import retriever
from .util import apply_metadata, format_amount, now

REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
COUNTED_REFUND_STATUSES = ("pending", "succeeded", "requires_action")


class Payments:
    """Mixed into the sandbox state (see ``state.py``)."""

    # -- charges ----------------------------------------------------------

    def _charge_intent(self, intent: dict) -> dict:
        """A succeeded payment intent's charge (every successful payment has
        one), with a receipt page."""
        charge = self._new_charge(intent, {
            "amount_captured": intent["amount"], "captured": True,
            "outcome": {"network_status": "approved_by_network", "risk_level": "normal",
                        "seller_message": "Payment complete.", "type": "authorized"},
            "paid": True, "status": "succeeded"})
        charge["receipt_url"] = f"{self.base_url}/receipts/{charge['id']}"
        intent.update(status="succeeded", amount_received=intent["amount"],
                      latest_charge=charge["id"], next_action=None)
        return charge

    def _failed_charge(self, intent: dict, code: str, message: str) -> dict:
        """The charge a declined card leaves (status ``failed``, nothing captured)."""
        charge = self._new_charge(intent, {
            "amount_captured": 0, "captured": False, "failure_code": code,
            "failure_message": message,
            "outcome": {"network_status": "declined_by_network", "reason": "generic_decline",
                        "risk_level": "normal",
                        "seller_message": "The bank did not return any further details with "
                                          "this decline.",
                        "type": "issuer_declined"},
            "paid": False, "status": "failed"})
        intent["latest_charge"] = charge["id"]
        return charge

    def _new_charge(self, intent: dict, outcome: dict) -> dict:
        return self.create("charges", {
            "object": "charge", "amount": intent["amount"], "amount_refunded": 0,
            "billing_details": {"address": None, "email": None, "name": None, "phone": None},
            "created": now(), "currency": intent["currency"], "customer": intent["customer"],
            "description": intent["description"], "disputed": False, "livemode": False,
            "metadata": dict(intent["metadata"]), "payment_intent": intent["id"],
            "payment_method": intent["payment_method"], "refunded": False, **outcome})

    retrieve_charge = retriever("charges", "/v1/charges/{id}")

    @route("GET", "/v1/charges")
    def list_charges(self, p: Params) -> dict:
        customer, intent = p.str("customer"), p.str("payment_intent")
        return self.page("charges", p, lambda c: (customer is None or c["customer"] == customer)
                         and (intent is None or c["payment_intent"] == intent))

    # -- invoice payments -------------------------------------------------

    def _record_invoice_payment(self, invoice: dict, intent: dict) -> dict:
        paid = intent["status"] == "succeeded"
        return self.create("invoice_payments", {
            "object": "invoice_payment", "amount_paid": intent["amount"] if paid else None,
            "amount_requested": intent["amount"], "created": now(),
            "currency": intent["currency"], "invoice": invoice["id"], "is_default": True,
            "livemode": False, "payment": {"type": "payment_intent",
                                           "payment_intent": intent["id"]},
            "status": "paid" if paid else "open",
            "status_transitions": {"canceled_at": None, "paid_at": now() if paid else None}})

    retrieve_invoice_payment = retriever("invoice_payments", "/v1/invoice_payments/{id}")

    @route("GET", "/v1/invoice_payments")
    def list_invoice_payments(self, p: Params) -> dict:
        invoice = p.str("invoice")
        payment = p.sub("payment")
        intent = payment.str("payment_intent") if "payment" in p else None
        return self.page("invoice_payments", p, lambda ip: (
            (invoice is None or ip["invoice"] == invoice)
            and (intent is None or ip["payment"].get("payment_intent") == intent)))

    # -- refunds ----------------------------------------------------------

    @route("POST", "/v1/refunds")
    def create_refund(self, p: Params) -> dict:
        charge = self._refundable_charge(p)
        left = charge["amount"] - charge["amount_refunded"]
        amount = p.int("amount", minimum=1) if "amount" in p else left
        if charge["refunded"] or left <= 0:
            raise ApiError(400, f"Charge {charge['id']} has already been refunded.",
                           code="charge_already_refunded")
        if amount > left:
            raise ApiError(400, f"Refund amount ({format_amount(amount, charge['currency'])}) "
                           "is greater than unrefunded amount on charge "
                           f"({format_amount(left, charge['currency'])})", param="amount")
        refund = self.create("refunds", {
            "object": "refund", "amount": amount, "balance_transaction": None,
            "charge": charge["id"], "created": now(), "currency": charge["currency"],
            "customer": charge["customer"], "failure_reason": None, "metadata": apply_metadata({}, p.metadata()),
            "payment_intent": charge["payment_intent"],
            "reason": p.str("reason", choices=REFUND_REASONS), "status": "succeeded"})
        self._refresh_refunded(charge)
        self.emit("refund.created", self.render("refunds", refund))
        self.emit("charge.refunded", self.render("charges", charge))
        return self.output("refunds", refund, p)

    def _refundable_charge(self, p: Params) -> dict:
        if "charge" in p:
            charge = self.ref("charges", p, "charge")
        elif "payment_intent" in p:
            intent = self.ref("payment_intents", p, "payment_intent")
            charge = self.db["charges"].get(intent["latest_charge"] or "")
            if charge is None or charge["status"] != "succeeded":
                raise ApiError(400, f"PaymentIntent {intent['id']} has no successful charge "
                               "to refund.", param="payment_intent")
        else:
            raise ApiError(400, "One of the following params should be provided for this "
                           "request: payment_intent or charge.")
        if charge["status"] != "succeeded":
            raise ApiError(400, f"Charge {charge['id']} has failed; only a successful charge "
                           "can be refunded.", param="charge")
        if charge["disputed"] and self._open_dispute(charge) is not None:
            raise ApiError(400, f"Charge {charge['id']} has been charged back; it cannot be "
                           "refunded.", code="charge_disputed")
        return charge

    def _refresh_refunded(self, charge: dict) -> None:
        refunded = sum(r["amount"] for r in self.db["refunds"].values()
                       if r["charge"] == charge["id"] and r["status"] in COUNTED_REFUND_STATUSES)
        charge.update(amount_refunded=refunded, refunded=refunded >= charge["amount"])

    retrieve_refund = retriever("refunds", "/v1/refunds/{id}")

    @route("GET", "/v1/refunds")
    def list_refunds(self, p: Params) -> dict:
        charge, intent = p.str("charge"), p.str("payment_intent")
        return self.page("refunds", p, lambda r: (charge is None or r["charge"] == charge)
                         and (intent is None or r["payment_intent"] == intent))

    def fail_refund(self, refund_id: str) -> dict:
        """The bank returns the refund (a closed card, say): the money stays with us."""
        refund = self.get("refunds", refund_id)
        if refund["status"] not in COUNTED_REFUND_STATUSES:
            raise ApiError(400, f"Refund {refund_id} is {refund['status']}; it cannot fail.")
        refund.update(status="failed", failure_reason="expired_or_canceled_card")
        charge = self.db["charges"][refund["charge"]]
        self._refresh_refunded(charge)
        rendered = self.render("refunds", refund)
        self.emit("refund.updated", rendered, {"status": "succeeded", "failure_reason": None})
        self.emit("refund.failed", rendered)
        return rendered

    # -- disputes ---------------------------------------------------------

    def _open_dispute(self, charge: dict) -> dict | None:
        return next((d for d in self.db["disputes"].values()
                     if d["charge"] == charge["id"] and d["status"] not in ("won", "lost")), None)

    def dispute_charge(self, charge_id: str) -> dict:
        """The cardholder's bank disputes the charge: the funds are withdrawn at once."""
        charge = self.get("charges", charge_id)
        if charge["status"] != "succeeded":
            raise ApiError(400, f"Charge {charge_id} has failed; there is nothing to dispute.")
        if charge["disputed"]:
            raise ApiError(400, f"Charge {charge_id} is already disputed.")
        created = now()
        dispute = self.create("disputes", {
            "object": "dispute", "amount": charge["amount"], "balance_transactions": [],
            "charge": charge["id"], "created": created, "currency": charge["currency"],
            "enhanced_eligibility_types": [],
            "evidence": {"enhanced_evidence": {}},
            "evidence_details": {"due_by": created + 7 * 86400, "enhanced_eligibility": {},
                                 "has_evidence": False, "past_due": False,
                                 "submission_count": 0, "submission_method": None},
            "is_charge_refundable": False, "livemode": False, "metadata": {},
            "payment_intent": charge["payment_intent"], "reason": "fraudulent",
            "status": "needs_response"})
        charge["disputed"] = True
        rendered = self.render("disputes", dispute)
        self.emit("charge.dispute.created", rendered)
        self.emit("charge.dispute.funds_withdrawn", rendered)
        return rendered

    def win_dispute(self, dispute_id: str) -> dict:
        dispute = self._open("disputes", dispute_id)
        dispute["status"] = "won"
        rendered = self.render("disputes", dispute)
        self.emit("charge.dispute.funds_reinstated", rendered)
        self.emit("charge.dispute.closed", rendered)
        return rendered

    def lose_dispute(self, dispute_id: str) -> dict:
        dispute = self._open("disputes", dispute_id)
        dispute["status"] = "lost"
        rendered = self.render("disputes", dispute)
        self.emit("charge.dispute.closed", rendered)
        return rendered

    def _open(self, kind: str, dispute_id: str) -> dict:
        dispute = self.get(kind, dispute_id)
        if dispute["status"] in ("won", "lost"):
            raise ApiError(400, f"Dispute {dispute_id} is already closed ({dispute['status']}).")
        return dispute

    retrieve_dispute = retriever("disputes", "/v1/disputes/{id}")

    @route("GET", "/v1/disputes")
    def list_disputes(self, p: Params) -> dict:
        charge, intent = p.str("charge"), p.str("payment_intent")
        return self.page("disputes", p, lambda d: (charge is None or d["charge"] == charge)
                         and (intent is None or d["payment_intent"] == intent))
