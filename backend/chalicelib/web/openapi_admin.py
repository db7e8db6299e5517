"""The operators' routes (`/admin/*`) in the OpenAPI document: every one
takes the ID token of a member of the Cognito group `admins`."""
from chalicelib.web.openapi_parts import (
    COUNT, ID_TOKEN, STRING, TIMESTAMP, USER_ERRORS, answer, cursor_parameter, error, json_content, nullable, obj,
    operation, ref)

ACCOUNT_ID = {"name": "account_id", "in": "path", "required": True, "description": "The account id (Cognito sub).",
              "schema": {"type": "string", "minLength": 1, "maxLength": 128}}
REQUIRED_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": True,
    "description": "Required: a repeated request with the same key adjusts once.",
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9._:\\-]{1,100}$"}}
# 3 to 200 characters once trimmed (chalicelib.operators.adjustments.parse_reason), spaces around
# them aside.
REASON = {"type": "string", "pattern": "^\\s*\\S[\\s\\S]{1,198}\\S\\s*$",
          "description": "Why, for the record (3-200 characters, spaces around them aside)."}
ADMIN_ERRORS = dict(USER_ERRORS, **{"403": error("The caller is not an operator (`forbidden`).")})
NOT_FOUND = {"404": error("No account with this id (`not_found`).")}


def limit(maximum, default):
    return {"name": "limit", "in": "query", "required": False,
            "schema": {"type": "integer", "minimum": 1, "maximum": maximum, "default": default}}


def admin(summary, responses, readme, **options):
    return operation(summary, ID_TOKEN, responses, readme, errors=ADMIN_ERRORS, **options)


def reason_body():
    return {"required": True, "content": json_content(obj(["reason"], reason=REASON))}


def action(summary, result, readme):
    return {"post": admin(summary, dict(NOT_FOUND, **{
        "200": answer("Done and audited.", result),
        "400": error("Malformed body or `reason` (`invalid_reason`)."),
    }), readme, parameters=[ACCOUNT_ID], body=reason_body())}


def paths():
    return {
        "/admin/accounts": {"get": admin(
            "Find accounts", {
                "200": answer("Matching accounts, a page at a time.", ref("schemas", "AccountSearchPage")),
                "400": error("Missing or too long `q` (`invalid_query`), bad `limit` or `cursor`.")},
            "`{\"accounts\": [{\"id\", \"email\", \"plan\", \"credits\", \"stripe_customer_id\", \"suspended\"}], "
            "\"next_cursor\"}`; `q` = email prefix (with their team organisations), team name prefix, account or organisation id, API key, `cus_…` or `ak_…` prefix",
            parameters=[{"name": "q", "in": "query", "required": True,
                         "schema": {"type": "string", "minLength": 1, "maxLength": 200}},
                        limit(50, 20), cursor_parameter(800)])},
        "/admin/accounts/{account_id}": {"get": admin(
            "One account for support", dict(NOT_FOUND, **{
                "200": answer("Balances, Stripe, usage, ledger page and suspension.",
                              obj(["account"], account=ref("schemas", "AdminAccount"))),
                "400": error("Bad `limit` or `cursor` of the ledger page.")}),
            "`{\"account\"}`: plan, subscription, balances (plan, purchased, owed), key, Stripe customer and "
            "dashboard link, 30 days of usage, a ledger page, suspension, low-balance alert, automatic top-up",
            parameters=[ACCOUNT_ID, limit(100, 50), cursor_parameter(2048)])},
        "/admin/accounts/{account_id}/credits": {"post": admin(
            "Grant or void credits", dict(NOT_FOUND, **{
                "200": answer("Applied, or (`applied: false`) a repeat of the same Idempotency-Key.",
                              ref("schemas", "Adjustment")),
                "400": error("Bad `credits`, `bucket`, `reason` or `allow_negative`, or no Idempotency-Key."),
                "409": error("The void would take the balance below zero (`would_go_negative`), or the "
                             "Idempotency-Key was used for another adjustment (`idempotency_key_reused`)."),
                "503": error("The account kept changing; retry with the same Idempotency-Key.")}),
            "`{\"applied\", \"entry\", \"balances\"}`; ledger kind `adjustment`, `reason` as its description; "
            "Idempotency-Key required",
            description="Positive `credits` grant, negative void. A void takes from `bucket` first, then the "
                        "other bucket, and below zero only with `allow_negative: true`.",
            parameters=[ACCOUNT_ID, REQUIRED_IDEMPOTENCY_KEY],
            body={"required": True, "content": json_content(obj(
                ["credits", "reason"],
                credits={"type": "integer", "minimum": -10_000_000, "maximum": 10_000_000, "not": {"const": 0}},
                bucket={"enum": ["purchased", "plan"], "default": "purchased"}, reason=REASON,
                allow_negative={"type": "boolean", "default": False}))})},
        "/admin/accounts/{account_id}/suspend": action(
            "Suspend an account", obj(["suspension"], suspension=ref("schemas", "Suspension")),
            "`{\"suspension\"}`; metered calls answer 403 `account_suspended` until unsuspended"),
        "/admin/accounts/{account_id}/unsuspend": action(
            "Lift a suspension", obj(["suspension"], suspension={"type": "null"}), "`{\"suspension\": null}`"),
        "/admin/accounts/{account_id}/revoke-key": {"post": admin(
            "Revoke one or all of the account's API keys", dict(NOT_FOUND, **{
                "200": answer("Revoked and audited: the keys fail their next call.",
                              obj(["revoked"], revoked={"type": "array", "items": STRING})),
                "400": error("Malformed body, `reason` (`invalid_reason`) or `key_id` (`invalid_key_id`).")}),
            "`{\"revoked\": [key ids]}`; `key_id` revokes one key, none every key; they stop working at once",
            parameters=[ACCOUNT_ID],
            body={"required": True, "content": json_content(obj(
                ["reason"], reason=REASON,
                key_id={"type": "string", "pattern": "^[0-9a-f]{8}$", "description": "One key; absent: all."}))})},
        "/admin/summary": {"get": admin(
            "How the business is doing", {"200": answer("Cached for up to 5 minutes.",
                                                        obj(["summary"], summary=ref("schemas", "Summary")))},
            "`{\"summary\"}`: accounts by plan, subscriptions, MRR per currency, credits spent, sign-ups per "
            "day, purchases and refunds (30 days)")},
        "/admin/audit": {"get": admin(
            "Operators' actions, newest first", {
                "200": answer("One page of records.", obj(["records", "next_cursor"], records={
                    "type": "array", "items": ref("schemas", "AuditRecord")}, next_cursor=nullable(STRING))),
                "400": error("Bad `limit` or `cursor`.")},
            "`{\"records\": [{\"at\", \"operator\", \"action\", \"account_id\", \"reason\", \"details\"}], "
            "\"next_cursor\"}`",
            parameters=[limit(100, 50), cursor_parameter(200)])},
    }


