"""The API's OpenAPI 3.1 document, built from small pieces so that each route
reads as one entry. Served at `GET /openapi.json`; tests check it against the
Chalice routes, fuzz the running API with it, and generate the README's API
table from it (scripts/api_table.py)."""
import json

from chalicelib.platform import settings
from chalicelib.web import openapi_admin, openapi_billing, openapi_orgs
from chalicelib.web.openapi_parts import (
    BALANCE, COUNT, ERROR_CODES, ID_TOKEN, PAID_PLANS, PUBLIC, STRING, STRIPE_ERRORS, TIMESTAMP,
    USER_ERRORS, answer, cursor_parameter, error, json_content, metered, name_schema, nullable, obj, operation, ref)

CACHE_CONTROL = "public, max-age=300"
# Routes that act for an organisation (`X-Org-Id`); every role may use the reading ones.
ACCOUNT_ROUTES = ("/user", "/generate-key", "/keys", "/keys/{key_id}", "/usage", "/ledger", "/alerts", "/auto-top-up",
                  "/payment-method", "/checkout", "/change-plan", "/cancel-plan-change", "/stop-subscriptions",
                  "/billing-portal", "/invoices")
READ_ROUTES = ("/user", "/usage", "/ledger")
PER_USER = (("/user", "delete"),)  # a person's own: no organisation to choose


