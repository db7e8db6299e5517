"""Payment intents: the ones Checkout and invoices leave, and the API to
charge a saved card (create with ``confirm``, often ``off_session``, or
confirm later), with what the card does (``cards.CARD_BEHAVIORS``): a
charge, a decline, or a customer who must authenticate on a hosted page."""

from __future__ import annotations

from .params import ApiError, Params, card_error, doc_url
from .routes import route
from .store import retriever
from .util import apply_metadata, new_id, now

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
DECLINED = "Your card was declined."
NEEDS_AUTHENTICATION = "Your card was declined. This transaction requires authentication."
AUTHENTICATION_FAILED = ("The provided PaymentMethod has failed authentication. You can provide "
                         "payment_method_data or a new PaymentMethod to attempt to fulfill this "
                         "PaymentIntent again.")


class PaymentIntents:
    """Mixed into the sandbox state (see ``state.py``)."""

    def _new_intent(self, customer: str | None, amount: int, currency: str, metadata: dict,
                    description: str | None = None, status: str = "succeeded", *,
                    payment_method: str | None = None,
                    setup_future_usage: str | None = None) -> dict:
        """A stored intent; a ``succeeded`` one is charged at once (Checkout, invoices)."""
        intent = self.create("payment_intents", {
            "object": "payment_intent", "amount": amount, "amount_capturable": 0,
            "amount_received": 0, "capture_method": "automatic_async", "client_secret": None,
            "confirmation_method": "automatic", "created": now(), "currency": currency,
            "customer": customer, "description": description, "last_payment_error": None,
            "latest_charge": None, "livemode": False, "metadata": metadata,
            "next_action": None, "payment_method": payment_method,
            "payment_method_types": ["card"], "setup_future_usage": setup_future_usage,
            "status": status})
        intent["client_secret"] = f"{intent['id']}_secret_{new_id('', 25)}"
        if status == "succeeded":
            self._charge_intent(intent)
        return intent

    def _render_payment_intents(self, out: dict, obj: dict) -> dict:
        """The failed attempt's payment method as it is now."""
        error = out["last_payment_error"]
        if error and isinstance(error.get("payment_method"), str):
            error["payment_method"] = self.render(
                "payment_methods", self.db["payment_methods"][error["payment_method"]])
        return out

    # -- the API ----------------------------------------------------------

    @route("POST", "/v1/payment_intents")
    def create_payment_intent(self, p: Params) -> dict:
        amount = p.int("amount", required=True, minimum=1)
        currency = p.str("currency", required=True).lower()
        customer = self.ref("customers", p, "customer")
        customer_id = customer["id"] if customer else None
        method = self.usable_card(p, "payment_method", customer_id)
        confirm = p.bool("confirm", default=False)
        off_session = _off_session(p)
        if "off_session" in p and not confirm:
            raise ApiError(400, "You may only specify `off_session` when `confirm` is true.",
                           param="off_session")
        if confirm and method is None:
            raise _missing_method()
        intent = self._new_intent(
            customer_id, amount, currency, apply_metadata({}, p.metadata()),
            p.str("description"), "requires_confirmation" if method else "requires_payment_method",
            payment_method=method["id"] if method else None,
            setup_future_usage=p.str("setup_future_usage", choices=("off_session", "on_session")))
        self.emit("payment_intent.created", self.render("payment_intents", intent))
        if confirm:
            self._attempt(intent, method, off_session, p.str("return_url"))
        return self.output("payment_intents", intent, p)

    @route("POST", "/v1/payment_intents/{id}/confirm")
    def confirm_payment_intent(self, p: Params, id: str) -> dict:
        """Try again, e.g. with the customer present (no ``off_session``) and a
        ``return_url``: a card that needs authentication then gives a
        ``requires_action`` intent whose ``next_action`` is a hosted page."""
        intent = self.get("payment_intents", id)
        if intent["status"] not in CONFIRMABLE:
            raise ApiError(400, "You cannot confirm this PaymentIntent because it has a status "
                           f"of {intent['status']}. Only a PaymentIntent with one of the "
                           f"following statuses may be confirmed: {', '.join(CONFIRMABLE)}.",
                           code="payment_intent_unexpected_state")
        if "payment_method" in p:
            method = self.usable_card(p, "payment_method", intent["customer"])
        else:
            method = self.db["payment_methods"].get(intent["payment_method"] or "")
        if method is None:
            raise _missing_method()
        self._attempt(intent, method, _off_session(p), p.str("return_url"))
        return self.output("payment_intents", intent, p)

    retrieve_payment_intent = retriever("payment_intents", "/v1/payment_intents/{id}")

    @route("GET", "/v1/payment_intents")
    def list_payment_intents(self, p: Params) -> dict:
        customer = p.str("customer")
        return self.page("payment_intents", p,
                         lambda pi: customer is None or pi["customer"] == customer)

    # -- one payment attempt ----------------------------------------------

    def _attempt(self, intent: dict, method: dict, off_session: bool,
                 return_url: str | None) -> None:
        """Charge ``method`` for ``intent`` as the card behaves; a failure is
        raised as Stripe's 402 ``card_error`` after its events."""
        intent.update(payment_method=method["id"], next_action=None)
        try:
            self._charge_card(intent, method, off_session, return_url)
        finally:
            if not method["customer"]:
                method["_consumed"] = True  # a card no customer keeps pays once

    def _charge_card(self, intent: dict, method: dict, off_session: bool,
                     return_url: str | None) -> None:
        behavior = method["_behavior"]
        if behavior == "succeed":
            self._intent_succeeded(intent)
        elif behavior == "decline":
            charge = self._failed_charge(intent, "card_declined", DECLINED)
            self._intent_failed(intent, charge=charge["id"], code="card_declined",
                                decline_code="generic_decline", message=DECLINED)
        elif off_session:
            self._intent_failed(intent, code="authentication_required",
                                decline_code="authentication_required",
                                message=NEEDS_AUTHENTICATION)
        else:
            intent.update(status="requires_action", _return_url=return_url, next_action={
                "type": "redirect_to_url",
                "redirect_to_url": {"return_url": return_url,
                                    "url": f"{self.base_url}/authenticate/{intent['id']}"}})
            self.emit("payment_intent.requires_action", self.render("payment_intents", intent))

    def _intent_succeeded(self, intent: dict) -> None:
        method = self.db["payment_methods"][intent["payment_method"]]
        if intent["setup_future_usage"] and intent["customer"] and not method["customer"]:
            self.attach_card(method, intent["customer"])
        charge = self._charge_intent(intent)
        intent["last_payment_error"] = None
        self.emit("charge.succeeded", self.render("charges", charge))
        self.emit("payment_intent.succeeded", self.render("payment_intents", intent))
        self.credit_attached_payment(intent)

    def _intent_failed(self, intent: dict, *, code: str, message: str,
                       decline_code: str | None = None, charge: str | None = None,
                       error_type: str = "card_error") -> None:
        """The attempt failed: the intent wants another payment method, and
        keeps the failed one in ``last_payment_error``."""
        method = intent["payment_method"]
        intent.update(status="requires_payment_method", payment_method=None, next_action=None,
                      last_payment_error={"charge": charge, "code": code,
                                          "decline_code": decline_code, "doc_url": doc_url(code),
                                          "message": message, "payment_method": method,
                                          "type": error_type})
        if charge:
            self.emit("charge.failed", self.render("charges", self.db["charges"][charge]))
        rendered = self.render("payment_intents", intent)
        self.emit("payment_intent.payment_failed", rendered)
        if error_type == "card_error":
            raise card_error(message, code, decline_code=decline_code, charge=charge,
                             payment_intent=rendered,
                             payment_method=rendered["last_payment_error"]["payment_method"])

    # -- the customer authenticates (hosted page, /_sandbox/) ---------------

    def authenticate_payment_intent(self, intent_id: str) -> dict:
        """The customer completes 3-D Secure: the payment goes through."""
        intent = self._needing_action(intent_id)
        self._intent_succeeded(intent)
        return self.render("payment_intents", intent)

    def fail_payment_intent_authentication(self, intent_id: str) -> dict:
        """The customer fails (or abandons) 3-D Secure: the intent wants
        another payment method, with no charge."""
        intent = self._needing_action(intent_id)
        self._intent_failed(intent, code="payment_intent_authentication_failure",
                            message=AUTHENTICATION_FAILED, error_type="invalid_request_error")
        return self.render("payment_intents", intent)

    def _needing_action(self, intent_id: str) -> dict:
        intent = self.get("payment_intents", intent_id)
        if intent["status"] != "requires_action":
            raise ApiError(400, f"PaymentIntent {intent_id} has status {intent['status']}; "
                           "only one that requires action can be authenticated.",
                           code="payment_intent_unexpected_state")
        return intent


def _off_session(p: Params) -> bool:
    """``true``, or the older ``one_off``/``recurring``, mean the customer is away."""
    if p.str("off_session") in ("one_off", "recurring"):
        return True
    return bool(p.bool("off_session", default=False))


def _missing_method() -> ApiError:
    return ApiError(400, "You cannot confirm this PaymentIntent because it's missing a payment "
                    "method. To confirm the PaymentIntent, specify a payment method attached "
                    "to its customer.", param="payment_method")
