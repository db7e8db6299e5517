"""The building blocks of the OpenAPI document: the error catalogue, security
schemes, schema helpers and the shape of one operation, shared by the
customer routes (chalicelib.web.openapi) and the operators' routes
(chalicelib.web.openapi_admin)."""

# Every `error.code` the API or API Gateway's Gateway Responses send.
ERROR_CODES = [
    "bad_request", "invalid_json", "invalid_plan", "invalid_subscribe", "invalid_days", "invalid_limit",
    "invalid_cursor", "invalid_idempotency_key", "invalid_payload", "missing_signature", "invalid_signature",
    "unauthorized", "missing_token", "invalid_token", "invalid_api_key", "insufficient_credits", "forbidden",
    "not_found", "method_not_allowed", "conflict", "already_subscribed", "idempotency_key_reused",
    "payload_too_large", "unsupported_media_type", "rate_limited", "internal_error", "upstream_error",
    "stripe_unavailable", "stripe_error", "price_unavailable", "timeout", "temporarily_unavailable",
    "billing_unavailable", "webhook_not_configured", "invalid_name", "invalid_rate_limit", "too_many_keys",
    "no_subscription", "switch_plan", "account_suspended", "invalid_credits", "invalid_bucket",
    "invalid_allow_negative", "invalid_reason", "invalid_query", "missing_idempotency_key", "would_go_negative",
    "invalid_key_id", "invalid_notifications", "invalid_alerts", "invalid_auto_top_up",
    "payment_method_required", "invalid_save_card",
    "org_not_found", "forbidden_role", "too_many_orgs", "invalid_role", "member_not_found", "last_owner",
    "personal_org", "subscription_active", "invalid_user_id", "invalid_email", "already_member",
    "too_many_members", "email_unavailable", "invitation_email_mismatch", "invitation_expired",
    "invitation_not_found", "invalid_confirmation", "confirmation_mismatch", "owns_organisations",
    "account_deleted",
]

from chalicelib.platform.names import NAME_PATTERN

# What `POST /checkout` sells, `POST /change-plan` switches to and automatic top-up buys: the
# plans of products.json with prices (tests/test_openapi.py checks the two agree).
PAID_PLANS = ["Basic", "Power"]


def name_schema(max_length, description):
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": NAME_PATTERN,
            "description": description}


def cursor_parameter(max_length):
    """`cursor`: opaque, only ever a `next_cursor` the API answered (base64url); another is a 400."""
    return {"name": "cursor", "in": "query", "required": False, "x-opaque": True,
            "description": "Opaque: the `next_cursor` of the previous page, unchanged. Any other value is "
                           "refused (400 `invalid_cursor`); empty or absent: the first page.",
            "schema": {"type": "string", "maxLength": max_length, "pattern": "^[A-Za-z0-9_-]*$"}}


ID_TOKEN = [{"idToken": []}]
API_KEY = [{"apiKey": []}]
STRIPE_SIGNATURE = [{"stripeSignature": []}]
PUBLIC = []


def ref(kind, name):
    return {"$ref": "#/components/%s/%s" % (kind, name)}


def obj(required, /, **properties):
    """A JSON object schema whose listed properties are required."""
    return {"type": "object", "required": list(required), "properties": properties}


def nullable(schema):
    return {"oneOf": [schema, {"type": "null"}]}


STRING = {"type": "string"}
COUNT = {"type": "integer", "minimum": 0}
BALANCE = {"type": "integer", "description": "Below zero when the account owes credits (a refund or "
                                             "dispute took back credits already spent)."}
TIMESTAMP = {"type": "string", "description": "ISO-8601 UTC"}


def json_content(schema):
    return {"application/json": {"schema": schema}}


def answer(description, schema, headers=None):
    response = {"description": description, "content": json_content(schema)}
    if headers:
        response["headers"] = headers
    return response


def error(description, headers=None):
    return answer(description, ref("schemas", "Error"), headers)


# Errors any route can answer: a body over the size limit, or not JSON.
COMMON_ERRORS = {"413": ref("responses", "PayloadTooLarge"), "415": ref("responses", "UnsupportedMediaType")}
USER_ERRORS = dict(COMMON_ERRORS, **{"401": ref("responses", "Unauthorized")})
STRIPE_ERRORS = {"502": ref("responses", "StripeFailed"), "503": ref("responses", "BillingUnavailable")}


def operation(summary, security, responses, readme, description=None, parameters=None, body=None,
              errors=COMMON_ERRORS, deprecated=False):
    """One route. `readme` is its "Answer" cell in the README's API table."""
    entry = {"summary": summary, "security": security, "responses": dict(errors, **responses),
             "x-readme": readme}
    if deprecated:
        entry["deprecated"] = True
    if description:
        entry["description"] = description
    if parameters:
        entry["parameters"] = parameters
    if body:
        entry["requestBody"] = body
    return entry


def metered(route, cost):
    credit_headers = {"X-Credits-Cost": ref("headers", "CreditsCost"),
                      "X-Credits-Remaining": ref("headers", "CreditsRemaining")}
    cost_only = {"X-Credits-Cost": ref("headers", "CreditsCost")}
    entry = operation(
        "A metered call costing %d credit%s" % (cost, "" if cost == 1 else "s"), API_KEY,
        {
            "200": answer("Charged; the remaining total.", ref("schemas", "Credits"),
                          dict(credit_headers, **{"Idempotent-Replayed": ref("headers", "IdempotentReplayed")})),
            "400": error("Malformed JSON body or Idempotency-Key.", cost_only),
            "401": error("The API key is missing, unknown or revoked (`invalid_api_key`).", cost_only),
            "402": answer("Not enough credits; nothing was charged.", ref("schemas", "InsufficientCredits"),
                          credit_headers),
            "403": error("An operator suspended the account (`account_suspended`); nothing was charged.",
                         cost_only),
            "429": error("Over the API key's rate limit (`rate_limited`); nothing was charged. Retry after "
                         "`Retry-After` seconds.", dict(cost_only, **{"Retry-After": ref("headers", "RetryAfter")})),
            "409": error("This Idempotency-Key was used on another route (`idempotency_key_reused`).",
                         cost_only),
        },
        "`{\"credits\": <remaining>}`; headers `X-Credits-Cost`, `X-Credits-Remaining`; "
        "401 bad key, 402 not enough credits, 403 account suspended, 429 over the key's rate limit (`Retry-After`)",
        description="Charges %d credit%s to the key's account in one atomic write, which also checks the "
                    "key's rate limit (fixed windows of a second or a minute). With an "
                    "`Idempotency-Key`, the same key (per account, for 24 hours) charges once; a repeat "
                    "answers the first outcome with `Idempotent-Replayed: true`." % (cost, "" if cost == 1 else "s"),
        parameters=[ref("parameters", "IdempotencyKey")],
        body={"required": False, "content": json_content({"type": "object"})},
    )
    entry["x-credits-cost"] = cost
    return {"post": entry}
