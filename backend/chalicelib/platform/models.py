"""PynamoDB models. The table design is explained in docs/data-model.md.

Balances are stored as `credits` (the total) and `purchased_credits` (an upper
bound on the purchased part): purchased = min(purchased_credits, credits) and
plan = credits - purchased. Spending only ever decrements `credits`, which takes
plan credits first by construction, so a metered call is one conditional write.
"""
from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
)
from pynamodb.indexes import AllProjection, LocalSecondaryIndex
from pynamodb.models import Model

from chalicelib.platform import settings


def plain(map_attribute):
    """A raw MapAttribute's content as a dict (an empty one for None)."""
    if map_attribute is None:
        return {}
    return map_attribute.as_dict() if hasattr(map_attribute, "as_dict") else dict(map_attribute)


def _meta(table_name, **options):
    class Meta:
        region = settings.region()
        host = settings.aws_endpoint_url()
        connect_timeout_seconds = 3
        read_timeout_seconds = 5
        max_retry_attempts = 3
        billing_mode = "PAY_PER_REQUEST"
    Meta.table_name = table_name
    for name, value in options.items():
        setattr(Meta, name, value)
    return Meta


# The ledger table's stream carries the keys of every write; the event
# source mapping of its handler (app.py `send_emails`) lets only new items
# with these key prefixes through: emails to send (chalicelib.notices) and
# balance crossings (chalicelib.credits.alerts, docs/data-model.md#emails).
LEDGER_STREAM_VIEW = "KEYS_ONLY"
EMAIL_PREFIX = "email:"
CROSSING_PREFIX = "crossing:"
LEDGER_STREAM_PREFIXES = (EMAIL_PREFIX, CROSSING_PREFIX)


class SubscriptionAttribute(MapAttribute):
    """The customer's current Stripe subscription as last reported by Stripe."""
    id = UnicodeAttribute()
    plan = UnicodeAttribute()
    status = UnicodeAttribute()
    current_period_end = NumberAttribute(null=True)
    cancel_at_period_end = BooleanAttribute(default=False)
    event_created = NumberAttribute(default=0)
    action_url = UnicodeAttribute(null=True)  # an open invoice's hosted page: the customer must act
    scheduled_plan = UnicodeAttribute(null=True)
    scheduled_at = NumberAttribute(null=True)


class Thresholds(MapAttribute):
    """What the metered call compares its new balance with
    (chalicelib/credits/thresholds.py): the customer's low-balance alert
    (absent: the default), the default for the current allowance (10 %, set
    by each plan grant) and, while automatic top-up is on, its threshold."""
    low_balance = NumberAttribute(null=True, attr_name="lb")
    low_balance_default = NumberAttribute(null=True, attr_name="ld")
    top_up = NumberAttribute(null=True, attr_name="tt")


