"""Payment intents: the ones Checkout and invoices leave, and the API to
read them."""

from __future__ import annotations

from .params import Params
from .routes import route
from .store import retriever
from .util import new_id, now


class PaymentIntents:
    """Mixed into the sandbox state (see ``state.py``)."""

    def _new_intent(self, customer: str | None, amount: int, currency: str, metadata: dict,
                    description: str | None = None, status: str = "succeeded", *,
                    payment_method: str | None = None,
                    setup_future_usage: str | None = None) -> dict:
        """A stored intent; a ``succeeded`` one is charged at once (Checkout, invoices)."""
        intent = self.create("payment_intents", {
            "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_received": amount if status == "succeeded" else 0,
            "capture_method": "automatic_async", "client_secret": None,
            "confirmation_method": "automatic", "created": now(), "currency": currency,
            "customer": customer, "description": description, "latest_charge": None,
            "livemode": False, "metadata": metadata, "next_action": None,
            "payment_method": payment_method, "payment_method_types": ["card"],
            "setup_future_usage": setup_future_usage, "status": status})
        intent["client_secret"] = f"{intent['id']}_secret_{new_id('', 25)}"
        if status == "succeeded":
            self._charge_intent(intent)
        return intent

    retrieve_payment_intent = retriever("payment_intents", "/v1/payment_intents/{id}")

    @route("GET", "/v1/payment_intents")
    def list_payment_intents(self, p: Params) -> dict:
        customer = p.str("customer")
        return self.page("payment_intents", p,
                         lambda pi: customer is None or pi["customer"] == customer)
