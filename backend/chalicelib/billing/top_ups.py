"""Automatic top-up: when a metered call takes the balance below the
customer's threshold, their saved card is charged once for a pack, and the
pack's credits are added when Stripe says the payment succeeded.

The pieces, in the order they happen (docs/architecture.md draws them):

* The card. `POST /payment-method` opens a Checkout Session in `setup` mode
  for the account's customer; its `checkout.session.completed` makes the
  saved card the customer's default and notes it (brand, last 4) on the
  account's `TopUp` item. `PUT /auto-top-up` turns it on only with a card
  (409 `payment_method_required`) and puts the threshold on the account item
  (`tt`), where the metered call's one write sees it.
* The crossing. The metered call that takes the balance below `tt` records a
  `Crossing` (chalicelib.credits.alerts); the ledger table's stream hands it to
  `on_crossing`, off the call's answer. One top-up at a time: `in_flight` is
  set to the crossing's id with a condition (absent before), so however many
  crossings and redeliveries arrive, one of them charges. The PaymentIntent
  is created off-session with the Idempotency-Key `topup:<account>:<crossing>`,
  so a redelivered crossing gets the same PaymentIntent back.
* The invoice. Every payment has one: before charging, the top-up's invoice
  is made (a draft with the pack's price as its line, Stripe Tax on when
  products.json taxes prices) and finalized, each step with a key derived
  from the crossing's; the PaymentIntent charges its `amount_due` (VAT
  included) and is attached to it (`attach_payment`), so the invoice is paid
  when the payment succeeds, now or after the bank's check. The grant stays
  on the PaymentIntent (`top_up:<pi_…>`), so attaching changes nothing of
  what is granted, or how often. A declined top-up voids its invoice.
* The outcome. `payment_intent.succeeded` grants the pack once (ledger key
  `top_up:<pi_…>`, kind `top_up`, reference the PaymentIntent), counts it in
  the month and clears `in_flight`. A decline clears it and counts a failure
  (tried again at the next crossing); 3 in a row turn automatic top-up off.
  A bank asking for authentication (`authentication_required`: the intent
  returns to `requires_payment_method`) is confirmed again on-session with a
  `return_url`, which gives the hosted page where the customer confirms it;
  until then the top-up is paused (`action_url`). The monthly limit counts the
  month's successful top-ups; reaching it is one email.

Every state change records an email (chalicelib.notices), after the write.
"""
import logging

import stripe as stripe_sdk
from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.platform import clock, db, metrics, settings
from chalicelib.platform.errors import BadRequest, Conflict
from chalicelib.platform.models import CROSSING_PREFIX, Account, AttemptAttribute, TopUp
import chalicelib.credits.thresholds as thresholds
from chalicelib.credits.plans import ONE_OFF, stored_prices, tax_behavior
from chalicelib.billing.stripe_client import upstream
from chalicelib.billing.stripe_objects import as_dict, money, stripe_id

logger = logging.getLogger("credits-saas")

PACKS = ("Basic", "Power")
MAX_LIMIT = 20
MAX_FAILURES = 3
MAX_THRESHOLD = 1_000_000_000
OFF, ACTIVE, PAUSED, OFF_FAILURES, LIMIT_REACHED = (
    "off", "active", "paused_action_required", "off_failures", "limit_reached")
FIELDS = ("enabled", "threshold", "pack", "monthly_limit")
LEDGER_PREFIX = "top_up:"


def month_now():
    return clock.now().strftime("%Y-%m")


def month_label(month):
    import datetime  # only for the email's words

    return datetime.datetime.strptime(month, "%Y-%m").strftime("%B %Y")


def idempotency_key(user_id, crossing_id):
    """One PaymentIntent per account and crossing."""
    return "topup:%s:%s" % (user_id, crossing_id)