class Account(Model):
    Meta = _meta(settings.accounts_table())

    user_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    plan = UnicodeAttribute(default=settings.FREE_PLAN)
    credits = NumberAttribute(default=0)
    purchased_credits = NumberAttribute(default=0)
    # The API keys, as the metered call checks them: key id -> {"h": verifier,
    # "p": window seconds, "q": [times]} (chalicelib/keys/account_keys.py, docs/data-model.md).
    api_keys = MapAttribute(null=True, attr_name="k")
    # An account's single key before named keys: moved into `k` on first use.
    api_key_hash = UnicodeAttribute(null=True)
    api_key_prefix = UnicodeAttribute(null=True)
    api_key_created_at = UnicodeAttribute(null=True)
    stripe_customer_id = UnicodeAttribute(null=True)
    subscription = SubscriptionAttribute(null=True)
    plan_period_start = NumberAttribute(default=0)
    subscription_synced_at = NumberAttribute(default=0)
    usage = MapAttribute(default=dict)
    refill_execution = UnicodeAttribute(null=True)
    refill_generation = NumberAttribute(default=0)
    refill_period = NumberAttribute(default=0)
    refill_started_at = NumberAttribute(null=True)  # epoch seconds, when `start` recorded the execution
    # Present (true) only while an operator has suspended the account; the
    # spend condition requires it absent. Who, when and why: `Suspension`.
    suspended = BooleanAttribute(null=True)
    # The optional emails the customer turned off (`low_balance`,
    # `product_updates`); absent while every one is on (chalicelib.notices).
    email_off = UnicodeSetAttribute(null=True)
    # The thresholds, one map so the metered write's answer carries them
    # (credits/thresholds.py). An account from before the map keeps them at
    # the top level until `thresholds.ensure` moves them; read only there.
    thresholds = Thresholds(null=True, attr_name="th")
    legacy_low_balance = NumberAttribute(null=True, attr_name="lb")
    legacy_low_balance_default = NumberAttribute(null=True, attr_name="ld")
    legacy_top_up_threshold = NumberAttribute(null=True, attr_name="tt")
    # A team organisation's name (chalicelib.orgs); absent on a personal
    # organisation, which is a user's own account (same id).
    org_name = UnicodeAttribute(null=True, attr_name="on")
    # When a team organisation was deleted: its keys are gone, its ledger stays.
    closed_at = UnicodeAttribute(null=True)
    # A person deleting their account (chalicelib.privacy): when it began
    # (from then on only `DELETE /user` may go on with it), whether the last
    # email went, and when it ended — the item stays, without personal data,
    # as the ledger's owner (bookkeeping) and so the old token answers 401.
    deletion_started_at = UnicodeAttribute(null=True)
    farewell_sent = BooleanAttribute(null=True)
    deleted_at = UnicodeAttribute(null=True)

    @property
    def is_team(self):
        return self.org_name is not None

    @property
    def purchased_balance(self):
        return max(0, min(int(self.purchased_credits or 0), int(self.credits or 0)))

    @property
    def plan_balance(self):
        return int(self.credits or 0) - self.purchased_balance


class LedgerByTime(LocalSecondaryIndex):
    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)


class LedgerEntry(Model):
    """One grant or purchase. The range key is the idempotency key, so writing
    it with attribute_not_exists makes a repeated grant a no-op. `description`
    is for people ("Basic pack"); `reference` is what to look up in Stripe
    (a Checkout Session, invoice or subscription id) or the entry's own id.
    The table is created with its stream on (the email outbox's)."""
    Meta = _meta(settings.ledger_table(), stream_view_type=LEDGER_STREAM_VIEW)

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    at = UnicodeAttribute()
    kind = UnicodeAttribute()
    credits = NumberAttribute()
    description = UnicodeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    operator = UnicodeAttribute(null=True)  # who made an `adjustment`
    by_time = LedgerByTime()


class MeteredCall(Model):
    """The outcome of a metered call made with an `Idempotency-Key`, so a
    retry is answered without charging again. Kept in the ledger table under
    `call:<key>`; it has no `at`, so the ledger's time index never lists it,
    and DynamoDB's TTL deletes it after `expires_at` (docs/data-model.md)."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    route = UnicodeAttribute()
    cost = NumberAttribute()
    remaining = NumberAttribute(null=True)
    expires_at = TTLAttribute()


class ApiKeyRecord(Model):
    """What people see of an API key (name, prefix, rate limit), kept off the
    account item so that the metered call's write stays small. In the ledger
    table under `apikey:<id>`; no `at`, so the ledger never lists it."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    created_at = UnicodeAttribute()
    limit_requests = NumberAttribute(null=True)
    limit_per = UnicodeAttribute(null=True)
    created_by = UnicodeAttribute(null=True)  # the user who created it (a member of a team organisation)


class KeyRequest(Model):
    """A `POST /keys` made with an Idempotency-Key: the key it created, so a
    retry creates no second key. Expires by TTL like MeteredCall."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    key_id = UnicodeAttribute()
    name = UnicodeAttribute()
    expires_at = TTLAttribute()


class PaymentRecord(Model):
    """What one Stripe payment (a charge) granted and how much of it refunds
    and disputes have taken back so far, so every take-back is exact and the
    sum never exceeds the grant (docs/webhooks.md, "Money after the sale").
    Kept in the ledger table under `payment:<charge id>`; it has no `at`, so
    the ledger's time index never lists it. `version` orders concurrent
    updates: each one is conditional on the version it read."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    version = NumberAttribute(default=0)
    granted = NumberAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    bucket = UnicodeAttribute()  # "purchased" (a pack) or "plan" (a subscription invoice)
    label = UnicodeAttribute()  # for people: "Power pack", "Power, period from 2026-11-29"
    reference = UnicodeAttribute()  # the checkout session or invoice that granted
    subscription_id = UnicodeAttribute(null=True)
    period_start = NumberAttribute(null=True)
    refunds = MapAttribute(default=dict)  # refund id -> amount, for refunds that count
    disputes = MapAttribute(default=dict)  # dispute id -> amount, for withdrawn funds
    taken = NumberAttribute(default=0)


