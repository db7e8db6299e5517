"""HTTP routes and Lambda entry points. Handlers stay thin: the work is in
chalicelib's domain packages (docs/architecture.md), each of which builds
its services on first use, so a cold start imports only what the invoked
handler needs."""
import os

from chalice import Chalice, CognitoUserPoolAuthorizer, CORSConfig, Response

from chalicelib import accounts, billing, credits, keys, operators, orgs, privacy
from chalicelib.orgs.roles import BILLING_RIGHT as BILLING, KEYS, READ
from chalicelib.platform import logs, settings
from chalicelib.web import http
from chalicelib.platform.errors import Unauthorized
from chalicelib.web.http import json_body, json_errors
from chalicelib.web.metering import CREDIT_HEADERS, metered_call

# Logging is chalicelib.platform.logs' (JSON lines); Chalice's own text handler at
# level ERROR on the same logger would hide them.
app = Chalice(app_name="credits-saas", configure_logs=False)
app.api.cors = CORSConfig(
    allow_origin=settings.frontend_origin(),
    allow_headers=["Authorization", "Content-Type", "X-Api-Key", "Idempotency-Key", "X-Org-Id"],
    expose_headers=list(CREDIT_HEADERS) + ["Retry-After"],
    max_age=600,
)


@app.middleware("http")
def guard(request, get_response):
    """One log line per request; body size limit and one error shape for the
    framework's own errors."""
    return logs.logged_request(request, app.lambda_context,
                               lambda current: http.guard(app, current, get_response))


if settings.auth_mode() == "local":
    user_authorizer = None
else:
    user_authorizer = CognitoUserPoolAuthorizer(
        "CognitoUsers", provider_arns=[os.environ.get("USER_POOL_ARN", "USER_POOL_ARN")])


def current_user(finishing_deletion=False):
    """The caller's identity and their own account (their personal
    organisation), created on first use. An account being deleted answers
    only the request that finishes the deletion (chalicelib.privacy)."""
    from chalicelib.web import auth  # token parsing: off the metered routes' cold start
    identity = auth.identity(app.current_request)
    logs.note(account_id=identity.user_id)
    account = accounts.registry().ensure(identity.user_id, identity.email)
    if account.deletion_started_at and not finishing_deletion:
        raise Unauthorized("This account is being deleted; DELETE /user finishes it.", code="account_deleted")
    return identity, account


def acting(right, org_id=None):
    """The organisation the request acts for — the `X-Org-Id` header's, or
    `org_id` from the path, else the caller's personal one — with the
    caller's role in it, which must carry `right` (chalicelib.orgs)."""
    identity, personal = current_user()
    if org_id is None:
        org_id = app.current_request.headers.get("x-org-id")
    found = orgs.acting(identity, personal, org_id, right)
    logs.note(account_id=found.org_id)
    return found


def current_account(right=READ):
    return acting(right).account


def spend_for(route):
    return metered_call(app.current_request, route)


@app.route("/openapi.json", methods=["GET"])
@json_errors
def openapi_document():
    """The API's OpenAPI 3.1 description (public, cacheable)."""
    from chalicelib.web import openapi  # the document's builders: only for this route
    return Response(body=openapi.document_json(), status_code=200, headers={
        "Content-Type": "application/json", "Cache-Control": openapi.CACHE_CONTROL})


@app.route("/plans", methods=["GET"])
@json_errors
def list_plans():
    plans = credits.plan_catalog().all()
    return {"plans": plans, "tax": credits.plan_catalog().tax(plans)}


@app.route("/user", methods=["GET"], authorizer=user_authorizer)
@json_errors
def get_user():
    found = acting(READ)
    return {"user": dict(accounts.registry().view(found.account), org=found.view())}