def paths(costs):
    user_view = obj(["user"], user=ref("schemas", "User"))
    document = {
        "/plans": {"get": operation(
            "Plans on sale", PUBLIC,
            {"200": answer("Plans from the product table, and how their prices carry VAT.", obj(
                ["plans", "tax"], plans={"type": "array", "items": ref("schemas", "Plan")}, tax=ref("schemas", "Tax")))},
            "`{\"plans\": [{\"name\", \"credits\", \"interval\", \"prices\"}], \"tax\": {\"enabled\", "
            "\"behavior\"}}` (`inclusive`: \"incl. VAT\", `exclusive`: \"+ VAT\")")},
        "/user": {"get": operation(
            "The signed-in user's account", ID_TOKEN, {"200": answer("The account.", user_view)},
            "`{\"user\": {\"id\", \"email\", \"plan\", \"credits\", \"plan_credits\", \"purchased_credits\", "
            "\"owed_credits\", \"subscription\", \"next_reset_at\", \"suspension\"}}` (the API keys: `GET /keys`)",
            errors=USER_ERRORS),
            "delete": operation(
                "Delete my account", ID_TOKEN,
                {"202": answer("Deleted: subscriptions cancelled, keys revoked, organisations left, the Stripe "
                               "customer and the sign-in deleted, a last email sent and personal data erased; the "
                               "ledger stays under the account id (bookkeeping).", obj(["deletion"], deletion=obj(
                                   ["status", "steps", "deleted_at"], status={"const": "done"},
                                   steps={"type": "array", "items": STRING}, deleted_at=TIMESTAMP))),
                 "400": error("`confirm` is missing or not a string (`invalid_confirmation`)."),
                 "409": error("`confirm` is not the account's email address (`confirmation_mismatch`), or the "
                              "caller is the last owner of team organisations, listed in `organisations` "
                              "(`owns_organisations`)."),
                 "502": ref("responses", "StripeFailed")},
                "202 `{\"deletion\"}`; body `{\"confirm\": \"<your email>\"}`; 409 `owns_organisations` for a "
                "team's last owner; calling again finishes a deletion cut short",
                body={"required": True, "content": json_content(dict(obj(["confirm"], confirm={
                    "type": "string", "minLength": 1, "maxLength": 254,
                    "description": "The account's email address, to confirm."}), additionalProperties=False))},
                errors=USER_ERRORS)},
        "/user/export": {"get": operation(
            "Export my data", ID_TOKEN,
            {"200": answer("Profile, organisations and roles, API keys (no secrets), ledger, usage, invoices and "
                           "email settings, as a download.", ref("schemas", "DataExport")),
             "429": error("Over a few exports an hour (`rate_limited`); retry after `Retry-After` seconds.",
                          {"Retry-After": ref("headers", "RetryAfter")}),
             "502": ref("responses", "StripeFailed")},
            "`{\"exported_at\", \"profile\", \"organisations\", \"api_keys\", \"ledger\", \"usage\", "
            "\"invoices\", \"notifications\"}`; 3 an hour",
            errors=USER_ERRORS)},
        "/generate-key": {"post": operation(
            "Rotate the first API key (deprecated: use /keys)", ID_TOKEN,
            {"200": answer("The full key, shown this once.", obj(["key"], key=STRING))},
            "deprecated: `{\"key\"}` — replaces the account's first key (same name and limit), or creates "
            "a key named Default; the replaced key stops working at once",
            description="Kept for existing clients. The account's oldest key is replaced by a new one with the "
                        "same name, limit and creation time (and a new id); an account without keys gets one "
                        "named Default.",
            errors=USER_ERRORS, deprecated=True)},
        "/keys": {
            "get": operation(
                "The account's API keys", ID_TOKEN,
                {"200": answer("Oldest first, without secrets.", obj(["keys"], keys={
                    "type": "array", "items": ref("schemas", "ApiKey")}))},
                "`{\"keys\": [{\"id\", \"name\", \"prefix\", \"created_at\", \"last_used_at\", "
                "\"rate_limit\"}]}`", errors=USER_ERRORS),
            "post": operation(
                "Create an API key", ID_TOKEN,
                {"201": answer("The new key; `key` is shown this once.", ref("schemas", "NewApiKey")),
                 "200": answer("A repeated Idempotency-Key: the key that request created, without its secret.",
                               ref("schemas", "ApiKey"),
                               {"Idempotent-Replayed": ref("headers", "IdempotentReplayed")}),
                 "400": error("Bad name (`invalid_name`), rate limit (`invalid_rate_limit`) or body."),
                 "409": error("Already as many keys as allowed (`too_many_keys`), or the Idempotency-Key "
                              "created another key (`idempotency_key_reused`).")},
                "201 `{\"id\", \"name\", \"key\", \"prefix\", \"created_at\", \"rate_limit\"}` — "
                "`key` shown once; 409 `too_many_keys` past 10",
                parameters=[ref("parameters", "IdempotencyKey")],
                body={"required": True, "content": json_content(ref("schemas", "NewApiKeyRequest"))},
                errors=USER_ERRORS),
        },
        "/keys/{key_id}": {
            "patch": operation(
                "Rename an API key or change its rate limit", ID_TOKEN,
                {"200": answer("The key as it is now.", ref("schemas", "ApiKey")),
                 "400": error("Bad name, rate limit or body."),
                 "404": error("No such key on this account (`not_found`).")},
                "the key; `name` and/or `rate_limit` (null: no limit); 404 unknown key",
                parameters=[ref("parameters", "KeyId")],
                body={"required": True, "content": json_content(dict(
                    ref("schemas", "ApiKeyChanges")))},
                errors=USER_ERRORS),
            "delete": operation(
                "Revoke an API key", ID_TOKEN,
                {"204": {"description": "Revoked: the next call with the key is a 401; the other keys keep "
                                        "working."},
                 "404": error("No such key on this account (`not_found`).")},
                "204; the key's next call is a 401; 404 unknown key",
                parameters=[ref("parameters", "KeyId")], errors=USER_ERRORS),
        },
        "/usage": {"get": operation(
            "Credits spent per day", ID_TOKEN,
            {"200": answer("One row per day, oldest first.", obj(["usage"], usage={
                "type": "array", "items": obj(["date", "credits"], date={"type": "string", "format": "date"},
                                              credits=COUNT)})),
             "400": error("`days` is not a whole number from 1 to 90 (`invalid_days`).")},
            "`{\"usage\": [{\"date\", \"credits\"}]}`, `days` from 1 to 90 (default 30)",
            parameters=[{"name": "days", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 90, "default": 30}}],
            errors=USER_ERRORS)},
        "/ledger": {"get": operation(
            "Grants and purchases, newest first", ID_TOKEN,
            {"200": answer("One page of entries.", ref("schemas", "LedgerPage")),
             "400": error("Bad `limit` (`invalid_limit`) or `cursor` (`invalid_cursor`).")},
            "`{\"entries\": [{\"at\", \"kind\", \"credits\", \"description\", \"reference\"}], "
            "\"next_cursor\"}`, newest first; `limit` up to 100 (default 50), `cursor` from the previous page",
            parameters=[
                {"name": "limit", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
                cursor_parameter(2048),
            ],
            errors=USER_ERRORS)},
        "/notifications": {
            "get": operation(
                "The account's email settings", ID_TOKEN,
                {"200": answer("Which optional emails are on (payment and security emails always are).",
                               ref("schemas", "Notifications"))},
                "`{\"low_balance\", \"product_updates\"}` (booleans, both on by default); payment and "
                "security emails have no switch", errors=USER_ERRORS),
            "put": operation(
                "Turn optional emails on or off", ID_TOKEN,
                {"200": answer("The settings as stored.", ref("schemas", "Notifications")),
                 "400": error("Not exactly the two booleans (`invalid_notifications`), or not JSON.")},
                "the same body; optional emails turned off are not sent (they carry `List-Unsubscribe`); "
                "400 `invalid_notifications`",
                description="`low_balance` covers the balance alerts (low balance, credits used up); "
                            "`product_updates` the product's news. Emails about payments and the account's "
                            "access are always sent.",
                body={"required": True, "content": json_content(ref("schemas", "Notifications"))},
                errors=USER_ERRORS),
        },
        "/alerts": {
            "get": operation(
                "The low-balance alert", ID_TOKEN,
                {"200": answer("The threshold set (null: the default) and the default.", ref("schemas", "Alerts"))},
                "`{\"low_balance\": N|null, \"default\": D}`; null: the default, 10 % of the plan's "
                "allowance (rounded up)", errors=USER_ERRORS),
            "put": operation(
                "Set the low-balance alert", ID_TOKEN,
                {"200": answer("The alert as stored.", ref("schemas", "Alerts")),
                 "400": error("Not `{\"low_balance\": N|null}` with N a whole number >= 0 (`invalid_alerts`), "
                              "or not JSON.")},
                "`{\"low_balance\": N|null}` → the same as `GET`; one email when a metered call takes the "
                "balance from ≥ N to < N, none again until credits lift it back; 400 `invalid_alerts`",
                description="An email (`low_balance`, an optional kind) when a metered call takes the balance "
                            "from at least N credits to fewer; none again until a grant, purchase, refill or "
                            "top-up lifts it back to N or more. null sets the default, 10 % of the plan's "
                            "allowance rounded up. The first refused call (402) of a period sends one "
                            "`credits_used_up` email.",
                body={"required": True, "content": json_content(ref("schemas", "AlertsRequest"))},
                errors=USER_ERRORS),
        },
        "/auto-top-up": {
            "get": operation(
                "Automatic top-up", ID_TOKEN,
                {"200": answer("The setting, its status and the last attempt.", ref("schemas", "AutoTopUp"))},
                "`{\"enabled\", \"threshold\", \"pack\", \"monthly_limit\", \"status\", \"action_url\", "
                "\"this_month\", \"last_attempt\", \"payment_method\"}`", errors=USER_ERRORS),
            "put": operation(
                "Set automatic top-up", ID_TOKEN,
                {"200": answer("The setting as stored.", ref("schemas", "AutoTopUp")),
                 "400": error("Not the four fields with valid values (`invalid_auto_top_up`), or not JSON."),
                 "409": error("Enabling needs a saved card (`payment_method_required`): `POST /payment-method`.")},
                "`{\"enabled\", \"threshold\", \"pack\", \"monthly_limit\"}` → the same as `GET`; "
                "409 `payment_method_required` without a saved card",
                description="When a metered call takes the balance below `threshold`, the saved card is "
                            "charged once for a `pack` (off-session) and its credits are added as purchased "
                            "credits when the payment succeeds; at most `monthly_limit` top-ups a calendar "
                            "month, never two at once. A payment the bank wants confirmed pauses it "
                            "(`paused_action_required`, `action_url`); 3 failures in a row turn it off "
                            "(`off_failures`). Every change is emailed.",
                body={"required": True, "content": json_content(ref("schemas", "AutoTopUpRequest"))},
                errors=USER_ERRORS),
        },
        "/payment-method": {"post": operation(
            "Save a card", ID_TOKEN,
            {"200": answer("A Stripe Checkout Session in setup mode; send the browser to `url`.",
                           obj(["url"], url=STRING))},
            "`{\"url\"}` of a Checkout Session in `setup` mode; the saved card becomes the one "
            "automatic top-up charges",
            errors=dict(USER_ERRORS, **STRIPE_ERRORS))},
        "/checkout": {"post": operation(
            "Start a Stripe Checkout", ID_TOKEN,
            {"200": answer("The session; send the browser to `url`.",
                           obj(["session_id", "url"], session_id=STRING, url=STRING)),
             "400": error("Unknown plan, Free, or a malformed body."),
             "409": error("Already subscribed to this plan (`already_subscribed`), or to another one: "
                          "switch with `POST /change-plan` (`switch_plan`).")},
            "`{\"session_id\", \"url\"}`; 400 unknown plan/Free/bad body, 409 already subscribed "
            "(or subscribed to another plan: switch instead), 502 Stripe down",
            parameters=[ref("parameters", "IdempotencyKey")],
            body={"required": True, "content": json_content(obj(
                ["plan", "subscribe"], plan={"type": "string", "enum": PAID_PLANS, "description": "A plan on sale (`GET /plans`)."},
                subscribe={"type": "boolean"},
                save_card={"type": "boolean", "default": False,
                           "description": "A pack's card is kept for automatic top-up (off-session use)."}))},
            errors=dict(USER_ERRORS, **STRIPE_ERRORS))},
        "/change-plan": {"post": operation(
            "Switch the subscription to another plan", ID_TOKEN,
            {"200": answer("The account as Stripe now shows it.", user_view),
             "400": error("Unknown plan, Free, or a malformed body (`invalid_plan`)."),
             "409": error("No live subscription (`no_subscription`) or already on that plan "
                          "(`already_subscribed`).")},
            "`{\"user\"}`; an upgrade is charged (prorated) and applied now, a downgrade is scheduled "
            "for the period's end (`subscription.scheduled_change`); 409 no subscription or same plan",
            description="An upgrade (a larger allowance) charges the new plan's period less the unused "
                        "time of the old one, now, and starts a new period; once that invoice is paid the "
                        "plan credits are the new allowance. A downgrade keeps the current plan and its "
                        "credits until the period ends.",
            body={"required": True, "content": json_content(obj(
                ["plan"], plan={"type": "string", "enum": PAID_PLANS, "description": "A plan on sale (`GET /plans`)."}))},
            errors=dict(USER_ERRORS, **STRIPE_ERRORS))},
        "/cancel-plan-change": {"post": operation(
            "Undo a scheduled downgrade", ID_TOKEN,
            {"200": answer("The account; the subscription renews as it is.", user_view),
             "409": error("No live subscription (`no_subscription`).")},
            "`{\"user\"}` with no `scheduled_change`; 409 no subscription",
            errors=dict(USER_ERRORS, **STRIPE_ERRORS))},
        "/stop-subscriptions": {"post": operation(
            "Cancel every subscription and go back to Free", ID_TOKEN,
            {"200": answer("The account, on Free.", user_view)},
            "`{\"user\"}` on Free", errors=dict(USER_ERRORS, **STRIPE_ERRORS))},
        "/billing-portal": {"post": operation(
            "A Stripe Billing Portal session", ID_TOKEN,
            {"200": answer("Send the browser to `url`.", obj(["url"], url=STRING))},
            "`{\"url\"}`", errors=dict(USER_ERRORS, **STRIPE_ERRORS))},
        "/stripe/webhook": {"post": operation(
            "Stripe events (signed)", PUBLIC,
            {"200": answer("Applied, or ignored for an event type the app does not handle.",
                           obj(["received"], received={"const": True}, ignored=STRING)),
             "400": error("Missing, bad or stale signature, or not a Stripe event."),
             "503": error("Could not apply the event now; Stripe retries.")},
            "`{\"received\": true}`; 400 bad signature or payload; 503 when Stripe should retry",
            description="Verified on the exact bytes received with the endpoint's signing secret.",
            parameters=[{"name": "Stripe-Signature", "in": "header", "required": True,
                         "description": "Stripe's `t=<timestamp>,v1=<HMAC-SHA256>` of the raw body; a missing, "
                                        "malformed, wrong or stale one is refused (400).",
                         "schema": {"type": "string", "pattern": "^t=[0-9]+(,v[0-9]+=[0-9a-f]+)+$"}}],
            body={"required": True, "content": json_content(obj(
                ["id", "type", "data"], id=STRING, type=STRING, data=obj(["object"], object={"type": "object"})))})},
        "/openapi.json": {"get": operation(
            "This document", PUBLIC,
            {"200": {"description": "The OpenAPI 3.1 document.",
                     "headers": {"Cache-Control": ref("headers", "CacheControl")},
                     "content": json_content({"type": "object", "required": ["openapi", "paths"]})}},
            "this OpenAPI 3.1 document (cacheable)")},
    }
    document.update(openapi_billing.paths())
    for path, methods in document.items():
        if path in ACCOUNT_ROUTES:
            for method in methods:
                if (path, method) not in PER_USER:
                    methods[method] = openapi_orgs.with_org_header(methods[method], reads_only=path in READ_ROUTES)
    document.update(openapi_orgs.paths())
    document.update(openapi_admin.paths())
    ordered = {}
    for path, entry in document.items():
        ordered[path] = entry
        if path == "/keys/{key_id}":
            ordered.update((route, metered(route, cost)) for route, cost in sorted(costs.items()))
    return ordered


