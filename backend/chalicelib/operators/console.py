"""The operators' console: what `/admin/*` routes and scripts/admin.py do,
in one place so the web app and the command line cannot drift apart.

Every method takes the operator's id (`cognito:<sub>` from the web app,
`cli:<name>` from the command line); every change is audited
(chalicelib.operators.audit).
"""
from chalicelib.credits import ledger, usage
import chalicelib.credits.thresholds as thresholds
from chalicelib.billing.top_ups import TopUps
from chalicelib.keys.account_keys import KEY_ID, ApiKeys
from chalicelib.accounts.suspension import suspension
import chalicelib.operators.account_search as account_search
import chalicelib.operators.adjustments as adjustments
import chalicelib.operators.audit as audit
from chalicelib.platform import settings
from chalicelib.platform.models import Invitation, MemberOf, Membership
from chalicelib.operators.account_search import AccountSearch
from chalicelib.operators.adjustments import Adjustments
from chalicelib.platform.errors import BadRequest, NotFound
from chalicelib.operators.suspensions import AccountControls

STRIPE_DASHBOARD = "https://dashboard.stripe.com/"
USAGE_DAYS = 30


class Console:
    def __init__(self, accounts, credits, ledger, summary, notify=None, plans=None):
        self._plans = plans  # chalicelib.credits.plans.Plans: the alert's default
        self._accounts = accounts
        self._ledger = ledger
        self._summary = summary
        self._adjustments = Adjustments(credits)
        self._controls = AccountControls(notify)
        self._search = AccountSearch()
        self._audit = audit.Audit()

    def find(self, query, limit=None, cursor=None):
        accounts, next_cursor = self._search.find(query, limit or account_search.DEFAULT_LIMIT, cursor)
        return {"accounts": accounts, "next_cursor": next_cursor}

    def show(self, user_id, ledger_limit=None, ledger_cursor=None):
        """Everything support needs about one account."""
        account = self._account(user_id)
        entries, next_cursor = self._ledger.page(user_id, ledger_limit or ledger.DEFAULT_LIMIT, ledger_cursor,
                                                 with_operator=True)
        view = self._accounts.view(account)
        view.update({
            "created_at": account.created_at,
            "api_keys": ApiKeys().list(account),
            "stripe_customer_id": account.stripe_customer_id,
            "stripe_dashboard_url": stripe_dashboard_url(account.stripe_customer_id),
            "suspension": suspension(account, with_operator=True),
            "usage": usage.daily_usage(account, USAGE_DAYS),
            "ledger": {"entries": entries, "next_cursor": next_cursor},
            "auto_top_up": TopUps.describe(TopUps.state(user_id)),
            "low_balance_alert": {"low_balance": thresholds.customer_alert(account),
                                  "default": thresholds.default_threshold(self._plans.allowance(account.plan))},
            "organisation": organisation(account),
        })
        return {"account": view}

    def adjust(self, user_id, amount, bucket, reason, request_key, operator, allow_negative=False):
        entry, applied = self._adjustments.apply(user_id, amount, bucket, reason, request_key, operator,
                                                 allow_negative)
        account = self._account(user_id)
        return {"applied": applied, "entry": self._ledger.view(entry, with_operator=True),
                "balances": balances(account)}

    def suspend(self, user_id, reason, operator):
        suspension = self._controls.suspend(user_id, reason, operator)
        return {"suspension": suspension}

    def unsuspend(self, user_id, reason, operator):
        self._controls.unsuspend(user_id, reason, operator)
        return {"suspension": None}

    def revoke_key(self, user_id, reason, operator, key_id=None):
        """One key (`key_id`) or all of the account's keys."""
        return {"revoked": self._controls.revoke_key(user_id, reason, operator, key_id)}

    def summary(self, fresh=False):
        return {"summary": self._summary.get(fresh=fresh)}

    def audit(self, limit=None, cursor=None):
        records, next_cursor = self._audit.page(limit or audit.DEFAULT_LIMIT, cursor)
        return {"records": records, "next_cursor": next_cursor}

    def _account(self, user_id):
        account = self._accounts.get(user_id) if isinstance(user_id, str) and 0 < len(user_id) <= 128 else None
        if account is None:
            raise NotFound("No account with this id.", code="not_found")
        return account


def parse_reason(body):
    return adjustments.parse_reason(body.get("reason"))


def parse_key_id(body):
    """The optional `key_id` of a revoke-key request (absent: all keys)."""
    key_id = body.get("key_id")
    if key_id is None:
        return None
    if not isinstance(key_id, str) or not KEY_ID.fullmatch(key_id):
        raise BadRequest('"key_id" must be the id of one of the account\'s keys (8 hex digits).',
                         code="invalid_key_id")
    return key_id


def balances(account):
    return {"credits": int(account.credits), "plan_credits": account.plan_balance,
            "purchased_credits": account.purchased_balance, "owed_credits": max(0, -int(account.credits))}


def stripe_dashboard_url(customer_id):
    """Stripe's dashboard page of the customer (its test-mode page on test keys)."""
    if not customer_id:
        return None
    key = settings.stripe_secret_key() or ""
    mode = "test/" if key.startswith(("sk_test", "rk_test")) else ""
    return "%s%scustomers/%s" % (STRIPE_DASHBOARD, mode, customer_id)


def organisation(account):
    """A team organisation's name, members and pending invitations; for a
    person's account, the team organisations they are a member of."""
    if not account.is_team:
        return {"personal": True, "member_of": [
            {"id": item.key[len("org:"):], "name": item.name, "role": item.role}
            for item in MemberOf.query(account.user_id, MemberOf.key.startswith("org:"), consistent_read=True)]}
    members = [{"user_id": item.key[len("member:"):], "email": item.email, "role": item.role,
                "joined_at": item.joined_at}
               for item in Membership.query(account.user_id, Membership.key.startswith("member:"), consistent_read=True)]
    invitations = [{"email": item.email, "role": item.role, "valid_until": int(item.valid_until)}
                   for item in Invitation.query(account.user_id, Invitation.key.startswith("invite:"),
                                                consistent_read=True)]
    return {"personal": False, "name": account.org_name, "closed_at": account.closed_at,
            "members": members, "invitations": invitations}