@app.route("/user", methods=["DELETE"], authorizer=user_authorizer)
@json_errors
def delete_user():
    """Deletes the caller's account (or finishes a deletion cut short)."""
    from chalicelib.privacy.deletion import parse_confirmation  # pynamodb: off other routes' cold start
    confirm = parse_confirmation(json_body(app.current_request))
    identity, account = current_user(finishing_deletion=True)
    done = privacy.account_deletion().delete(identity, account, confirm)
    return Response(body=done, status_code=202, headers={"Content-Type": "application/json"})


@app.route("/user/export", methods=["GET"], authorizer=user_authorizer)
@json_errors
def export_user():
    """A copy of the caller's data, as a download."""
    identity, account = current_user()
    return Response(body=privacy.data_export().export(identity, account), status_code=200, headers={
        "Content-Type": "application/json",
        "Content-Disposition": 'attachment; filename="account-data.json"', "Cache-Control": "no-store"})


@app.route("/generate-key", methods=["POST"], authorizer=user_authorizer)
@json_errors
def generate_key():
    """Deprecated: rotates the account's first key (POST /keys makes more)."""
    return {"key": keys.api_keys().rotate_first(current_account(KEYS))}


@app.route("/keys", methods=["GET"], authorizer=user_authorizer)
@json_errors
def list_keys():
    return {"keys": keys.api_keys().list(current_account(KEYS))}


