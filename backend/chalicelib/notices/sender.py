"""Sending what the outbox holds: the ledger table's stream hands each new
`email:` item to app.py's `send_emails` (a Lambda on the stream in AWS, the
local stack's poller offline), which calls `Sender.send` with the records.

For each item, once:

1. **Claim** it: `pending` → `sending` with a lease (one conditional
   UpdateItem). A redelivered record, or a second invocation at the same
   time, fails the condition and sends nothing; a lease left by a crash
   expires, and the retry sends.
2. **Decide**: read the account's address and opt-outs (one GetItem). No
   address → `skipped` (`no_address`); an optional kind the customer turned
   off → `skipped` (`opted_out`).
3. **Send** with SES v2 (`SendEmail`, simple content: subject, text and
   HTML, `List-Unsubscribe` on optional kinds), from the stage's sender.
4. **Mark** it `sent` with SES's message id (conditional on still holding
   the claim).

A send SES refuses for this message (`MessageRejected`, a bad request) marks
the item `failed` and is not retried; any other failure (throttling, the
network, DynamoDB) gives the claim back, is logged and counted, and makes
`send` raise once the batch is done, so the stream delivers the records
again. No line logged here holds an address: accounts and items are named by
their ids.
"""
import logging
import time

from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.platform import clock, db, logs, metrics
from chalicelib.platform.models import Account, EmailNotice, Membership, plain
import chalicelib.notices.outbox as outbox
import chalicelib.notices.preferences as preferences
import chalicelib.notices.templates as templates

logger = logging.getLogger("credits-saas")

LEASE_SECONDS = 120
# SES errors that will not change by sending the same message again.
REJECTED = frozenset({"MessageRejected", "BadRequestException", "InvalidParameterValue"})


class EmailsNotSent(Exception):
    """Some emails of the batch could not be sent now; retry the batch."""


class Busy(Exception):
    """Another invocation holds the item's claim."""


def outbox_insert(record):
    """(account id, item key) when `record` is the stream's record of a new
    outbox item, else None (the event source's filter passes only those; the
    check is repeated here for a mapping without it)."""
    if record.get("eventName") != "INSERT":
        return None
    keys = (record.get("dynamodb") or {}).get("Keys") or {}
    user_id, key = (keys.get("user_id") or {}).get("S"), (keys.get("key") or {}).get("S")
    if not user_id or not key or not key.startswith(outbox.PREFIX):
        return None
    return user_id, key