class Suspension(Model):
    """Why an account is suspended, by whom and since when: kept in the
    ledger table under `suspension` (no `at`: not a ledger entry), so the
    account item carries only the `suspended` flag the spend checks."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True, default="suspension")
    reason = UnicodeAttribute()
    since = UnicodeAttribute()
    operator = UnicodeAttribute()


class AuditRecord(Model):
    """One operator action, in the ledger table's `audit` partition; the
    range key starts with the time, so a query reads newest first."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True, default="audit")
    key = UnicodeAttribute(range_key=True)
    operator = UnicodeAttribute()
    action = UnicodeAttribute()
    account_id = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    details = MapAttribute(default=dict)


class EmailNotice(Model):
    """One email to send, once, for one cause (chalicelib.notices): kept in
    the ledger table under `email:<topic>:<cause>`, so recording a repeated
    cause is a conditional put that changes nothing. It has no `at` (the
    ledger never lists it) and no `kind` (it is no grant). The table's stream
    hands its insertion to the sender, which moves `state` from `pending` to
    `sending` (a lease, so a redelivered record sends nothing twice) to
    `sent`, or to `skipped` / `failed` with an `outcome`. `values` fill the
    template; the address is read from the account when sending."""
    # Short timeouts and one retry: recording follows a request's work and
    # must not hold its answer up for long when DynamoDB is slow.
    Meta = _meta(settings.ledger_table(), connect_timeout_seconds=1, read_timeout_seconds=2,
                 max_retry_attempts=1)

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    template = UnicodeAttribute()
    values = MapAttribute(default=dict)
    state = UnicodeAttribute(default="pending")
    recorded_at = UnicodeAttribute()
    attempts = NumberAttribute(default=0)
    lease_until = NumberAttribute(null=True)  # epoch seconds: while `sending`, no one else sends it
    sent_at = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)  # SES's, for support
    outcome = UnicodeAttribute(null=True)  # why it was skipped or failed: opted_out, no_address, rejected
    expires_at = TTLAttribute()


class Crossing(Model):
    """A metered call took the balance below a threshold: the low-balance
    alert's (`alert`), automatic top-up's (`top_up`) or both. Written once,
    by the one write that crossed (its returned values say so), under
    `crossing:<id>` in the ledger table; the table's stream hands it to
    app.py's `send_emails`, which records the email and starts the top-up
    off the metered call's latency. No `at`: the ledger never lists it."""
    Meta = _meta(settings.ledger_table(), connect_timeout_seconds=1, read_timeout_seconds=2,
                 max_retry_attempts=1)

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    credits = NumberAttribute()  # the balance the crossing write left
    alert = NumberAttribute(null=True)
    top_up = NumberAttribute(null=True)
    crossed_at = UnicodeAttribute()
    expires_at = TTLAttribute()


class AttemptAttribute(MapAttribute):
    at = UnicodeAttribute()
    outcome = UnicodeAttribute()  # pending, succeeded, declined, action_required, authentication_failed
    payment_intent = UnicodeAttribute(null=True)


