"""HTTP routes and Lambda entry points. Handlers stay thin: the work is in
chalicelib/, built lazily by chalicelib.services."""
import os

from chalice import Chalice, CognitoUserPoolAuthorizer, CORSConfig, Response

from chalicelib import logs, services, settings, web
from chalicelib.metering import CREDIT_HEADERS, metered_call
from chalicelib.web import json_body, json_errors

# Logging is chalicelib.logs' (JSON lines); Chalice's own text handler at
# level ERROR on the same logger would hide them.
app = Chalice(app_name="credits-saas", configure_logs=False)
app.api.cors = CORSConfig(
    allow_origin=settings.frontend_origin(),
    allow_headers=["Authorization", "Content-Type", "X-Api-Key", "Idempotency-Key"],
    expose_headers=list(CREDIT_HEADERS) + ["Retry-After"],
    max_age=600,
)


@app.middleware("http")
def guard(request, get_response):
    """One log line per request; body size limit and one error shape for the
    framework's own errors."""
    return logs.logged_request(request, app.lambda_context,
                               lambda current: web.guard(app, current, get_response))


if settings.auth_mode() == "local":
    # The local stand-in for API Gateway answers unknown routes itself; make
    # it answer in our shape, as the deployed Gateway Responses do.
    from chalicelib import local_gateway
    local_gateway.install(app.api.cors.get_access_control_headers)
    user_authorizer = None
else:
    user_authorizer = CognitoUserPoolAuthorizer(
        "CognitoUsers", provider_arns=[os.environ.get("USER_POOL_ARN", "USER_POOL_ARN")])


def current_account():
    from chalicelib import auth
    identity = auth.identity(app.current_request)
    logs.note(account_id=identity.user_id)
    return services.accounts().ensure(identity.user_id, identity.email)


def spend_for(route):
    return metered_call(app.current_request, route)


@app.route("/openapi.json", methods=["GET"])
@json_errors
def openapi_document():
    """The API's OpenAPI 3.1 description (public, cacheable)."""
    from chalicelib import openapi
    return Response(body=openapi.document_json(), status_code=200, headers={
        "Content-Type": "application/json", "Cache-Control": openapi.CACHE_CONTROL})


@app.route("/plans", methods=["GET"])
@json_errors
def list_plans():
    return {"plans": services.plans().all()}


@app.route("/user", methods=["GET"], authorizer=user_authorizer)
@json_errors
def get_user():
    return {"user": services.accounts().view(current_account())}


@app.route("/generate-key", methods=["POST"], authorizer=user_authorizer)
@json_errors
def generate_key():
    """Deprecated: rotates the account's first key (POST /keys makes more)."""
    return {"key": services.api_keys().rotate_first(current_account())}


@app.route("/keys", methods=["GET"], authorizer=user_authorizer)
@json_errors
def list_keys():
    return {"keys": services.api_keys().list(current_account())}


