"""Checkout, going back to Free and the billing portal.

Every Stripe call happens before the local write it leads to, so a Stripe
failure (a 502 `UpstreamError`) leaves the account exactly as it was.
Credits for a purchase or a subscription are granted by the Stripe webhook,
never here: a checkout session only says what the user wants to buy.
"""
import logging
import time

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.platform import db, metrics, settings
from chalicelib.platform.errors import BadRequest, Conflict, UpstreamError, excerpt
from chalicelib.platform.models import Account
from chalicelib.credits.plans import price_kind, stored_prices, tax_behavior
from chalicelib.billing.stripe_client import upstream
from chalicelib.billing.subscriptions import LIVE_STATUSES

logger = logging.getLogger("credits-saas")

# Identical checkout requests within this window get the same session while
# it is still open (a double click, a retried request); once that session is
# paid or expired, the next request is a new purchase with a new session.
CHECKOUT_WINDOW_SECONDS = 60
MAX_PLAN_NAME = 100


def customer_idempotency_key(user_id):
    return "customer:%s" % user_id


def checkout_idempotency_key(user_id, plan, mode, client_key=None, now=None):
    """Stable for retries of one request, new for a later purchase.

    A client-supplied `Idempotency-Key` (checked by web.idempotency_key) names
    the request exactly; without one the key falls back to a short time window."""
    if client_key is not None:
        request = "key:" + client_key
    else:
        request = "t%d" % (int(now if now is not None else time.time()) // CHECKOUT_WINDOW_SECONDS)
    return "checkout:%s:%s:%s:%s" % (user_id, plan, mode, request)


def parse_plan(body):
    """The plan name of a `POST /checkout` or `POST /change-plan` body, or a 400."""
    plan = body.get("plan")
    if not isinstance(plan, str) or not plan.strip() or len(plan) > MAX_PLAN_NAME:
        raise BadRequest('"plan" must be the name of a plan (got %s).' % excerpt(plan), code="invalid_plan")
    return plan


def parse_checkout(body):
    """(plan name, subscribe) from a `POST /checkout` body, or a 400."""
    plan = parse_plan(body)
    subscribe = body.get("subscribe")
    if not isinstance(subscribe, bool):
        raise BadRequest('"subscribe" must be true or false.', code="invalid_subscribe")
    return plan, subscribe


def parse_save_card(body):
    """The optional `save_card` of a pack's checkout: keep the card for automatic top-up."""
    save_card = body.get("save_card", False)
    if not isinstance(save_card, bool):
        raise BadRequest('"save_card" must be true or false.', code="invalid_save_card")
    return save_card


def tax_collection():
    """What a taxed checkout asks of Stripe: VAT computed by Stripe Tax from
    the billing address, a VAT number for businesses, and both saved on the
    customer (their later invoices and top-ups are taxed the same way)."""
    return {"automatic_tax": {"enabled": True}, "billing_address_collection": "required",
            "tax_id_collection": {"enabled": True},
            "customer_update": {"address": "auto", "name": "auto"}}


def _replayed(stripe_object):
    """Stripe answered from its idempotency cache (the object as first created)."""
    response = stripe_object.last_response
    return response is not None and (response.headers or {}).get("Idempotent-Replayed") == "true"


def is_subscribed_to(account, plan_name):
    subscription = account.subscription
    return (subscription is not None and subscription.plan == plan_name
            and subscription.status in LIVE_STATUSES)


class Billing:
    def __init__(self, stripe, plans, subscriptions):
        self._stripe = stripe
        self._plans = plans
        self._subscriptions = subscriptions

    # Customers ---------------------------------------------------------------

    def customer_id(self, account, max_network_retries=None):
        """The account's Stripe customer, created and stored on first use."""
        if account.stripe_customer_id:
            return account.stripe_customer_id
        params = {"metadata": {"user_id": account.user_id}}
        if account.email:
            params["email"] = account.email
        if account.org_name:  # a team organisation: its own customer, named after it
            params["name"] = account.org_name
        options = {"idempotency_key": customer_idempotency_key(account.user_id)}
        if max_network_retries is not None:
            options["max_network_retries"] = max_network_retries
        with upstream("create your Stripe customer"):
            customer = self._stripe.v1.customers.create(params=params, options=options)
        return self._store_customer(account.user_id, customer.id)

    @staticmethod
    def _store_customer(user_id, customer_id):
        """Written only if the account has none yet; a concurrent request that
        stored one first wins (the idempotency key makes it the same customer)."""
        try:
            Account(user_id).update(
                actions=[Account.stripe_customer_id.set(customer_id)],
                condition=Account.user_id.exists() & Account.stripe_customer_id.does_not_exist(),
            )
        except UpdateError as error:
            if not db.is_condition_failure(error):
                raise
            try:
                stored = Account.get(user_id, consistent_read=True).stripe_customer_id
            except DoesNotExist:
                stored = None
            return stored or customer_id
        return customer_id

    # Checkout ----------------------------------------------------------------

    def checkout(self, account, plan_name, subscribe, client_key=None, save_card=False):
        """A Stripe Checkout Session for one plan: a subscription or a one-off
        pack (with `save_card`, its card is kept for automatic top-up:
        `setup_future_usage=off_session`). Returns {"session_id", "url"}."""
        save_card = save_card and not subscribe
        product = self._paid_plan(plan_name)
        if subscribe and is_subscribed_to(account, product.name):
            raise Conflict("You already subscribe to %s." % product.name, code="already_subscribed")
        if subscribe and is_subscribed_to(account, account.subscription.plan if account.subscription else None):
            raise Conflict("You subscribe to %s; switch to %s instead (POST /change-plan): the difference "
                           "is charged once, prorated." % (account.subscription.plan, product.name),
                           code="switch_plan")
        kind = price_kind(product.interval, subscribe)
        price_spec = stored_prices(product).get(kind)
        if not price_spec or not price_spec.get("lookup_key"):
            raise BadRequest("%s cannot be bought this way." % product.name, code="invalid_plan")
        mode = "subscription" if subscribe else "payment"
        idempotency_key = checkout_idempotency_key(account.user_id, product.name, mode, client_key)
        if save_card:
            idempotency_key += ":card"

        customer_id = self.customer_id(account)
        metadata = {"user_id": account.user_id, "plan": product.name, "kind": kind}
        with upstream("start the checkout"):
            price = self._active_price(price_spec["lookup_key"])
            params = {
                "mode": mode,
                "customer": customer_id,
                "line_items": [{"price": price.id, "quantity": 1}],
                "success_url": settings.checkout_success_url(),
                "cancel_url": settings.checkout_cancel_url(),
                "client_reference_id": account.user_id,
                "metadata": metadata,
            }
            if subscribe:
                params["subscription_data"] = {"metadata": metadata}
            else:
                params["payment_intent_data"] = {"metadata": metadata}
                if save_card:
                    params["payment_intent_data"]["setup_future_usage"] = "off_session"
                # Every payment has an invoice: the pack's, paid by this session.
                params["invoice_creation"] = {"enabled": True, "invoice_data": {
                    "description": "%s pack" % product.name, "metadata": metadata}}
            if tax_behavior(price_spec):
                params.update(tax_collection())
            session = self._create_session(params, idempotency_key)
        metrics.count("CheckoutsStarted", kind=mode)
        return {"session_id": session.id, "url": session.url}

    def _create_session(self, params, idempotency_key):
        """Creates the session, or gets the one this key already made if it is
        still open; a finished one means this is another purchase."""
        key = idempotency_key
        for _ in range(5):
            session = self._stripe.v1.checkout.sessions.create(
                params=params, options={"idempotency_key": key})
            if not _replayed(session):
                return session
            if self._stripe.v1.checkout.sessions.retrieve(session.id).status == "open":
                return session
            key = "%s:after:%s" % (idempotency_key, session.id)
        return session

    def _paid_plan(self, plan_name):
        product = self._plans.find(plan_name)
        if product is not None and stored_prices(product):
            return product
        on_sale = ", ".join(plan["name"] for plan in self._plans.all() if plan["prices"])
        if product is None:
            message = "There is no plan called %s; choose one of: %s." % (excerpt(plan_name), on_sale)
        else:
            message = "%s cannot be bought; choose one of: %s." % (product.name, on_sale)
        raise BadRequest(message, code="invalid_plan")

    def _active_price(self, lookup_key):
        prices = self._stripe.v1.prices.list(
            params={"lookup_keys": [lookup_key], "active": True, "limit": 1})
        if not prices.data:
            logger.error("no active Stripe price has the lookup key %s; run scripts/sync_products.py",
                         lookup_key)
            raise UpstreamError("This plan is not on sale in Stripe yet; nothing was changed.",
                                code="price_unavailable")
        return prices.data[0]

    # Back to Free ------------------------------------------------------------

    def stop_subscriptions(self, account):
        """Cancels every subscription of the customer that still bills, then
        puts the account on Free with the Free allowance. Safe to repeat: once
        the account is Free with no subscription there is nothing left to do."""
        if account.stripe_customer_id:
            with upstream("cancel your subscriptions"):
                for subscription in self._subscriptions.cancellable(account.stripe_customer_id):
                    self._subscriptions.cancel(subscription["id"])
        # Stripe now shows no billing subscription; a view of Stripe taken
        # before this moment (a webhook in flight) must not overwrite ours.
        stamp = time.time_ns()
        if self._subscriptions.return_to_free(account, stamp):
            self._subscriptions.restart_refill(account.user_id)
        return Account.get(account.user_id, consistent_read=True)

    def delete_customer(self, account):
        """Deletes the account's Stripe customer (its saved cards and
        addresses go with it at Stripe); an already deleted one is fine."""
        if not account.stripe_customer_id:
            return False
        with upstream("delete your Stripe customer"):
            try:
                self._stripe.v1.customers.delete(account.stripe_customer_id)
            except Exception as error:  # a customer deleted before answers 404 (resource_missing)
                if getattr(error, "code", None) != "resource_missing":
                    raise
        return True

    # Billing portal ----------------------------------------------------------

    def portal(self, account):
        """A Stripe Billing Portal session for the account's customer."""
        customer_id = self.customer_id(account)
        with upstream("open the billing portal"):
            session = self._stripe.v1.billing_portal.sessions.create(params={
                "customer": customer_id,
                "return_url": settings.billing_portal_return_url(),
            })
        return {"url": session.url}