class TopUp(Model):
    """An account's automatic top-up (chalicelib/billing/top_ups.py): the
    setting, the saved card it charges, the one top-up in flight (`in_flight`,
    the crossing that started it, set with a condition), this month's count,
    failures in a row and the last attempt. In the ledger table under `topup`
    (no `at`); the account item carries only `tt`, the threshold, while on."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True, default="topup")
    enabled = BooleanAttribute(default=False)
    threshold = NumberAttribute(default=0)
    pack = UnicodeAttribute(default="Basic")
    monthly_limit = NumberAttribute(default=1)
    status = UnicodeAttribute(default="off")  # off, active, paused_action_required, off_failures
    in_flight = UnicodeAttribute(null=True)  # the crossing id of the top-up under way
    payment_intent = UnicodeAttribute(null=True)
    action_url = UnicodeAttribute(null=True)
    month = UnicodeAttribute(null=True)  # YYYY-MM of month_count
    month_count = NumberAttribute(default=0)
    failures = NumberAttribute(default=0)
    last_attempt = AttemptAttribute(null=True)
    payment_method = UnicodeAttribute(null=True)
    card_brand = UnicodeAttribute(null=True)
    card_last4 = UnicodeAttribute(null=True)
    version = NumberAttribute(default=0)


class Membership(Model):
    """A user's place in a team organisation: in the organisation's partition
    of the ledger table under `member:<user id>`, with a mirror in the user's
    partition (`MemberOf`) so that both "who is in this organisation" and
    "which organisations am I in" are one query. Both are written in one
    transaction (chalicelib.orgs). `email` is the address the member joined
    with, for the members list."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)  # the organisation's id
    key = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    joined_at = UnicodeAttribute()


class MemberOf(Model):
    """The mirror of a `Membership` in the member's own partition, under
    `org:<organisation id>`, with the organisation's name for `GET /orgs`."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)  # the member's id
    key = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute()
    name = UnicodeAttribute()


class OrgCounts(Model):
    """A team organisation's head counts, under `org` in its partition: every
    change of membership updates them in its transaction, with a condition
    (at most 50 members; at least one owner), so concurrent changes can
    never leave an organisation without an owner."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True, default="org")
    members = NumberAttribute(default=0)
    owners = NumberAttribute(default=0)
    created_by = UnicodeAttribute(null=True)


class OwnedOrgs(Model):
    """How many team organisations a user owns (at most 10), under `orgs` in
    the user's partition; changed with a condition in the same transaction
    as the ownership."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True, default="orgs")
    owned = NumberAttribute(default=0)


class Invitation(Model):
    """A pending invitation to a team organisation, under `invite:<id>` in
    its partition; the id is derived from the invited address, so inviting
    the address again replaces the token. Only the token's SHA-256 is kept;
    accepting deletes the item in the transaction that adds the member, so a
    token works once. DynamoDB's TTL removes it some time after it expires."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)  # the organisation's id
    key = UnicodeAttribute(range_key=True)
    email = UnicodeAttribute()  # lower-cased
    role = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    invited_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    valid_until = NumberAttribute()  # epoch seconds: after this the token answers 410
    expires_at = TTLAttribute()  # the table's TTL: the item goes a while after `valid_until`


class InvitedAddress(Model):
    """Where invitations to one address are: a pointer per invitation in the
    partition `invited:<SHA-256 of the address>`, so that deleting a person
    finds the invitations to their address without scanning the table."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)  # <organisation id>:<invitation id>
    expires_at = TTLAttribute()


class ExportCount(Model):
    """How many data exports a user made in one hour (`exports:<hour>` in
    their ledger partition), so that exports stay a few per hour."""
    Meta = _meta(settings.ledger_table())

    user_id = UnicodeAttribute(hash_key=True)
    key = UnicodeAttribute(range_key=True)
    count = NumberAttribute(default=0)
    expires_at = TTLAttribute()


class Product(Model):
    """A plan from products.json, as synced to Stripe."""
    Meta = _meta(settings.products_table())

    name = UnicodeAttribute(hash_key=True)
    credits = NumberAttribute()
    interval = UnicodeAttribute()
    position = NumberAttribute(default=0)
    stripe_product_id = UnicodeAttribute(null=True)
    prices = MapAttribute(default=dict)


ALL_MODELS = (Account, LedgerEntry, Product)
# Models sharing another model's table; their TTL is switched on with it.
SHARED_TABLE_MODELS = (MeteredCall, ApiKeyRecord, KeyRequest, PaymentRecord, Suspension, AuditRecord,
                       EmailNotice, Crossing, TopUp, Membership, MemberOf, OrgCounts, OwnedOrgs, Invitation, ExportCount, InvitedAddress)