@app.route("/keys", methods=["POST"], authorizer=user_authorizer)
@json_errors
def create_key():
    from chalicelib.api_keys import parse_new_key
    name, limit = parse_new_key(json_body(app.current_request))
    account = current_account()
    created, replayed = services.api_keys().create(account, name, limit,
                                                   request_key=web.idempotency_key(app.current_request))
    headers = {"Content-Type": "application/json"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(body=created, status_code=200 if replayed else 201, headers=headers)


@app.route("/keys/{key_id}", methods=["PATCH"], authorizer=user_authorizer)
@json_errors
def update_key(key_id):
    from chalicelib.api_keys import parse_changes
    name, limit = parse_changes(json_body(app.current_request))
    return services.api_keys().update(current_account(), key_id, name=name, limit=limit)


@app.route("/keys/{key_id}", methods=["DELETE"], authorizer=user_authorizer)
@json_errors
def revoke_key(key_id):
    services.api_keys().revoke(current_account(), key_id)
    return Response(body="", status_code=204)


@app.route("/test", methods=["POST"])
@json_errors
def metered_test():
    return spend_for("/test")


@app.route("/test/heavy", methods=["POST"])
@json_errors
def metered_test_heavy():
    return spend_for("/test/heavy")


@app.route("/usage", methods=["GET"], authorizer=user_authorizer)
@json_errors
def get_usage():
    from chalicelib import usage
    days = usage.parse_days((app.current_request.query_params or {}).get("days"))
    return {"usage": usage.daily_usage(current_account(), days)}


@app.route("/ledger", methods=["GET"], authorizer=user_authorizer)
@json_errors
def get_ledger():
    from chalicelib.ledger import DEFAULT_LIMIT, MAX_LIMIT
    account = current_account()
    params = app.current_request.query_params or {}
    limit = web.whole_number(params.get("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    entries, cursor = services.ledger().page(account.user_id, limit, params.get("cursor"))
    return {"entries": entries, "next_cursor": cursor}


def billing_service():
    from chalicelib.errors import ApiError
    billing = services.billing()
    if billing is None:
        raise ApiError("Billing is not configured on this stage.", code="billing_unavailable", status=503)
    return billing


@app.route("/checkout", methods=["POST"], authorizer=user_authorizer)
@json_errors
def checkout():
    from chalicelib.billing import parse_checkout
    account = current_account()
    plan, subscribe = parse_checkout(json_body(app.current_request))
    return billing_service().checkout(account, plan, subscribe,
                                      client_key=web.idempotency_key(app.current_request))


@app.route("/change-plan", methods=["POST"], authorizer=user_authorizer)
@json_errors
def change_plan():
    from chalicelib.billing import parse_plan
    account = current_account()
    plan = parse_plan(json_body(app.current_request))
    billing_service()
    return {"user": services.accounts().view(services.plan_changes().change(account, plan))}


@app.route("/cancel-plan-change", methods=["POST"], authorizer=user_authorizer)
@json_errors
def cancel_plan_change():
    account = current_account()
    billing_service()
    return {"user": services.accounts().view(services.plan_changes().undo(account))}


@app.route("/stop-subscriptions", methods=["POST"], authorizer=user_authorizer)
@json_errors
def stop_subscriptions():
    account = current_account()
    return {"user": services.accounts().view(billing_service().stop_subscriptions(account))}


@app.route("/billing-portal", methods=["POST"], authorizer=user_authorizer)
@json_errors
def billing_portal():
    account = current_account()
    return billing_service().portal(account)


@app.route("/stripe/webhook", methods=["POST"],
           content_types=["application/json", "text/plain"])
@json_errors
def stripe_webhook():
    """Signed by Stripe; verified on the exact raw bytes received."""
    request = app.current_request
    return services.stripe_webhook().handle(request.raw_body, request.headers.get("stripe-signature"))


# Operators (the Cognito group `admins`) -----------------------------------


def operator_id():
    """The caller's operator id; 401 without a valid token, 403 outside `admins`."""
    from chalicelib import auth
    caller = auth.operator(app.current_request)
    logs.note(operator=caller.operator_id)
    return caller.operator_id


def admin_target(account_id):
    logs.note(account_id=account_id)
    return account_id


def page_params(max_limit, default_limit):
    params = app.current_request.query_params or {}
    return web.whole_number(params.get("limit"), "limit", 1, max_limit, default_limit), params.get("cursor")


@app.route("/admin/accounts", methods=["GET"], authorizer=user_authorizer)
@json_errors
def admin_find_accounts():
    from chalicelib.account_search import DEFAULT_LIMIT, MAX_LIMIT, parse_query
    operator_id()
    query = parse_query((app.current_request.query_params or {}).get("q"))
    return services.console().find(query, *page_params(MAX_LIMIT, DEFAULT_LIMIT))


@app.route("/admin/accounts/{account_id}", methods=["GET"], authorizer=user_authorizer)
@json_errors
def admin_show_account(account_id):
    from chalicelib.ledger import DEFAULT_LIMIT, MAX_LIMIT
    operator_id()
    return services.console().show(admin_target(account_id), *page_params(MAX_LIMIT, DEFAULT_LIMIT))


@app.route("/admin/accounts/{account_id}/credits", methods=["POST"], authorizer=user_authorizer)
@json_errors
def admin_adjust_credits(account_id):
    from chalicelib import adjustments
    operator = operator_id()
    amount, bucket, reason, allow_negative = adjustments.parse(json_body(app.current_request))
    request_key = web.required_idempotency_key(app.current_request)
    return services.console().adjust(admin_target(account_id), amount, bucket, reason, request_key, operator,
                                     allow_negative)


@app.route("/admin/accounts/{account_id}/suspend", methods=["POST"], authorizer=user_authorizer)
@json_errors
def admin_suspend(account_id):
    return account_action("suspend", account_id)


@app.route("/admin/accounts/{account_id}/unsuspend", methods=["POST"], authorizer=user_authorizer)
@json_errors
def admin_unsuspend(account_id):
    return account_action("unsuspend", account_id)


@app.route("/admin/accounts/{account_id}/revoke-key", methods=["POST"], authorizer=user_authorizer)
@json_errors
def admin_revoke_key(account_id):
    from chalicelib.console import parse_key_id, parse_reason
    operator = operator_id()
    body = json_body(app.current_request)
    reason, key_id = parse_reason(body), parse_key_id(body)
    return services.console().revoke_key(admin_target(account_id), reason, operator, key_id)


def account_action(name, account_id):
    """suspend or unsuspend, with the body's reason."""
    from chalicelib.console import parse_reason
    operator = operator_id()
    reason = parse_reason(json_body(app.current_request))
    return getattr(services.console(), name)(admin_target(account_id), reason, operator)


@app.route("/admin/summary", methods=["GET"], authorizer=user_authorizer)
@json_errors
def admin_summary():
    operator_id()
    return services.console().summary()


@app.route("/admin/audit", methods=["GET"], authorizer=user_authorizer)
@json_errors
def admin_audit():
    from chalicelib.audit import DEFAULT_LIMIT, MAX_LIMIT
    operator_id()
    return services.console().audit(*page_params(MAX_LIMIT, DEFAULT_LIMIT))


@app.lambda_function(name="post_confirmation")
def post_confirmation(event, context):
    """Cognito post-confirmation trigger: create the account, return the event."""
    attributes = (event.get("request") or {}).get("userAttributes") or {}

    def provision():
        logs.note(account_id=attributes.get("sub"))
        services.accounts().provision(attributes.get("sub"), attributes.get("email"))
        return event
    return logs.logged_event("post_confirmation", context, provision)
