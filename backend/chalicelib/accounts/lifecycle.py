"""Accounts: created once per confirmed Cognito user, whichever comes first of
the post-confirmation trigger and the user's first authenticated request."""
from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.platform import clock, db, metrics, settings
from chalicelib.platform.errors import Unauthorized
from chalicelib.platform.models import Account, LedgerEntry, Thresholds
from chalicelib.credits.thresholds import default_threshold
from chalicelib.accounts.suspension import suspension


class Accounts:
    def __init__(self, plans, steps=(), schedule=None):
        self._plans = plans
        self._steps = list(steps)
        self._schedule = schedule  # chalicelib.accounts.resets.ResetSchedule, for next_reset_at

    def get(self, user_id):
        try:
            return Account.get(user_id, consistent_read=True)
        except DoesNotExist:
            return None

    def ensure(self, user_id, email=None):
        """The account, created or completed if a provisioning step is missing."""
        account = self.get(user_id)
        if account is not None and account.deleted_at:
            raise Unauthorized("This account was deleted.", code="account_deleted")
        if account is not None and account.deletion_started_at:
            return account  # being deleted: nothing is provisioned again (chalicelib.privacy)
        if account is None or any(step.needed(account) for step in self._steps):
            account = self.provision(user_id, email)
        return account

    def provision(self, user_id, email=None):
        if not user_id:
            raise Unauthorized("The token has no subject.")
        self._create(user_id, email)
        for step in self._steps:
            account = self.get(user_id)
            if step.needed(account):
                step.run(account)
        return self.get(user_id)

    def _create(self, user_id, email):
        """Account (with no API key yet: the customer creates them) and the
        Free grant in one transaction; a second call finds the account and
        changes nothing."""
        allowance = self._plans.allowance(settings.FREE_PLAN)
        now = clock.iso()
        account = Account(
            user_id, email=email, created_at=now, plan=settings.FREE_PLAN,
            credits=allowance, purchased_credits=0, usage={}, api_keys={},
            thresholds=Thresholds(low_balance_default=default_threshold(allowance)),
        )
        grant = LedgerEntry(user_id, "signup:%s" % user_id, at=now, kind="signup",
                            credits=allowance, description="Sign-up bonus",
                            reference="signup:%s" % user_id)
        try:
            with TransactWrite(connection=db.connection()) as transaction:
                transaction.save(account, condition=Account.user_id.does_not_exist())
                transaction.save(grant, condition=LedgerEntry.key.does_not_exist())
        except TransactWriteError as error:
            if "ConditionalCheckFailed" not in db.cancellation_codes(error):
                raise
            return
        metrics.count("SignUps")
        metrics.count("CreditsGranted", allowance, kind="signup")

    def view(self, account):
        subscription = None
        if account.subscription is not None:
            subscription = {
                "id": account.subscription.id,
                "plan": account.subscription.plan,
                "status": account.subscription.status,
                "current_period_end": _int_or_none(account.subscription.current_period_end),
                "cancel_at_period_end": bool(account.subscription.cancel_at_period_end),
                "action_url": account.subscription.action_url,
                "scheduled_change": None if not account.subscription.scheduled_plan else {
                    "plan": account.subscription.scheduled_plan,
                    "at": _int_or_none(account.subscription.scheduled_at)},
            }
        return {
            "id": account.user_id,
            "email": account.email,
            "plan": account.plan,
            "credits": int(account.credits),
            "owed_credits": max(0, -int(account.credits)),
            "plan_credits": account.plan_balance,
            "purchased_credits": account.purchased_balance,
            "subscription": subscription,
            "next_reset_at": self._schedule.next_reset_at(account) if self._schedule else None,
            "suspension": suspension(account),
        }


def _int_or_none(value):
    return None if value is None else int(value)
