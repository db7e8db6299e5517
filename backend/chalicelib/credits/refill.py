"""Free-plan refill executions: one Step Functions execution per Free account
runs statemachine.asl.json, which grants the allowance every period without
any Lambda (docs/refill.md). This module starts, stops and restarts them.

The account item is the source of truth: `refill_execution` names the one
execution allowed to grant, and the state machine checks it in the same
conditional write that grants. Replacing or removing the name therefore stops
an old execution at its next period even if StopExecution never reaches it.
"""
import datetime
import hashlib
import json
import logging
import re
import time

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.platform import db, settings
from chalicelib.platform.models import Account

LOG = logging.getLogger("credits-saas")

PREFIX = "refill-"
NAME_LIMIT = 80                  # Step Functions execution names
HANDOVER_ROOM = 8                # "-<handover count>" appended on each handover
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# An execution lives at most a year and 25,000 history events; one period
# writes about 14 events, so both limits bound how many periods an execution
# grants before it hands over (docs/refill.md).
MAX_EXECUTION_SECONDS = 300 * 24 * 3600
MAX_PERIODS_PER_EXECUTION = 500
MAX_ATTEMPTS = 5
STOP_WAIT_SECONDS = 2.0
ENDED_EVENTS = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}


def safe_id(user_id):
    """The account id as it appears in execution names: as is when it is a
    UUID (Cognito subs are), else `_` and a hash. Both forms have a fixed
    length and the `_` keeps them apart, so `refill-<id>-<generation>[-<n>]`
    never names two accounts' executions alike."""
    if UUID.match(user_id):
        return user_id
    return "_" + hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:40]


def execution_name(user_id, generation):
    """`refill-<id>-<generation>`: deterministic, unique per account and
    generation, and short enough for the handover suffix."""
    name = "%s%s-%d" % (PREFIX, safe_id(user_id), generation)
    if len(name) > NAME_LIMIT - HANDOVER_ROOM:
        raise ValueError("Execution name too long: %s" % name)
    return name