def components():
    return {
        "securitySchemes": {
            "idToken": {"type": "apiKey", "in": "header", "name": "Authorization",
                        "description": "The Cognito ID token, raw or as `Bearer <token>`."},
            "apiKey": {"type": "apiKey", "in": "header", "name": "x-api-key",
                       "description": "One of the account's API keys (`POST /keys`)."},
            "stripeSignature": {"type": "apiKey", "in": "header", "name": "Stripe-Signature",
                                "description": "Stripe's `t=…,v1=…` HMAC-SHA256 of the raw body. `POST /stripe/webhook` "
                                               "takes it as a required header parameter: a missing or wrong "
                                               "signature is a 400, as Stripe expects, not a 401."},
        },
        "parameters": {
            "IdempotencyKey": {
                "name": "Idempotency-Key", "in": "header", "required": False,
                "description": "Makes a retry safe: the same key charges (checks out, creates a key) once.",
                "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:\\-]{1,100}$"}},
            "OrgId": openapi_orgs.ORG_HEADER,
            "KeyId": {"name": "key_id", "in": "path", "required": True, "description": "The key's `id`.",
                      "schema": {"type": "string", "maxLength": 100}},
        },
        "headers": {
            "CreditsCost": {"description": "What the call costs.", "required": True, "schema": {"type": "string"}},
            "CreditsRemaining": {"description": "Credits left after the call.", "required": True,
                                 "schema": {"type": "string"}},
            "IdempotentReplayed": {"description": "`true` when this answers a repeated Idempotency-Key.",
                                   "schema": {"type": "string", "const": "true"}},
            "CacheControl": {"description": "How long to cache.", "schema": {"type": "string"}},
            "RetryAfter": {"description": "Seconds until the key's rate-limit window ends.", "required": True,
                           "schema": {"type": "string", "pattern": "^[0-9]+$"}},
        },
        "responses": {
            "Unauthorized": error("Missing, invalid or expired ID token."),
            "PayloadTooLarge": error("The body is over the size limit (`payload_too_large`)."),
            "UnsupportedMediaType": error("The body is not `application/json` (`unsupported_media_type`)."),
            "StripeFailed": error("Stripe failed; nothing was changed."),
            "BillingUnavailable": error("Billing is not configured on this stage."),
        },
        "schemas": schemas(),
    }


