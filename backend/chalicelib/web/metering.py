"""Metered calls: an API key, a cost, and answers that say what was charged.

Every answer of a metered route carries `X-Credits-Cost`; those that know
the balance (200, 402) carry `X-Credits-Remaining`. With an `Idempotency-Key`
a retried call is charged once and answered with `Idempotent-Replayed: true`.
"""
from chalice import Response

from chalicelib import credits
from chalicelib.platform import logs, metrics, settings
from chalicelib.platform.errors import ApiError, Unauthorized
from chalicelib.web.http import idempotency_key, json_body

CREDIT_HEADERS = ("X-Credits-Cost", "X-Credits-Remaining", "Idempotent-Replayed")
# Refusals worth watching: a customer out of credits, a key over its limit.
REFUSAL_METRICS = {402: "InsufficientCredits", 429: "RateLimited"}


def metered_call(request, route):
    cost = settings.route_cost(route)
    logs.note(credits_cost=cost)
    headers = {"X-Credits-Cost": str(cost)}
    try:
        remaining, replayed = _charge(request, route, cost)
    except ApiError as error:
        if "remaining" in error.fields:
            headers["X-Credits-Remaining"] = str(error.fields["remaining"])
            logs.note(credits_remaining=error.fields["remaining"])
        refusal_metric = REFUSAL_METRICS.get(error.status)
        if refusal_metric:
            metrics.count(refusal_metric)
        error.headers.update(headers)
        raise
    headers["X-Credits-Remaining"] = str(remaining)
    logs.note(credits_remaining=remaining, replayed=replayed or None)
    metrics.count("MeteredCalls")
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    else:
        metrics.count("CreditsSpent", cost)
    return Response(body={"credits": remaining}, status_code=200,
                    headers=dict(headers, **{"Content-Type": "application/json"}))


def _charge(request, route, cost):
    from chalicelib.keys import key_format  # hashlib: kept off the cold start of other routes

    json_body(request, required=False)
    request_key = idempotency_key(request)
    parsed = key_format.parse(request.headers.get("x-api-key"))
    if parsed is None:
        raise Unauthorized("The API key is missing, unknown or revoked.", code="invalid_api_key")
    user_id, key_hash = parsed
    logs.note(account_id=user_id)
    if request_key is None:
        return credits.wallet().spend(user_id, key_hash, cost), False
    return credits.wallet().spend_once(user_id, key_hash, cost, request_key, route)