def default_periods_per_execution(period_seconds):
    return max(1, min(MAX_PERIODS_PER_EXECUTION, MAX_EXECUTION_SECONDS // max(1, int(period_seconds))))


def default_client():
    import boto3  # imported on first use only: cold starts of other routes skip it
    return boto3.client("stepfunctions", region_name=settings.region(),
                        endpoint_url=settings.aws_endpoint_url())


class Refills:
    """Start, stop and restart the refill execution of an account.

    `sfn_client` is a Step Functions client, or a function returning one (so
    that building this object imports nothing heavy). `allowance_fn()` is the
    Free allowance granted each period."""

    def __init__(self, sfn_client, state_machine_arn, period_seconds, allowance_fn,
                 periods_per_execution=None):
        self._client = sfn_client
        self.state_machine_arn = state_machine_arn
        self.period_seconds = int(period_seconds)
        self._allowance_fn = allowance_fn
        self.periods_per_execution = int(periods_per_execution
                                         or default_periods_per_execution(self.period_seconds))

    @property
    def client(self):
        if callable(self._client) and not hasattr(self._client, "start_execution"):
            self._client = self._client()
        return self._client

    def execution_arn(self, name):
        parts = self.state_machine_arn.split(":")
        parts[5] = "execution"
        return ":".join(parts) + ":" + name

    def start(self, account, replace=True):
        """Record a new refill execution on the account, then start it. With
        `replace=False` an account that already has one keeps it. Returns the
        execution name, or None when the account does not exist or is a
        team organisation's."""
        user_id = account.user_id
        for _ in range(MAX_ATTEMPTS):
            current = _get(user_id)
            if current is None or current.is_team:  # the weekly Free refill is for personal organisations only
                return None
            if current.deletion_started_at:  # a person leaving: nothing more starts for them
                return None
            if not replace and current.refill_execution:
                return current.refill_execution
            generation = int(current.refill_generation or 0)
            period = int(current.refill_period or 0)
            name = execution_name(user_id, generation + 1)
            condition = (_unchanged(Account.refill_generation, generation)
                         & _unchanged(Account.refill_period, period))
            if not replace:
                condition = condition & Account.refill_execution.does_not_exist()
            try:
                Account(user_id).update(
                    actions=[Account.refill_generation.set(generation + 1),
                             Account.refill_execution.set(name),
                             Account.refill_started_at.set(time.time())],
                    condition=condition)
            except UpdateError as error:
                if db.is_condition_failure(error):
                    continue  # a concurrent start, stop or grant: read again
                raise
            self._start_execution(user_id, name, period + 1)
            return name
        raise RuntimeError("Could not record a refill execution for %s." % user_id)

    def stop(self, account):
        """The account stops naming an execution, so the current one ends at
        its next period whatever happens; StopExecution ends it now (best effort)."""
        try:
            response = db.table_connection(Account).update_item(
                account.user_id,
                actions=[Account.refill_execution.remove()],
                condition=Account.user_id.exists(),
                return_values="ALL_OLD",
            )
        except UpdateError as error:
            if db.is_condition_failure(error):
                return None  # no account, nothing runs for it
            raise
        old = response.get("Attributes", {}).get("refill_execution", {}).get("S")
        if old:
            self._stop_execution(old)
        return old

    def restart(self, account):
        """A fresh execution for an account back on the Free plan."""
        self.stop(account)
        return self.start(account, replace=True)

    def next_grant_at(self, account, now=None):
        """When the account's refill execution next grants (a UTC datetime),
        or None when it has none running. The execution waits one period
        before each grant, from its start, and `refill_period` on the account
        is the last period granted, so the next grant ends the wait number
        `refill_period - first period + 2` of this execution."""
        if not account.refill_execution:
            return None
        now = now or datetime.datetime.now(datetime.timezone.utc)
        client = self.client
        try:
            execution = client.describe_execution(executionArn=self.execution_arn(account.refill_execution))
        except client.exceptions.ExecutionDoesNotExist:
            return self._first_grant_of_starting_execution(account, now)
        if execution.get("status") != "RUNNING":
            return None
        started = json.loads(execution.get("input") or "{}")
        period_seconds = int(started.get("period_seconds") or self.period_seconds)
        granted_here = max(0, int(account.refill_period or 0) - int(started.get("period") or 1) + 1)
        moment = execution["startDate"] + datetime.timedelta(seconds=period_seconds * (granted_here + 1))
        while moment <= now:  # a grant is being written right now: the one after it
            moment += datetime.timedelta(seconds=period_seconds)
        return moment

    def _first_grant_of_starting_execution(self, account, now):
        """`start` records the execution on the account before it starts it,
        so a concurrent request (the account page asks for /user, /usage and
        /ledger at once after sign-up) can see a name Step Functions does not
        know yet. That execution grants one period after the recorded start.
        A recorded start over a period ago whose execution never appeared
        failed to start (or is a handover underway): unknown."""
        if not account.refill_started_at:
            return None
        moment = (datetime.datetime.fromtimestamp(float(account.refill_started_at), datetime.timezone.utc)
                  + datetime.timedelta(seconds=self.period_seconds))
        return moment if moment > now else None

    def execution_input(self, user_id, name, period):
        return {
            "user_id": user_id,
            "credits": int(self._allowance_fn()),
            "period_seconds": self.period_seconds,
            "period": period,
            "periods_per_execution": self.periods_per_execution,
            "lineage": name,
            "handover": 0,
        }

    def _start_execution(self, user_id, name, period):
        client = self.client
        try:
            client.start_execution(stateMachineArn=self.state_machine_arn, name=name,
                                   input=json.dumps(self.execution_input(user_id, name, period)))
        except client.exceptions.ExecutionAlreadyExists:
            pass  # started by an earlier attempt: the name is the idempotency key
        except Exception:
            self._forget(user_id, name)
            raise

    def _forget(self, user_id, name):
        """The execution could not start: unrecord it so provisioning tries again."""
        try:
            Account(user_id).update(actions=[Account.refill_execution.remove()],
                                    condition=Account.refill_execution == name)
        except Exception:  # noqa: BLE001 - the original error matters more
            LOG.exception("Could not unrecord refill execution %s", name)

    def _stop_execution(self, name):
        """Stop the execution once it is waiting for its next period. Once the
        account no longer names it, it cannot grant again, but a grant made
        just before may still be writing its ledger entry: stopping it then
        would lose that entry. If it stays busy it is left to end itself."""
        arn = self.execution_arn(name)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        try:
            while True:
                last = self._last_event(arn)
                if last in ENDED_EVENTS:
                    return
                if last == "WaitStateEntered":
                    self.client.stop_execution(
                        executionArn=arn, cause="The account left the Free plan or restarted its refill.")
                    return
                if time.monotonic() > deadline:
                    LOG.info("%s is busy; it ends itself at its next period", name)
                    return
                time.sleep(0.1)
        except Exception:  # noqa: BLE001 - best effort: the account no longer names it
            LOG.info("StopExecution of %s did not succeed", name, exc_info=True)

    def _last_event(self, arn):
        events = self.client.get_execution_history(executionArn=arn, reverseOrder=True,
                                                   maxResults=1)["events"]
        return max(events, key=lambda event: event["id"])["type"] if events else None


def _get(user_id):
    try:
        return Account.get(user_id, consistent_read=True)
    except DoesNotExist:
        return None


def _unchanged(attribute, value):
    """`attribute = value`, also true when the attribute was never written and
    `value` is the model default 0."""
    if value == 0:
        return (attribute == 0) | attribute.does_not_exist()
    return attribute == value