class Sender:
    def __init__(self, ses_client, sender_address, product, account_url, settings_url):
        self._ses = ses_client  # called with no argument: the SES v2 client, built on first use
        self._from = sender_address
        self._product = product
        self._account_url = account_url
        self._settings_url = settings_url

    def send(self, records):
        """Sends the email of every outbox item among the stream `records`."""
        outcomes, retry = {}, []
        for record in records:
            found = outbox_insert(record)
            if found is None:
                continue
            try:
                outcome = self.deliver(*found)
            except Exception as error:  # noqa: BLE001 - counted, and the batch is retried
                outcome = "retry"
                retry.append(found[1])
                logger.warning("email %s of account %s not sent yet: %s", found[1], found[0], _name(error))
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        logs.note(emails=outcomes)
        if retry:
            raise EmailsNotSent("%d email(s) to retry: %s" % (len(retry), ", ".join(retry)))
        return outcomes

    def deliver(self, user_id, key):
        """One item: `sent`, `skipped`, `failed` or `done` (someone else did it)."""
        now = int(time.time())
        item = self._claim(user_id, key, now)
        if item is None:
            return "done"
        attempt = int(item.attempts)
        kind = item.template
        account = _account(user_id)
        addresses = _addresses(account)
        reason = None
        if not addresses:
            reason = "no_address"
        elif templates.template(kind).optional and preferences.turned_off(account, kind):
            reason = "opted_out"
        if reason:
            self._finish(item, attempt, "skipped", outcome=reason)
            metrics.count("EmailsSkipped", reason=reason)
            return "skipped"
        try:
            message = templates.render(kind, plain(item.values), self._product, self._account_url,
                                       self._settings_url)
        except templates.MissingValue:
            logger.error("email %s of account %s cannot be rendered: its values do not fit template %s",
                         key, user_id, kind)
            self._finish(item, attempt, "failed", outcome="unrenderable")
            metrics.count("EmailSendFailures", reason="unrenderable")
            return "failed"
        try:
            message_id = self._send(addresses, message)
        except Exception as error:
            code = _name(error)
            metrics.count("EmailSendFailures", reason=code)
            if code in REJECTED:
                logger.warning("SES refused email %s of account %s: %s", key, user_id, code)
                self._finish(item, attempt, "failed", outcome="rejected")
                return "failed"
            self._release(item, attempt, code)
            raise
        self._finish(item, attempt, "sent", sent_at=clock.iso(), message_id=message_id)
        metrics.count("EmailsSent", kind=kind)
        return "sent"

    def send_now(self, address, kind, values):
        """Sends one email at once, not through the outbox: for a message
        whose values must not rest in a table (an invitation's one-time
        link). Raises when SES fails; the caller decides what that means.
        Returns SES's message id."""
        message = templates.render(kind, values, self._product, self._account_url, self._settings_url)
        try:
            message_id = self._send([address], message)
        except Exception as error:
            metrics.count("EmailSendFailures", reason=_name(error))
            raise
        metrics.count("EmailsSent", kind=kind)
        return message_id

    def _send(self, addresses, message):
        content = {
            "Subject": {"Data": message.subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": message.text, "Charset": "UTF-8"},
                     "Html": {"Data": message.html, "Charset": "UTF-8"}},
        }
        if message.headers:
            content["Headers"] = [{"Name": name, "Value": value} for name, value in message.headers.items()]
        response = self._ses().send_email(
            FromEmailAddress=self._from, Destination={"ToAddresses": list(addresses)},
            Content={"Simple": content}, EmailTags=[{"Name": "kind", "Value": message.kind}])
        return response.get("MessageId")

    # The item's states ----------------------------------------------------------

    @staticmethod
    def _claim(user_id, key, now):
        """The item, now `sending` under this invocation's lease; None when it
        is finished (or gone). Raises Busy while another lease holds it."""
        item = EmailNotice(user_id, key)
        free = (EmailNotice.state == "pending") | (
            (EmailNotice.state == "sending") & (EmailNotice.lease_until < now))
        try:
            item.update(actions=[EmailNotice.state.set("sending"), EmailNotice.lease_until.set(now + LEASE_SECONDS),
                                 EmailNotice.attempts.add(1)], condition=free)
        except UpdateError as error:
            if not db.is_condition_failure(error):
                raise
            try:
                current = EmailNotice.get(user_id, key, consistent_read=True)
            except DoesNotExist:
                return None
            if current.state == "sending":
                raise Busy("email %s is being sent by another invocation" % key)
            return None
        return item

    @staticmethod
    def _finish(item, attempt, state, **fields):
        actions = [EmailNotice.state.set(state), EmailNotice.lease_until.remove()]
        actions += [getattr(EmailNotice, name).set(value) for name, value in fields.items() if value is not None]
        try:
            item.update(actions=actions, condition=(EmailNotice.state == "sending")
                        & (EmailNotice.attempts == attempt))
        except UpdateError as error:
            if not db.is_condition_failure(error):
                raise
            logger.warning("email %s of account %s: the claim had passed on before it was marked %s",
                           item.key, item.user_id, state)

    @staticmethod
    def _release(item, attempt, code):
        """Gives the claim back after a failure worth retrying."""
        try:
            item.update(actions=[EmailNotice.state.set("pending"), EmailNotice.lease_until.remove(),
                                 EmailNotice.outcome.set("retrying: %s" % code)],
                        condition=(EmailNotice.state == "sending") & (EmailNotice.attempts == attempt))
        except Exception as error:  # noqa: BLE001 - the lease expires anyway
            logger.warning("email %s of account %s: could not release the claim: %s",
                           item.key, item.user_id, _name(error))


def _account(user_id):
    try:
        return Account.get(user_id, consistent_read=True,
                           attributes_to_get=["user_id", "email", "email_off", "on"])
    except DoesNotExist:
        return None


# Who hears about a team organisation's account: the roles that run its billing.
TEAM_RECIPIENTS = ("owner", "billing")


def _addresses(account):
    """Where the account's emails go: a person's own address; for a team
    organisation, its owners' and billing members' (one message to all)."""
    if account is None:
        return []
    if account.email:
        return [account.email]
    if not account.org_name:
        return []
    members = Membership.query(account.user_id, Membership.key.startswith("member:"), consistent_read=True)
    return sorted({member.email for member in members if member.role in TEAM_RECIPIENTS and member.email})


def _name(error):
    """A short, address-free name for an error: SES's or botocore's error
    code, else the exception's class (never its message, which may quote an
    address)."""
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        if code:
            return code
    return type(error).__name__
