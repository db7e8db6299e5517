"""Saved cards: payment methods (the card a customer entered, attached to
them or not), setup intents (saving a card without paying), a customer's
default card, and how a customer's cards behave when charged (the
``/_sandbox/customers/{id}/card`` control)."""

from __future__ import annotations

import datetime
import hashlib

from .params import ApiError, Params, missing_param
from .routes import route
from .store import retriever
from .util import apply_metadata, new_id, now

# What charging the card does, and the Stripe test card that does the same.
CARD_BEHAVIORS = {
    "succeed": "4242424242424242",
    "decline": "4000000000000341",  # saves fine, every charge is declined
    "require_authentication": "4000002760003184",  # every charge needs 3-D Secure
}
REUSED_MESSAGE = ("The provided PaymentMethod was previously used with a PaymentIntent without "
                  "Customer attachment, shared with a connected account without Customer "
                  "attachment, or was detached from a Customer. It may not be used again. To "
                  "use a PaymentMethod multiple times, you must attach it to a Customer first.")


class Cards:
    """Mixed into the sandbox state (see ``state.py``)."""

    # -- payment methods --------------------------------------------------

    def new_card(self, customer_id: str | None, *, allow_redisplay: str = "unspecified") -> dict:
        """The card a customer enters (on a hosted page): a test card that
        behaves as their cards do (``set_card_behavior``), not yet attached."""
        customer = self.db["customers"].get(customer_id or "", {})
        behavior = customer.get("_card_behavior", "succeed")
        number = CARD_BEHAVIORS[behavior]
        return self.create("payment_methods", {
            "object": "payment_method", "allow_redisplay": allow_redisplay,
            "billing_details": {
                "address": {"city": None, "country": None, "line1": None, "line2": None,
                            "postal_code": None, "state": None},
                "email": customer.get("email"), "name": customer.get("name"), "phone": None,
                "tax_id": None},
            "card": {
                "brand": "visa", "checks": {"address_line1_check": None,
                                            "address_postal_code_check": None,
                                            "cvc_check": "pass"},
                "country": "US", "display_brand": "visa", "exp_month": 12,
                "exp_year": datetime.date.today().year + 3,
                "fingerprint": hashlib.sha256(number.encode()).hexdigest()[:16],
                "funding": "credit", "generated_from": None, "last4": number[-4:],
                "networks": {"available": ["visa"], "preferred": None},
                "regulated_status": "unregulated",
                "three_d_secure_usage": {"supported": True}, "wallet": None},
            "created": now(), "customer": None, "livemode": False, "metadata": {},
            "type": "card", "_behavior": behavior, "_consumed": False})

    retrieve_payment_method = retriever("payment_methods", "/v1/payment_methods/{id}")

    @route("GET", "/v1/payment_methods")
    def list_payment_methods(self, p: Params) -> dict:
        customer, kind = p.str("customer"), p.str("type")
        if customer:
            self.ref("customers", p, "customer")
        return self.page("payment_methods", p, lambda pm: (
            (customer is None or pm["customer"] == customer)
            and (kind is None or pm["type"] == kind)))

    @route("GET", "/v1/customers/{id}/payment_methods")
    def list_customer_payment_methods(self, p: Params, id: str) -> dict:
        self.get("customers", id)
        kind = p.str("type")
        return self.page("payment_methods", p, lambda pm: pm["customer"] == id and (
            kind is None or pm["type"] == kind), url=f"/v1/customers/{id}/payment_methods")

    @route("GET", "/v1/customers/{customer}/payment_methods/{id}")
    def retrieve_customer_payment_method(self, p: Params, customer: str, id: str) -> dict:
        self.get("customers", customer)
        method = self.get("payment_methods", id)
        if method["customer"] != customer:
            raise ApiError(404, f"No such PaymentMethod: '{id}'", code="resource_missing",
                           param="payment_method")
        return self.output("payment_methods", method, p)

    @route("POST", "/v1/payment_methods/{id}/attach")
    def attach_payment_method(self, p: Params, id: str) -> dict:
        method = self.get("payment_methods", id)
        if "customer" not in p:
            raise missing_param("customer")
        customer = self.ref("customers", p, "customer")
        self.attach_card(method, customer["id"])
        return self.output("payment_methods", method, p)

    def attach_card(self, method: dict, customer_id: str) -> None:
        """The card is saved to the customer (``payment_method.attached``); it
        takes on how the customer's cards behave."""
        if method["customer"] == customer_id:
            return
        if method["customer"]:
            raise ApiError(400, "The payment method you provided has already been attached "
                           "to a customer.", param="payment_method")
        if method["_consumed"]:
            raise ApiError(400, REUSED_MESSAGE, param="payment_method")
        customer = self.db["customers"][customer_id]
        method.update(customer=customer_id,
                      _behavior=customer.get("_card_behavior", method["_behavior"]))
        self.emit("payment_method.attached", self.render("payment_methods", method))

    @route("POST", "/v1/payment_methods/{id}/detach")
    def detach_payment_method(self, p: Params, id: str) -> dict:
        """As on Stripe, a detached card can never be used again, and stops
        being its customer's default."""
        method = self.get("payment_methods", id)
        if not method["customer"]:
            raise ApiError(400, "The payment method you provided is not attached to a "
                           "customer so detachment is impossible.", param="payment_method")
        customer = self.db["customers"].get(method["customer"], {})
        settings = customer.get("invoice_settings") or {}
        if settings.get("default_payment_method") == id:
            settings["default_payment_method"] = None
        method.update(customer=None, _consumed=True)
        self.emit("payment_method.detached", self.render("payment_methods", method))
        return self.output("payment_methods", method, p)

    def usable_card(self, p: Params, name: str, customer_id: str | None) -> dict | None:
        """The payment method a parameter names, if a payment for
        ``customer_id`` may use it (400 otherwise); None when absent."""
        method = self.ref("payment_methods", p, name)
        if method is None:
            return None
        if method["customer"] and method["customer"] != customer_id:
            raise ApiError(400, f"The provided PaymentMethod ({method['id']}) is attached to "
                           f"customer {method['customer']}; pass that customer as `customer` "
                           "to use it.", param=p.path(name))
        if not method["customer"] and method["_consumed"]:
            raise ApiError(400, REUSED_MESSAGE, param=p.path(name))
        return method

    def default_card_setting(self, customer: dict, p: Params) -> None:
        """``invoice_settings[default_payment_method]`` on a customer update:
        one of their attached cards, or empty to unset it."""
        settings = p.sub("invoice_settings")
        if "default_payment_method" not in settings:
            return
        method_id = settings.str("default_payment_method")
        if method_id:
            method = self.ref("payment_methods", settings, "default_payment_method")
            if method["customer"] != customer["id"]:
                raise ApiError(400, f"The customer does not have a payment method with the ID "
                               f"{method_id}. The payment method must be attached to the "
                               "customer.", param=settings.path("default_payment_method"))
        customer["invoice_settings"]["default_payment_method"] = method_id

    # -- how a customer's cards behave --------------------------------------

    def set_card_behavior(self, customer_id: str, behavior: str | None) -> dict:
        """Every card the customer has saved, or saves later, charges as
        ``behavior`` says (``/_sandbox/customers/{id}/card``)."""
        customer = self.get("customers", customer_id)
        if behavior not in CARD_BEHAVIORS:
            raise ApiError(400, "Invalid behavior: must be one of "
                           f"{', '.join(CARD_BEHAVIORS)}", param="behavior")
        customer["_card_behavior"] = behavior
        cards = [pm for pm in self.db["payment_methods"].values()
                 if pm["customer"] == customer_id]
        for card in cards:
            card["_behavior"] = behavior
        number = CARD_BEHAVIORS[behavior]
        return {"customer": customer_id, "behavior": behavior,
                "test_card": " ".join(number[i:i + 4] for i in range(0, 16, 4)),
                "payment_methods": [card["id"] for card in cards]}

    # -- setup intents ----------------------------------------------------

    @route("POST", "/v1/setup_intents")
    def create_setup_intent(self, p: Params) -> dict:
        """``confirm=true`` with a card saves it at once (the sandbox's cards
        never ask for authentication when saved)."""
        customer = self.ref("customers", p, "customer")
        customer_id = customer["id"] if customer else None
        method = self.usable_card(p, "payment_method", customer_id)
        confirm = p.bool("confirm", default=False)
        if confirm and method is None:
            raise ApiError(400, "You cannot confirm this SetupIntent because it's missing a "
                           "payment method. Update the SetupIntent with a payment method and "
                           "then confirm it again.", param="payment_method")
        intent = self.new_setup_intent(
            customer_id, method, usage=p.str("usage", choices=("off_session", "on_session"))
            or "off_session", metadata=apply_metadata({}, p.metadata()),
            description=p.str("description"),
            types=p.strings("payment_method_types") or ["card"])
        if confirm:
            self.succeed_setup(intent, method)
        return self.output("setup_intents", intent, p)

    def new_setup_intent(self, customer_id: str | None, method: dict | None, *, usage: str,
                         metadata: dict, description: str | None,
                         types: list[str]) -> dict:
        intent = self.create("setup_intents", {
            "object": "setup_intent", "application": None, "automatic_payment_methods": None,
            "cancellation_reason": None, "client_secret": None, "created": now(),
            "customer": customer_id, "description": description, "flow_directions": None,
            "last_setup_error": None, "latest_attempt": None, "livemode": False,
            "mandate": None, "metadata": metadata, "next_action": None,
            "on_behalf_of": None, "payment_method": method["id"] if method else None,
            "payment_method_types": types, "single_use_mandate": None,
            "status": "requires_confirmation" if method else "requires_payment_method",
            "usage": usage})
        intent["client_secret"] = f"{intent['id']}_secret_{new_id('', 25)}"
        self.emit("setup_intent.created", self.render("setup_intents", intent))
        return intent

    def succeed_setup(self, intent: dict, method: dict) -> None:
        """The card is saved: attached to the intent's customer, if any."""
        intent.update(status="succeeded", payment_method=method["id"])
        if intent["customer"]:
            self.attach_card(method, intent["customer"])
        self.emit("setup_intent.succeeded", self.render("setup_intents", intent))

    retrieve_setup_intent = retriever("setup_intents", "/v1/setup_intents/{id}")

    @route("GET", "/v1/setup_intents")
    def list_setup_intents(self, p: Params) -> dict:
        customer, method = p.str("customer"), p.str("payment_method")
        return self.page("setup_intents", p, lambda si: (
            (customer is None or si["customer"] == customer)
            and (method is None or si["payment_method"] == method)))