def schemas():
    integer = {"type": "integer"}
    counted = obj(["count", "credits"], count=COUNT, credits=integer)
    balances = obj(["credits", "plan_credits", "purchased_credits", "owed_credits"], credits=integer,
                   plan_credits=integer, purchased_credits=COUNT, owed_credits=COUNT)
    account = {"allOf": [ref("schemas", "User"), obj(
        ["created_at", "api_keys", "stripe_customer_id", "stripe_dashboard_url", "suspension", "usage", "ledger"],
        created_at=STRING, api_keys={"type": "array", "items": ref("schemas", "ApiKey")},
        stripe_customer_id=nullable(STRING),
        stripe_dashboard_url=nullable(STRING), suspension=nullable(ref("schemas", "Suspension")),
        usage={"type": "array", "items": obj(["date", "credits"], date=STRING, credits=COUNT)},
        ledger=ref("schemas", "LedgerPage"),
        auto_top_up=dict(ref("schemas", "AutoTopUp"), description="The setting, its status and last attempt; "
                                                                   "its history is the ledger's `top_up` entries."),
        low_balance_alert=ref("schemas", "Alerts"),
        organisation=dict(obj(["personal"], personal={"type": "boolean"}, name=STRING, closed_at=nullable(STRING),
                              members={"type": "array", "items": ref("schemas", "Member")},
                              invitations={"type": "array", "items": {"type": "object"}},
                              member_of={"type": "array", "items": {"type": "object"}}),
                          description="A team organisation's members and pending invitations; for a person, "
                                      "the team organisations they are a member of."))]}
    return {
        "Suspension": obj(["reason", "since"], reason=nullable(STRING), since=nullable(TIMESTAMP),
                          operator=nullable(STRING)),
        "AccountSearchPage": obj(["accounts", "next_cursor"], next_cursor=nullable(STRING), accounts={
            "type": "array", "items": obj(
                ["id", "email", "plan", "credits", "created_at", "stripe_customer_id", "suspended"], id=STRING,
                email=nullable(STRING), plan=STRING, credits=integer, created_at=STRING,
                stripe_customer_id=nullable(STRING), suspended={"type": "boolean"},
                org_name=nullable(dict(STRING, description="A team organisation's name; null for a person.")),
                member_of={"type": "array", "description": "A person's team organisations (id, name, role).",
                           "items": obj(["id", "name", "role"], id=STRING, name=STRING, role=STRING)})}),
        "AdminAccount": account,
        "Adjustment": obj(["applied", "entry", "balances"], applied={"type": "boolean"},
                          entry=ref("schemas", "LedgerEntry"), balances=balances),
        "AuditRecord": obj(["at", "operator", "action", "account_id", "reason", "details"], at=TIMESTAMP,
                           operator=STRING, action={"enum": ["grant", "void", "suspend", "unsuspend", "revoke_key", "delete_account"]},
                           account_id=STRING, reason=nullable(STRING), details={"type": "object"}),
        "Summary": obj(
            ["computed_at", "accounts", "accounts_by_plan", "subscriptions", "mrr", "credits_spent", "daily",
             "last_30_days"],
            computed_at=TIMESTAMP, accounts=COUNT,
            team_organisations=dict(COUNT, description="Team organisations not deleted (chalicelib.orgs)."),
            accounts_by_plan={"type": "object", "additionalProperties": COUNT},
            subscriptions=obj(["active", "past_due", "by_status"], active=COUNT, past_due=COUNT,
                              by_status={"type": "object", "additionalProperties": COUNT}),
            mrr={"type": "array", "items": obj(["currency", "amount"], currency=STRING, amount=integer)},
            credits_spent=obj(["today", "yesterday", "last_30_days"], today=integer, yesterday=integer,
                              last_30_days=integer),
            daily={"type": "array", "items": obj(["date", "signups", "credits_spent"], date=STRING,
                                                 signups=COUNT, credits_spent=integer)},
            last_30_days=obj(["purchases", "refunds", "given_back", "adjustments"], purchases=counted,
                             refunds=counted, given_back=counted, adjustments=counted)),
    }