def parse(body):
    """(enabled, threshold, pack, monthly_limit) from a `PUT /auto-top-up` body (400 `invalid_auto_top_up`)."""
    def whole(value, low, high):
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high

    if (not isinstance(body, dict) or set(body) != set(FIELDS) or not isinstance(body["enabled"], bool)
            or not whole(body["threshold"], 0, MAX_THRESHOLD) or body["pack"] not in PACKS
            or not whole(body["monthly_limit"], 1, MAX_LIMIT)):
        raise BadRequest('The body must be {"enabled": true|false, "threshold": N (credits, 0 or more), '
                         '"pack": "Basic"|"Power", "monthly_limit": 1 to %d}.' % MAX_LIMIT,
                         code="invalid_auto_top_up")
    return body["enabled"], body["threshold"], body["pack"], body["monthly_limit"]


class EmailNotRecorded(Exception):
    """An email of the top-up could not be recorded (the outbox logged and
    counted it): the stream's redelivery or Stripe's retry (a 503) records it,
    every step before it being idempotent."""


def _is_condition_failure(error):
    return db.is_condition_failure(error)


class TopUps:
    def __init__(self, stripe, plans, wallet, notify, customers):
        self._stripe = stripe
        self._plans = plans
        self._wallet = wallet  # chalicelib.credits.balances.Credits
        self._record = notify  # chalicelib.notices.record
        self._customers = customers  # () -> chalicelib.billing.checkout.Billing (the account's customer)

    def _notify(self, user_id, kind, cause, **values):
        if self._record(user_id, kind, cause, **values) is None:
            raise EmailNotRecorded(kind)

    # Reading -------------------------------------------------------------------

    @staticmethod
    def state(user_id):
        try:
            return TopUp.get(user_id, "topup", consistent_read=True)
        except DoesNotExist:
            return None

    def view(self, account):
        return self.describe(self.state(account.user_id))

    @staticmethod
    def describe(state):
        state = state or TopUp("", "topup")
        month = month_now()
        this_month = int(state.month_count or 0) if state.month == month else 0
        if not state.enabled:
            status = OFF_FAILURES if state.status == OFF_FAILURES else OFF
        elif state.status == PAUSED:
            status = PAUSED
        elif this_month >= int(state.monthly_limit):
            status = LIMIT_REACHED
        else:
            status = ACTIVE
        attempt = state.last_attempt
        return {
            "enabled": bool(state.enabled), "threshold": int(state.threshold), "pack": state.pack,
            "monthly_limit": int(state.monthly_limit), "status": status,
            "action_url": state.action_url if status == PAUSED else None,
            "this_month": this_month,
            "last_attempt": None if attempt is None else {
                "at": attempt.at, "outcome": attempt.outcome, "payment_intent": attempt.payment_intent},
            "payment_method": None if not state.payment_method else {
                "brand": state.card_brand or "card", "last4": state.card_last4 or ""},
        }

    # PUT /auto-top-up ------------------------------------------------------------

    def save(self, account, enabled, threshold, pack, monthly_limit):
        state = self.state(account.user_id)
        if enabled and (state is None or not state.payment_method):
            raise Conflict("Save a card first (POST /payment-method): automatic top-up charges it.",
                           code="payment_method_required")
        previous = state.status if state is not None else OFF
        status = (previous if previous == PAUSED else ACTIVE) if enabled else OFF
        actions = [TopUp.enabled.set(enabled), TopUp.threshold.set(threshold), TopUp.pack.set(pack),
                   TopUp.monthly_limit.set(monthly_limit), TopUp.status.set(status), TopUp.version.add(1)]
        if enabled and previous in (OFF, OFF_FAILURES):
            actions.append(TopUp.failures.set(0))  # turned on again: a fresh start
        if not enabled and previous == PAUSED:
            # The paused payment stops holding the place of the one top-up in
            # flight; if the customer still confirms it, its success grants once.
            actions += [TopUp.in_flight.remove(), TopUp.payment_intent.remove(), TopUp.action_url.remove()]
        thresholds.ensure(account)  # the map its threshold goes into
        account_action = (Account.thresholds.top_up.set(threshold) if enabled
                          else Account.thresholds.top_up.remove())
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.update(TopUp(account.user_id, "topup"), actions=actions)
            transaction.update(Account(account.user_id), actions=[account_action],
                               condition=Account.user_id.exists())
        metrics.count("TopUpSettingsChanged", outcome="on" if enabled else "off")
        return self.view(account)

    # The card --------------------------------------------------------------------

    def card_session(self, account):
        """`POST /payment-method`: a Checkout Session in setup mode for the account's customer."""
        customer_id = self._customers().customer_id(account)
        with upstream("open the page to save your card"):
            session = self._stripe.v1.checkout.sessions.create(params={
                "mode": "setup", "customer": customer_id, "payment_method_types": ["card"],
                "success_url": settings.account_url(), "cancel_url": settings.account_url(),
                "client_reference_id": account.user_id,
                "metadata": {"user_id": account.user_id, "purpose": "top_up_card"},
                "setup_intent_data": {"metadata": {"user_id": account.user_id}},
                # The billing address Stripe Tax needs to tax the top-ups this card pays.
                "billing_address_collection": "required", "customer_update": {"address": "auto"},
            })
        metrics.count("CardSetupsStarted")
        return {"url": session.url}

    def save_card(self, account, session):
        """A completed setup session: its card becomes the customer's default
        (what the top-up charges) and is noted on the account. Repeats agree."""
        intent_id = stripe_id(session.get("setup_intent"))
        if not intent_id or not account.stripe_customer_id:
            return
        intent = as_dict(self._stripe.v1.setup_intents.retrieve(intent_id))
        method_id = stripe_id(intent.get("payment_method"))
        if intent.get("status") != "succeeded" or not method_id:
            return
        self._remember_card(account, method_id)

    def save_card_of_payment(self, account, session):
        """A pack paid with "save my card" (`setup_future_usage=off_session`):
        its card, attached to the customer, becomes the one top-ups charge."""
        intent_id = stripe_id(session.get("payment_intent"))
        if not intent_id or not account.stripe_customer_id:
            return
        intent = as_dict(self._stripe.v1.payment_intents.retrieve(intent_id))
        method_id = stripe_id(intent.get("payment_method"))
        if intent.get("setup_future_usage") != "off_session" or not method_id:
            return
        self._remember_card(account, method_id)

    def _remember_card(self, account, method_id):
        method = as_dict(self._stripe.v1.payment_methods.retrieve(method_id))
        customer = method.get("customer")
        if stripe_id(customer) != account.stripe_customer_id:
            return  # not kept for this customer: it cannot be charged off-session
        self._stripe.v1.customers.update(account.stripe_customer_id, params={
            "invoice_settings": {"default_payment_method": method_id}})
        card = method.get("card") or {}
        TopUp(account.user_id, "topup").update(actions=[
            TopUp.payment_method.set(method_id), TopUp.card_brand.set(str(card.get("brand") or "card")),
            TopUp.card_last4.set(str(card.get("last4") or "")), TopUp.version.add(1)])
        metrics.count("CardsSaved")

    # The crossing (the ledger table's stream) ------------------------------------------

    def on_crossing(self, crossing):
        """Starts the top-up a crossing calls for: at most one in flight."""
        if crossing.top_up is None:
            return
        user_id, crossing_id = crossing.user_id, crossing.key[len(CROSSING_PREFIX):]
        state = self.state(user_id)
        if state is None or not state.enabled or state.status in (OFF, OFF_FAILURES):
            return
        if state.in_flight != crossing_id:
            if state.in_flight is not None:
                return  # one top-up at a time: this crossing starts nothing
            state = self._arm(state, crossing_id)
            if state is None:
                return
        if state.payment_intent and state.status == PAUSED:
            return  # this crossing's payment waits for the customer
        self._charge(state, crossing_id)

    def _arm(self, state, crossing_id):
        """Records the top-up in flight (a conditional write); None when the
        month's limit is reached or another crossing got there first."""
        month = month_now()
        count = int(state.month_count or 0) if state.month == month else 0
        if count >= int(state.monthly_limit):
            self._notify(state.user_id, "top_up_limit_reached", month, month=month_label(month),
                         limit=int(state.monthly_limit))
            return None
        attempt = AttemptAttribute(at=clock.iso(), outcome="pending", payment_intent=None)
        try:
            state.update(actions=[
                TopUp.in_flight.set(crossing_id), TopUp.payment_intent.remove(), TopUp.action_url.remove(),
                TopUp.month.set(month), TopUp.month_count.set(count), TopUp.last_attempt.set(attempt),
                TopUp.version.add(1)],
                condition=(TopUp.version == int(state.version)) & TopUp.in_flight.does_not_exist()
                & (TopUp.enabled == True))  # noqa: E712 - a DynamoDB condition, not a comparison
        except UpdateError as error:
            if not _is_condition_failure(error):
                raise
            state = self.state(state.user_id)
            return state if state is not None and state.in_flight == crossing_id else None
        metrics.count("TopUpsStarted")
        return state

    def _pack(self, name):
        product = self._plans.find(name)
        price = stored_prices(product).get(ONE_OFF) if product is not None else None
        if not price or price.get("amount") is None:
            raise RuntimeError("the %s pack has no one-off price; run scripts/sync_products.py" % name)
        return product, int(price["amount"]), price.get("currency") or "gbp"

    def _invoice(self, account, crossing_id, product, metadata):
        """The top-up's invoice, finalized (its `amount_due` is what the card
        pays, VAT included); the same one however often the crossing comes."""
        price = stored_prices(product)[ONE_OFF]
        key = idempotency_key(account.user_id, crossing_id)
        invoice = self._stripe.v1.invoices.create(params={
            "customer": account.stripe_customer_id, "currency": price.get("currency") or "gbp",
            "auto_advance": False, "collection_method": "charge_automatically",
            "pending_invoice_items_behavior": "exclude",
            "automatic_tax": {"enabled": tax_behavior(price) is not None},
            "description": "Automatic top-up: %s pack" % product.name, "metadata": metadata},
            options={"idempotency_key": key + ":invoice"})
        if invoice.status == "draft":
            self._stripe.v1.invoices.add_lines(invoice.id, params={
                "lines": [{"pricing": {"price": price["price_id"]}, "quantity": 1}]},
                options={"idempotency_key": key + ":lines"})
            invoice = self._stripe.v1.invoices.finalize_invoice(
                invoice.id, params={"auto_advance": False}, options={"idempotency_key": key + ":finalize"})
        return invoice

    def _attach(self, invoice_id, intent_id):
        """The PaymentIntent pays the invoice (at once if it succeeded, else when it does)."""
        invoice = as_dict(self._stripe.v1.invoices.retrieve(invoice_id))
        if invoice.get("status") != "open":
            return
        attached = self._stripe.v1.invoice_payments.list(params={
            "payment": {"type": "payment_intent", "payment_intent": intent_id}, "limit": 1}).data
        if not attached:
            self._stripe.v1.invoices.attach_payment(invoice_id, params={"payment_intent": intent_id},
                                                    options={"idempotency_key": "topup-attach:%s" % intent_id})

    def _void(self, invoice_id):
        """A top-up that will not be paid: its invoice is voided (a repeat changes nothing)."""
        if not invoice_id:
            return
        invoice = as_dict(self._stripe.v1.invoices.retrieve(invoice_id))
        if invoice.get("status") == "open":
            self._stripe.v1.invoices.void_invoice(invoice_id, options={"idempotency_key": "topup-void:%s" % invoice_id})

    def _charge(self, state, crossing_id):
        user_id = state.user_id
        product, _, currency = self._pack(state.pack)
        account = Account.get(user_id, consistent_read=True)
        metadata = {"user_id": user_id, "top_up": crossing_id, "pack": product.name,
                    "credits": str(int(product.credits))}
        try:
            invoice = self._invoice(account, crossing_id, product, metadata)
        except stripe_sdk.InvalidRequestError as error:
            if error.code != "customer_tax_location_invalid":
                raise
            self._failed(user_id, crossing_id, None, "declined", "tax_location_required")
            return
        amount = int(invoice.amount_due)  # the pack's price, with VAT when it is added on top
        metadata["invoice"] = invoice.id
        try:
            intent = self._stripe.v1.payment_intents.create(params={
                "amount": amount, "currency": currency, "customer": account.stripe_customer_id,
                "payment_method": state.payment_method, "off_session": True, "confirm": True,
                "metadata": metadata, "description": "Automatic top-up: %s pack" % product.name},
                options={"idempotency_key": idempotency_key(user_id, crossing_id)})
        except stripe_sdk.CardError as error:
            details = (error.json_body or {}).get("error") or {}
            intent_id = (details.get("payment_intent") or {}).get("id")
            if error.code == "authentication_required" and intent_id:
                self._attach(invoice.id, intent_id)
                self._ask_customer(state, crossing_id, intent_id, amount, currency, product.name)
            else:
                self._void(invoice.id)
                self._failed(user_id, crossing_id, intent_id, "declined",
                             details.get("decline_code") or error.code or "card_declined")
            return
        self._attach(invoice.id, intent.id)
        try:
            state.update(actions=[TopUp.payment_intent.set(intent.id)],
                         condition=TopUp.in_flight == crossing_id)
        except UpdateError as error:
            if not _is_condition_failure(error):
                raise  # the stream delivers the crossing again; the key gives the same intent

    def _ask_customer(self, state, crossing_id, intent_id, amount, currency, pack):
        """The bank wants the customer: confirm the intent again on-session, with
        a return URL, for the page where they authenticate; pause until then."""
        intent = self._stripe.v1.payment_intents.confirm(intent_id, params={
            "payment_method": state.payment_method, "return_url": settings.account_url()},
            options={"idempotency_key": idempotency_key(state.user_id, crossing_id) + ":confirm"})
        if intent.status != "requires_action":
            return  # paid after all: payment_intent.succeeded grants it
        url = intent.next_action.redirect_to_url.url
        try:
            state.update(actions=[
                TopUp.status.set(PAUSED), TopUp.action_url.set(url), TopUp.payment_intent.set(intent_id),
                TopUp.last_attempt.set(AttemptAttribute(at=clock.iso(), outcome="action_required",
                                                        payment_intent=intent_id)),
                TopUp.version.add(1)], condition=TopUp.in_flight == crossing_id)
        except UpdateError as error:
            if not _is_condition_failure(error):
                raise
            return
        metrics.count("TopUpsPaused")
        self._notify(state.user_id, "top_up_action_required", intent_id, amount=money(amount, currency),
                     pack=pack, action_url=url)

    def _failed(self, user_id, crossing_id, intent_id, outcome, reason):
        """A top-up that failed: cleared, counted; the third in a row turns automatic top-up off."""
        try:
            state = TopUp(user_id, "topup")
            state.update(actions=[
                TopUp.in_flight.remove(), TopUp.payment_intent.remove(), TopUp.action_url.remove(),
                TopUp.failures.add(1),
                TopUp.status.set(ACTIVE),
                TopUp.last_attempt.set(AttemptAttribute(at=clock.iso(), outcome=outcome, payment_intent=intent_id)),
                TopUp.version.add(1)], condition=TopUp.in_flight == crossing_id)
            metrics.count("TopUpsFailed", outcome=outcome)
        except UpdateError as error:
            if not _is_condition_failure(error):
                raise
            state = self.state(user_id)  # told before: finish what may be left
            if state is None or (state.last_attempt is None or state.last_attempt.payment_intent != intent_id):
                return
        product, amount, currency = self._pack(state.pack)
        if int(state.failures or 0) >= MAX_FAILURES:
            self._turn_off(user_id)
            self._notify(user_id, "top_up_turned_off", intent_id or crossing_id, failures=int(state.failures))
        else:
            self._notify(user_id, "top_up_failed", "%s:failed" % (intent_id or crossing_id), amount=money(amount, currency),
                         pack=product.name, reason=_reason(reason), threshold=int(state.threshold))

    @staticmethod
    def _turn_off(user_id):
        thresholds.ensure_for(user_id)  # the map its threshold is removed from
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.update(TopUp(user_id, "topup"), actions=[
                TopUp.enabled.set(False), TopUp.status.set(OFF_FAILURES), TopUp.version.add(1)])
            transaction.update(Account(user_id), actions=[Account.thresholds.top_up.remove()],
                               condition=Account.user_id.exists())
        metrics.count("TopUpsTurnedOff")

    # The webhook ----------------------------------------------------------------

    def succeeded(self, account, intent):
        """`payment_intent.succeeded` of a top-up: the pack's credits, once."""
        metadata = intent.get("metadata") or {}
        crossing_id = metadata.get("top_up")
        intent = as_dict(self._stripe.v1.payment_intents.retrieve(intent["id"]))  # Stripe's view, not the event's
        if intent.get("status") != "succeeded":
            return
        self.grant(account.user_id, intent)
        if (intent.get("metadata") or {}).get("invoice"):
            self._attach(intent["metadata"]["invoice"], intent["id"])  # in case the charging side could not
        month = month_now()
        state = self.state(account.user_id)
        if state is None:
            return
        count = (int(state.month_count or 0) if state.month == month else 0) + 1
        try:
            state.update(actions=[
                TopUp.in_flight.remove(), TopUp.payment_intent.remove(), TopUp.action_url.remove(),
                TopUp.month.set(month), TopUp.month_count.set(count), TopUp.failures.set(0),
                TopUp.status.set(ACTIVE if state.enabled else state.status),
                TopUp.last_attempt.set(AttemptAttribute(at=clock.iso(), outcome="succeeded",
                                                        payment_intent=intent["id"])),
                TopUp.version.add(1)],
                condition=(TopUp.version == int(state.version)) & (TopUp.in_flight == crossing_id))
        except UpdateError as error:
            if not _is_condition_failure(error):
                raise
            fresh = self.state(account.user_id)
            if fresh is not None and fresh.in_flight == crossing_id:
                raise  # raced another change of the item: Stripe's retry finishes it
            count = int(fresh.month_count or 0) if fresh is not None else count
        limit = int(state.monthly_limit)
        self._notify(account.user_id, "top_up_succeeded", intent["id"], credits=int(metadata.get("credits") or 0),
                     threshold=int(state.threshold), amount=money(intent["amount"], intent.get("currency")),
                     pack=metadata.get("pack") or state.pack, count=count, limit=limit)
        if count >= limit:
            self._notify(account.user_id, "top_up_limit_reached", month, month=month_label(month), limit=limit)

    def grant(self, user_id, intent):
        """The top-up's credits as purchased credits (ledger key `top_up:<pi>`); a repeat changes nothing."""
        metadata = intent.get("metadata") or {}
        credits = int(metadata.get("credits") or 0)
        pack = metadata.get("pack") or "Pack"
        if self._wallet.add_purchased(user_id, credits, LEDGER_PREFIX + intent["id"], "top_up",
                                      "Automatic top-up: %s pack" % pack, reference=intent["id"]):
            metrics.count("CreditsGranted", credits, kind="top_up")
            metrics.count("Purchases", kind="top_up")
            metrics.count("TopUpsSucceeded")

    def payment_failed(self, account, intent):
        """`payment_intent.payment_failed` of a top-up. A decline is handled
        where the charge was made; here what only Stripe sees later: the
        customer failing the bank's check on the hosted page."""
        metadata = intent.get("metadata") or {}
        intent = as_dict(self._stripe.v1.payment_intents.retrieve(intent["id"]))
        error = intent.get("last_payment_error") or {}
        code = error.get("code")
        if intent.get("status") != "requires_payment_method" or code == "authentication_required":
            return  # waiting for the customer, or the off-session attempt the charging side handles
        outcome = "authentication_failed" if code == "payment_intent_authentication_failure" else "declined"
        self._void((intent.get("metadata") or {}).get("invoice"))
        self._failed(account.user_id, metadata.get("top_up"), intent["id"], outcome,
                     error.get("decline_code") or code or "declined")


def _reason(code):
    return {"authentication_failed": "you did not confirm the payment with your bank",
            "payment_intent_authentication_failure": "you did not confirm the payment with your bank",
            "insufficient_funds": "the card has insufficient funds",
            "expired_card": "the card has expired",
            "tax_location_required": "we need your billing address to charge VAT: save your card again"}.get(code, "your bank declined the payment")