@app.route("/keys", methods=["POST"], authorizer=user_authorizer)
@json_errors
def create_key():
    from chalicelib.keys.account_keys import parse_new_key  # pynamodb: off other routes' cold start
    name, limit = parse_new_key(json_body(app.current_request))
    found = acting(KEYS)
    created, replayed = keys.api_keys().create(found.account, name, limit,
                                               request_key=http.idempotency_key(app.current_request),
                                               created_by=found.user_id, guard=orgs.key_creator_guard(found))
    headers = {"Content-Type": "application/json"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(body=created, status_code=200 if replayed else 201, headers=headers)


@app.route("/keys/{key_id}", methods=["PATCH"], authorizer=user_authorizer)
@json_errors
def update_key(key_id):
    from chalicelib.keys.account_keys import parse_changes  # pynamodb: off other routes' cold start
    name, limit = parse_changes(json_body(app.current_request))
    return keys.api_keys().update(current_account(KEYS), key_id, name=name, limit=limit)


@app.route("/keys/{key_id}", methods=["DELETE"], authorizer=user_authorizer)
@json_errors
def revoke_key(key_id):
    keys.api_keys().revoke(current_account(KEYS), key_id)
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
    from chalicelib.credits import usage  # pynamodb: off other routes' cold start
    days = usage.parse_days((app.current_request.query_params or {}).get("days"))
    return {"usage": usage.daily_usage(current_account(), days)}


@app.route("/ledger", methods=["GET"], authorizer=user_authorizer)
@json_errors
def get_ledger():
    from chalicelib.platform.query_params import whole_number  # off the metered routes' cold start
    from chalicelib.credits.ledger import DEFAULT_LIMIT, MAX_LIMIT  # pynamodb: off other routes' cold start
    account = current_account()
    params = app.current_request.query_params or {}
    limit = whole_number(params.get("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    entries, cursor = credits.ledger_pages().page(account.user_id, limit, params.get("cursor"))
    return {"entries": entries, "next_cursor": cursor}


@app.route("/notifications", methods=["GET"], authorizer=user_authorizer)
@json_errors
def get_notifications():
    from chalicelib.notices import preferences  # pynamodb: off other routes' cold start
    return preferences.view(current_user()[1])


@app.route("/notifications", methods=["PUT"], authorizer=user_authorizer)
@json_errors
def put_notifications():
    from chalicelib.notices import preferences  # pynamodb: off other routes' cold start
    wanted = preferences.parse(json_body(app.current_request))
    return preferences.save(current_user()[1].user_id, wanted)


@app.route("/alerts", methods=["GET"], authorizer=user_authorizer)
@json_errors
def get_alerts():
    return credits.low_balance_alerts().view(current_account(BILLING))


@app.route("/alerts", methods=["PUT"], authorizer=user_authorizer)
@json_errors
def put_alerts():
    from chalicelib.credits.alerts import parse  # pynamodb: off other routes' cold start
    threshold = parse(json_body(app.current_request))
    return credits.low_balance_alerts().save(current_account(BILLING), threshold)


@app.route("/auto-top-up", methods=["GET"], authorizer=user_authorizer)
@json_errors
def get_auto_top_up():
    account = current_account(BILLING)
    return billing.required_auto_top_up().view(account)


@app.route("/auto-top-up", methods=["PUT"], authorizer=user_authorizer)
@json_errors
def put_auto_top_up():
    from chalicelib.billing.top_ups import parse  # pynamodb, stripe: off other routes' cold start
    settings_wanted = parse(json_body(app.current_request))
    account = current_account(BILLING)
    return billing.required_auto_top_up().save(account, *settings_wanted)


@app.route("/payment-method", methods=["POST"], authorizer=user_authorizer)
@json_errors
def payment_method():
    account = current_account(BILLING)
    return billing.required_auto_top_up().card_session(account)


@app.route("/checkout", methods=["POST"], authorizer=user_authorizer)
@json_errors
def checkout():
    from chalicelib.billing.checkout import parse_checkout, parse_save_card  # pynamodb: off other routes' cold start
    account = current_account(BILLING)
    body = json_body(app.current_request)
    plan, subscribe = parse_checkout(body)
    return billing.required_billing().checkout(account, plan, subscribe,
                                      client_key=http.idempotency_key(app.current_request),
                                      save_card=parse_save_card(body))


@app.route("/change-plan", methods=["POST"], authorizer=user_authorizer)
@json_errors
def change_plan():
    from chalicelib.billing.checkout import parse_plan  # pynamodb: off other routes' cold start
    account = current_account(BILLING)
    plan = parse_plan(json_body(app.current_request))
    billing.required_billing()
    return {"user": accounts.registry().view(billing.plan_switch().change(account, plan))}


@app.route("/cancel-plan-change", methods=["POST"], authorizer=user_authorizer)
@json_errors
def cancel_plan_change():
    account = current_account(BILLING)
    billing.required_billing()
    return {"user": accounts.registry().view(billing.plan_switch().undo(account))}


@app.route("/stop-subscriptions", methods=["POST"], authorizer=user_authorizer)
@json_errors
def stop_subscriptions():
    account = current_account(BILLING)
    return {"user": accounts.registry().view(billing.required_billing().stop_subscriptions(account))}


@app.route("/billing-portal", methods=["POST"], authorizer=user_authorizer)
@json_errors
def billing_portal():
    account = current_account(BILLING)
    return billing.required_billing().portal(account)


@app.route("/invoices", methods=["GET"], authorizer=user_authorizer)
@json_errors
def list_invoices():
    """The billing history: an invoice per payment, newest first (roles with billing)."""
    from chalicelib.platform.query_params import whole_number  # off the metered routes' cold start
    from chalicelib.billing.invoices import DEFAULT_LIMIT, MAX_LIMIT  # stripe: off other routes' cold start
    account = current_account(BILLING)
    params = app.current_request.query_params or {}
    limit = whole_number(params.get("limit"), "limit", 1, MAX_LIMIT, DEFAULT_LIMIT)
    invoices, cursor = billing.required_billing_history().page(account, limit, params.get("cursor"))
    return {"invoices": invoices, "next_cursor": cursor}


@app.route("/stripe/webhook", methods=["POST"],
           content_types=["application/json", "text/plain"])
@json_errors
def stripe_webhook():
    """Signed by Stripe; verified on the exact raw bytes received."""
    request = app.current_request
    return billing.stripe_webhook().handle(request.raw_body, request.headers.get("stripe-signature"))


# Organisations (chalicelib.orgs) -------------------------------------------


@app.route("/orgs", methods=["GET"], authorizer=user_authorizer)
@json_errors
def list_orgs():
    identity, _ = current_user()
    return {"orgs": orgs.org_directory().list(identity.user_id)}


@app.route("/orgs", methods=["POST"], authorizer=user_authorizer)
@json_errors
def create_org():
    from chalicelib.orgs.directory import parse_name  # pynamodb: off other routes' cold start
    name = parse_name(json_body(app.current_request))
    identity, _ = current_user()
    org = orgs.org_directory().create(identity.user_id, identity.email, name)
    return Response(body={"org": org}, status_code=201, headers={"Content-Type": "application/json"})


@app.route("/orgs/{org_id}", methods=["DELETE"], authorizer=user_authorizer)
@json_errors
def delete_org(org_id):
    orgs.org_directory().delete(acting(READ, org_id))
    return Response(body="", status_code=204)


@app.route("/orgs/{org_id}/members", methods=["GET"], authorizer=user_authorizer)
@json_errors
def list_members(org_id):
    return {"members": orgs.org_members().list(acting(READ, org_id))}


@app.route("/orgs/{org_id}/members/{user_id}", methods=["PATCH"], authorizer=user_authorizer)
@json_errors
def change_member_role(org_id, user_id):
    from chalicelib.orgs.roles import parse_role  # off other routes' cold start
    role = parse_role(json_body(app.current_request))
    return {"member": orgs.org_members().change_role(acting(READ, org_id), user_id, role)}


@app.route("/orgs/{org_id}/members/{user_id}", methods=["DELETE"], authorizer=user_authorizer)
@json_errors
def remove_member(org_id, user_id):
    """Removes a member, or the caller (leaving); their keys here are revoked."""
    return orgs.org_members().remove(acting(READ, org_id), user_id)


@app.route("/orgs/{org_id}/transfer", methods=["POST"], authorizer=user_authorizer)
@json_errors
def transfer_org(org_id):
    from chalicelib.orgs.members import parse_user_id  # pynamodb: off other routes' cold start
    user_id = parse_user_id(json_body(app.current_request))
    return {"org": orgs.org_members().transfer(acting(READ, org_id), user_id)}


@app.route("/orgs/{org_id}/invitations", methods=["GET"], authorizer=user_authorizer)
@json_errors
def list_invitations(org_id):
    return {"invitations": orgs.org_invitations().list(acting(READ, org_id))}


@app.route("/orgs/{org_id}/invitations", methods=["POST"], authorizer=user_authorizer)
@json_errors
def invite(org_id):
    from chalicelib.orgs.invitations import parse_email  # pynamodb: off other routes' cold start
    from chalicelib.orgs.roles import parse_role  # off other routes' cold start
    body = json_body(app.current_request)
    email, role = parse_email(body), parse_role(body)
    invitation = orgs.org_invitations().invite(acting(READ, org_id), email, role)
    return Response(body={"invitation": invitation}, status_code=201, headers={"Content-Type": "application/json"})


@app.route("/orgs/{org_id}/invitations/{invitation_id}", methods=["DELETE"], authorizer=user_authorizer)
@json_errors
def revoke_invitation(org_id, invitation_id):
    orgs.org_invitations().revoke(acting(READ, org_id), invitation_id)
    return Response(body="", status_code=204)


@app.route("/invitations/accept", methods=["POST"], authorizer=user_authorizer)
@json_errors
def accept_invitation():
    from chalicelib.orgs.invitations import parse_token  # pynamodb: off other routes' cold start
    token = parse_token(json_body(app.current_request))
    identity, _ = current_user()
    return {"org": orgs.org_invitations().accept(identity.user_id, identity.email, token)}


# Operators (the Cognito group `admins`) -----------------------------------


def operator_id():
    """The caller's operator id; 401 without a valid token, 403 outside `admins`."""
    from chalicelib.web import auth  # token parsing: off the metered routes' cold start
    caller = auth.operator(app.current_request)
    logs.note(operator=caller.operator_id)
    return caller.operator_id


def admin_target(account_id):
    logs.note(account_id=account_id)
    return account_id


def page_params(max_limit, default_limit):
    from chalicelib.platform.query_params import whole_number  # off the metered routes' cold start
    params = app.current_request.query_params or {}
    return whole_number(params.get("limit"), "limit", 1, max_limit, default_limit), params.get("cursor")


@app.route("/admin/accounts", methods=["GET"], authorizer=user_authorizer)
@json_errors
def admin_find_accounts():
    from chalicelib.operators.account_search import DEFAULT_LIMIT, MAX_LIMIT, parse_query  # pynamodb: off other routes' cold start
    operator_id()
    query = parse_query((app.current_request.query_params or {}).get("q"))
    return operators.operator_console().find(query, *page_params(MAX_LIMIT, DEFAULT_LIMIT))


@app.route("/admin/accounts/{account_id}", methods=["GET"], authorizer=user_authorizer)
@json_errors
def admin_show_account(account_id):
    from chalicelib.credits.ledger import DEFAULT_LIMIT, MAX_LIMIT  # pynamodb: off other routes' cold start
    operator_id()
    return operators.operator_console().show(admin_target(account_id), *page_params(MAX_LIMIT, DEFAULT_LIMIT))


@app.route("/admin/accounts/{account_id}/credits", methods=["POST"], authorizer=user_authorizer)
@json_errors
def admin_adjust_credits(account_id):
    from chalicelib.operators import adjustments  # pynamodb: off other routes' cold start
    operator = operator_id()
    amount, bucket, reason, allow_negative = adjustments.parse(json_body(app.current_request))
    request_key = http.required_idempotency_key(app.current_request)
    return operators.operator_console().adjust(admin_target(account_id), amount, bucket, reason, request_key, operator,
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
    from chalicelib.operators.console import parse_key_id, parse_reason  # pynamodb: off other routes' cold start
    operator = operator_id()
    body = json_body(app.current_request)
    reason, key_id = parse_reason(body), parse_key_id(body)
    return operators.operator_console().revoke_key(admin_target(account_id), reason, operator, key_id)


def account_action(name, account_id):
    """suspend or unsuspend, with the body's reason."""
    from chalicelib.operators.console import parse_reason  # pynamodb: off other routes' cold start
    operator = operator_id()
    reason = parse_reason(json_body(app.current_request))
    return getattr(operators.operator_console(), name)(admin_target(account_id), reason, operator)


@app.route("/admin/summary", methods=["GET"], authorizer=user_authorizer)
@json_errors
def admin_summary():
    operator_id()
    return operators.operator_console().summary()


@app.route("/admin/audit", methods=["GET"], authorizer=user_authorizer)
@json_errors
def admin_audit():
    from chalicelib.operators.audit import DEFAULT_LIMIT, MAX_LIMIT  # pynamodb: off other routes' cold start
    operator_id()
    return operators.operator_console().audit(*page_params(MAX_LIMIT, DEFAULT_LIMIT))


@app.lambda_function(name="post_confirmation")
def post_confirmation(event, context):
    """Cognito post-confirmation trigger: create the account, return the event."""
    attributes = (event.get("request") or {}).get("userAttributes") or {}

    def provision():
        logs.note(account_id=attributes.get("sub"))
        accounts.registry().provision(attributes.get("sub"), attributes.get("email"))
        return event
    return logs.logged_event("post_confirmation", context, provision)


@app.on_dynamodb_record(stream_arn=settings.ledger_stream_arn(), batch_size=10, starting_position="TRIM_HORIZON")
def send_emails(event):
    """The ledger table's stream: each new balance crossing (`crossing:…`)
    records its low-balance email and starts its automatic top-up
    (chalicelib.billing.top_ups), then each new outbox item (`email:…`) is
    sent once through SES (chalicelib.notices.sender). The event source
    mapping's filter passes only those inserts (scripts/deploy/api.py);
    locally the dev stack's poller reads the stream and calls this same
    function. A batch with work still to do raises, so the stream delivers it
    again."""
    logs.logged_event("send_emails", event.context,
                      lambda: billing.on_ledger_stream([record.to_dict() for record in event]))