def schemas():
    error_body = obj(["code", "message"], code={"type": "string", "enum": ERROR_CODES}, message=STRING)
    shortfall = obj(["code", "message", "required", "remaining"], code={"const": "insufficient_credits"},
                    message=STRING, required=COUNT, remaining=BALANCE)
    price = obj(["amount", "currency", "lookup_key", "tax_behavior"], amount=nullable({"type": "integer"}),
                currency=nullable(STRING), lookup_key=nullable(STRING),
                tax_behavior=nullable({"type": "string", "enum": ["inclusive", "exclusive"]}))
    subscription = obj(["id", "plan", "status", "current_period_end", "cancel_at_period_end"],
                       id=STRING, plan=STRING, status=STRING, current_period_end=nullable({"type": "integer"}),
                       cancel_at_period_end={"type": "boolean"},
                       action_url=nullable(dict(STRING, description="The invoice page where the customer "
                                                                    "pays or confirms a renewal that needs them.")),
                       scheduled_change=nullable(obj(["plan", "at"], plan=STRING, at={"type": "integer"})))
    user = obj(["id", "email", "plan", "credits", "plan_credits", "purchased_credits", "subscription"],
               id=STRING, email=nullable(STRING), plan=STRING, credits=BALANCE, plan_credits=BALANCE,
               purchased_credits=COUNT, owed_credits=COUNT, subscription=nullable(ref("schemas", "Subscription")),
               next_reset_at=nullable(dict(TIMESTAMP, description="When plan credits are next reset (ISO-8601 UTC).")),
               org=ref("schemas", "Org"))
    rate_limit = obj(["requests", "per"], requests={"type": "integer", "minimum": 1, "maximum": 100},
                     per={"type": "string", "enum": ["second", "minute"]})
    rate_limit["additionalProperties"] = False
    key_name = name_schema(60, "1-60 characters, at least one not a space; no control, format or private-use "
                               "characters; stored trimmed.")
    key_fields = dict(id=STRING, name=STRING, prefix={"type": "string", "description": "The key's first characters."},
                      created_at=TIMESTAMP, rate_limit=nullable(ref("schemas", "RateLimit")),
                      created_by=nullable(dict(STRING, description="The user who created the key.")))
    key_request = obj(["name"], name=key_name, rate_limit=nullable(ref("schemas", "RateLimit")))
    key_request["additionalProperties"] = False
    key_changes = obj([], name=key_name, rate_limit=nullable(ref("schemas", "RateLimit")))
    key_changes.update(additionalProperties=False, minProperties=1)
    entry = obj(["at", "kind", "credits", "description", "reference"], at=TIMESTAMP,
                kind={"type": "string", "description": "signup, refill, purchase, plan, free, refund, "
                                                       "refund_reversed, dispute, dispute_reinstated, "
                                                       "payment_failed, top_up or adjustment"},
                credits={"type": "integer"}, description=STRING,
                reference={"type": "string", "description": "The Stripe Checkout Session, invoice, "
                                                            "subscription, payment intent, refund or "
                                                            "dispute id, or the "
                                                            "entry's own id."})
    notifications = obj(["low_balance", "product_updates"],
                        low_balance={"type": "boolean", "description": "Balance alerts: low balance, credits used up."},
                        product_updates={"type": "boolean", "description": "News about the product."})
    notifications["additionalProperties"] = False
    threshold = {"type": "integer", "minimum": 0, "maximum": 1_000_000_000}
    alerts = obj(["low_balance", "default"], low_balance=nullable(threshold), default=COUNT)
    alerts_request = obj(["low_balance"], low_balance=nullable(threshold))
    alerts_request["additionalProperties"] = False
    top_up_fields = dict(enabled={"type": "boolean"}, threshold=threshold,
                         pack={"type": "string", "enum": PAID_PLANS},
                         monthly_limit={"type": "integer", "minimum": 1, "maximum": 20})
    top_up_request = obj(["enabled", "threshold", "pack", "monthly_limit"], **top_up_fields)
    top_up_request["additionalProperties"] = False
    attempt = obj(["at", "outcome", "payment_intent"], at=TIMESTAMP,
                  outcome={"type": "string", "description": "pending, succeeded, declined, action_required "
                                                            "or authentication_failed"},
                  payment_intent=nullable(STRING))
    top_up = obj(["enabled", "threshold", "pack", "monthly_limit", "status", "action_url", "this_month",
                  "last_attempt", "payment_method"],
                 status={"type": "string", "enum": ["off", "active", "paused_action_required", "off_failures",
                                                    "limit_reached"]},
                 action_url=nullable(dict(STRING, description="Where the customer confirms a paused top-up.")),
                 this_month=COUNT, last_attempt=nullable(attempt),
                 payment_method=nullable(obj(["brand", "last4"], brand=STRING, last4=STRING)), **top_up_fields)
    return {
        "Error": obj(["error"], error=error_body),
        "Notifications": notifications,
        "Alerts": alerts,
        "AlertsRequest": alerts_request,
        "AutoTopUp": top_up,
        "AutoTopUpRequest": top_up_request,
        "InsufficientCredits": obj(["error"], error=shortfall),
        "Credits": obj(["credits"], credits=COUNT),
        "Plan": obj(["name", "credits", "interval", "prices"], name=STRING, credits=COUNT, interval=STRING,
                    prices={"type": "object", "additionalProperties": price}),
        "Subscription": subscription,
        "User": user,
        "RateLimit": rate_limit,
        "ApiKey": obj(["id", "name", "prefix", "created_at", "last_used_at", "rate_limit"], last_used_at=nullable(
            {"type": "string", "format": "date", "description": "UTC day of the key's last metered call."}),
            **key_fields),
        "NewApiKey": obj(["id", "name", "key", "prefix", "created_at", "rate_limit"], key=dict(
            STRING, description="The full key: shown only in this answer."), **key_fields),
        "NewApiKeyRequest": key_request,
        "ApiKeyChanges": key_changes,
        "LedgerEntry": entry,
        **openapi_billing.schemas(),
        **openapi_orgs.schemas(),
        "DataExport": obj(["exported_at", "profile", "organisations", "api_keys", "ledger", "usage", "invoices",
                           "notifications"], exported_at=TIMESTAMP,
                          profile=obj(["id", "email", "created_at", "plan"], id=STRING, email=nullable(STRING),
                                      created_at=STRING, plan=STRING),
                          organisations={"type": "array", "items": ref("schemas", "Org")},
                          api_keys={"type": "array", "items": ref("schemas", "ApiKey")},
                          ledger={"type": "array", "items": ref("schemas", "LedgerEntry")},
                          usage={"type": "array", "items": {"type": "object"}},
                          invoices={"type": "array", "items": ref("schemas", "Invoice")},
                          notifications={"type": "object"}),
        **_admin_schemas(),
        "LedgerPage": obj(["entries", "next_cursor"], entries={"type": "array", "items": ref("schemas", "LedgerEntry")},
                          next_cursor=nullable(STRING)),
    }


def _admin_schemas():
    return openapi_admin.schemas()


def build(costs=None):
    if costs is None:
        costs = settings.route_costs()
    return {
        "openapi": "3.1.0",
        "info": {"title": "credits-saas API", "version": "1.0.0",
                 "description": "Errors always look like `{\"error\": {\"code\", \"message\"}}`."},
        "paths": paths(costs),
        "components": components(),
    }


_cached = {}


def document_json():
    """The document as JSON text, built once per warm Lambda."""
    if "json" not in _cached:
        _cached["json"] = json.dumps(build(), separators=(",", ":"))
    return _cached["json"]
