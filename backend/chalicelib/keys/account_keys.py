"""An account's API keys: up to `settings.max_api_keys()`, each with a name,
a prefix, a creation time, a last-use date and an optional rate limit.

Two places hold a key (docs/data-model.md): its slot on the account item,
`k.<id> = {"h": verifier, "p": window seconds, "q": times}`, which is all the
metered call reads and writes; and an `ApiKeyRecord` in the ledger table with
what people see (name, prefix, creation time, limit). Every change writes
both in one transaction, so a revoked key fails the very next metered call.
"""
import datetime
import re

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import size
from pynamodb.transactions import TransactWrite

import chalicelib.keys.key_format as key_format
import chalicelib.keys.rate_limits as rate_limits
from chalicelib.platform import clock, db, names, settings
from chalicelib.platform.errors import BadRequest, Conflict, NotFound
from chalicelib.platform.models import Account, ApiKeyRecord, KeyRequest
from chalicelib.keys.rate_limits import RateLimit

RECORD_PREFIX = "apikey:"
REQUEST_PREFIX = "keyreq:"
DEFAULT_NAME = "Default"
MAX_NAME_CHARS = 60
KEY_ID = re.compile(r"[0-9a-f]{%d}" % key_format.ID_CHARS)
IDEMPOTENCY_SECONDS = 24 * 3600
MAX_ATTEMPTS = 5
UNCHANGED = object()


def parse_name(raw):
    """1-60 characters, not blank, no control, format or private-use characters
    (chalicelib.platform.names, as the OpenAPI document states); trimmed."""
    if not names.valid_name(raw, MAX_NAME_CHARS):
        raise BadRequest("name must be 1-%d printable characters." % MAX_NAME_CHARS, code="invalid_name")
    return raw.strip()


def parse_new_key(body):
    """`POST /keys` body: (name, RateLimit or None)."""
    unknown = set(body) - {"name", "rate_limit"}
    if unknown:
        raise BadRequest("Unknown field %s; send name and rate_limit." % sorted(unknown)[0][:40],
                         code="invalid_json")
    return parse_name(body.get("name")), RateLimit.parse(body.get("rate_limit"))


def parse_changes(body):
    """`PATCH /keys/{id}` body: name and/or rate_limit (null removes the limit)."""
    unknown = set(body) - {"name", "rate_limit"}
    if unknown or not body:
        raise BadRequest("Send name and/or rate_limit.", code="invalid_json")
    name = parse_name(body["name"]) if "name" in body else UNCHANGED
    limit = RateLimit.parse(body["rate_limit"]) if "rate_limit" in body else UNCHANGED
    return name, limit


def slot_value(verifier, limit, times=()):
    """A key's slot on the account item, in DynamoDB's wire format."""
    return {"M": {"h": {"S": verifier}, "p": {"N": str(rate_limits.window_seconds(limit))},
                  "q": {"L": [{"N": str(t)} for t in rate_limits.times_for(limit, times)]}}}


def slots_of(account):
    return plain_slots(account.api_keys)


def plain_slots(raw):
    """{key id: {"h", "p", "q"}} from the account item's `k`."""
    if raw is None:
        return {}
    slots = raw.as_dict() if hasattr(raw, "as_dict") else dict(raw)
    return {key_id: dict(slot.as_dict() if hasattr(slot, "as_dict") else slot) for key_id, slot in slots.items()}


class ApiKeys:
    def __init__(self, max_keys=None):
        self._max_keys = max_keys

    @property
    def max_keys(self):
        return self._max_keys or settings.max_api_keys()

    # Reading ---------------------------------------------------------------

    def list(self, account):
        """The account's keys, oldest first, without secrets."""
        account = self.migrated(account)
        slots = slots_of(account)
        records = ApiKeyRecord.query(account.user_id, ApiKeyRecord.key.startswith(RECORD_PREFIX),
                                     consistent_read=True)
        views = [view(record, slots[record.key[len(RECORD_PREFIX):]]) for record in records
                 if record.key[len(RECORD_PREFIX):] in slots]
        return sorted(views, key=lambda key: (key["created_at"], key["id"]))

    @staticmethod
    def record_item(user_id, key_id):
        """The key's record as an unsaved item (to delete in a transaction)."""
        return ApiKeyRecord(user_id, RECORD_PREFIX + key_id)

    def record(self, user_id, key_id):
        if not KEY_ID.fullmatch(key_id or ""):
            raise _not_found()
        try:
            return ApiKeyRecord.get(user_id, RECORD_PREFIX + key_id, consistent_read=True)
        except DoesNotExist:
            raise _not_found()

    # Creating --------------------------------------------------------------

    def create(self, account, name, limit, request_key=None, created_by=None, guard=None):
        """A new key: (its view with the full key, False), or for a repeated
        Idempotency-Key (the key that request created, without its secret, True).
        `guard`, (model, hash key, range key, condition, error): a condition
        checked in the same transaction (the creator still a member), whose
        failure raises `error`."""
        account = self.migrated(account)
        for _ in range(MAX_ATTEMPTS):
            key = key_format.ApiKey.generate(account.user_id)
            record = self._new_record(key, name, limit, created_by=created_by)
            try:
                with db.Transaction() as transaction:
                    if request_key is not None:
                        transaction.save(*self._request_record(account.user_id, request_key, key, name))
                    transaction.save(record, condition=ApiKeyRecord.key.does_not_exist())
                    transaction.update(Account(account.user_id), actions=[
                        Account.api_keys[key.id].set(slot_value(key.verifier, limit))],
                        condition=Account.api_keys[key.id].does_not_exist() & (
                            size(Account.api_keys) < self.max_keys))
                    if guard is not None:
                        transaction.condition_check(guard[0], guard[1], guard[2], condition=guard[3])
            except TransactWriteError as error:
                codes = transaction.codes(error)
                if guard is not None and codes[-1:] == ["ConditionalCheckFailed"]:
                    raise guard[4]
                if request_key is not None and codes[:1] == ["ConditionalCheckFailed"]:
                    return self._replay(account.user_id, request_key, name), True
                if "ConditionalCheckFailed" not in codes:
                    raise
                if len(slots_of(self._fresh(account.user_id))) >= self.max_keys:
                    raise Conflict("An account can have at most %d API keys; revoke one first."
                                   % self.max_keys, code="too_many_keys")
                continue  # the new id met an existing one: another key
            created = dict(view(record, {}), key=key.value)
            del created["last_used_at"]  # never used yet
            return created, False
        raise Conflict("Could not create a key; try again.", code="conflict")

    def _new_record(self, key, name, limit, created_at=None, created_by=None):
        return ApiKeyRecord(key.user_id, RECORD_PREFIX + key.id, name=name, prefix=key.display_prefix,
                            created_at=created_at or clock.iso(), created_by=created_by,
                            limit_requests=limit.requests if limit else None,
                            limit_per=limit.per if limit else None)

    def _request_record(self, user_id, request_key, key, name):
        now = clock.now()
        record = KeyRequest(user_id, REQUEST_PREFIX + request_key, key_id=key.id, name=name,
                            expires_at=now + datetime.timedelta(seconds=IDEMPOTENCY_SECONDS))
        return record, KeyRequest.key.does_not_exist() | (KeyRequest.expires_at < now)

    def _replay(self, user_id, request_key, name):
        request = KeyRequest.get(user_id, REQUEST_PREFIX + request_key, consistent_read=True)
        if request.name != name:
            raise Conflict("This Idempotency-Key created another key; use a new key for another request.",
                           code="idempotency_key_reused")
        slots = slots_of(self._fresh(user_id))
        if request.key_id not in slots:
            raise Conflict("The key this request created has been revoked.", code="conflict")
        return view(self.record(user_id, request.key_id), slots[request.key_id])

    # Changing --------------------------------------------------------------

    def update(self, account, key_id, name=UNCHANGED, limit=UNCHANGED):
        """Rename a key and/or change its limit; the limit applies from the next call."""
        account = self.migrated(account)
        record = self.record(account.user_id, key_id)
        slot = slots_of(account).get(key_id)
        if slot is None:
            raise _not_found()
        record_actions = []
        account_actions = [Account.api_keys[key_id]["h"].set(slot["h"])]  # the key still exists
        if name is not UNCHANGED:
            record_actions.append(ApiKeyRecord.name.set(name))
        if limit is not UNCHANGED:
            record_actions += [ApiKeyRecord.limit_requests.set(limit.requests if limit else None),
                               ApiKeyRecord.limit_per.set(limit.per if limit else None)]
            account_actions = [Account.api_keys[key_id].set(slot_value(slot["h"], limit, slot.get("q") or []))]
        try:
            with TransactWrite(connection=db.connection()) as transaction:
                transaction.update(record, actions=record_actions, condition=ApiKeyRecord.key.exists())
                transaction.update(Account(account.user_id), actions=account_actions,
                                   condition=Account.api_keys[key_id]["h"] == slot["h"])
        except TransactWriteError as error:
            if "ConditionalCheckFailed" in db.cancellation_codes(error):
                raise _not_found()
            raise
        fresh = self._fresh(account.user_id)
        return view(self.record(account.user_id, key_id), slots_of(fresh).get(key_id, slot))

    def revoke(self, account, key_id):
        """The key stops working with this write; the account's others keep working."""
        account = self.migrated(account)
        record = self.record(account.user_id, key_id)
        try:
            with TransactWrite(connection=db.connection()) as transaction:
                transaction.update(Account(account.user_id), actions=[Account.api_keys[key_id].remove()],
                                   condition=Account.api_keys[key_id].exists())
                transaction.delete(record)
        except TransactWriteError as error:
            if "ConditionalCheckFailed" in db.cancellation_codes(error):
                raise _not_found()
            raise

    def revoke_all(self, user_id, actions=()):
        """Every key of the account stops with one write (emptying the map
        also stops a key made meanwhile, and an older account's single key
        goes too), with `actions` on the account; then their records go.
        Safe to repeat."""
        Account(user_id).update(actions=[Account.api_keys.set({}), Account.api_key_hash.remove(), *actions])
        for record in ApiKeyRecord.query(user_id, ApiKeyRecord.key.startswith(RECORD_PREFIX)):
            record.delete()

    def rotate_first(self, account):
        """`POST /generate-key`: the oldest key replaced by a new one (same
        name, limit and creation time, a new id); a Default key if there is none."""
        for _ in range(MAX_ATTEMPTS):
            keys_now = self.list(account)
            if not keys_now:
                return self.create(account, DEFAULT_NAME, None)[0]["key"]
            value = self._rotate(account.user_id, keys_now[0]["id"])
            if value is not None:
                return value
            account = self._fresh(account.user_id)
        raise Conflict("Could not create a key; try again.", code="conflict")

    def _rotate(self, user_id, key_id):
        """The new key, or None when the old one changed meanwhile."""
        old = self.record(user_id, key_id)
        slot = slots_of(self._fresh(user_id)).get(key_id)
        key = key_format.ApiKey.generate(user_id)
        if slot is None or key.id == key_id:
            return None
        limit = RateLimit.stored(old.limit_requests, old.limit_per)
        record = self._new_record(key, old.name, limit, created_at=old.created_at, created_by=old.created_by)
        try:
            with TransactWrite(connection=db.connection()) as transaction:
                transaction.update(Account(user_id), actions=[
                    Account.api_keys[key_id].remove(),
                    Account.api_keys[key.id].set(slot_value(key.verifier, limit, slot.get("q") or []))],
                    condition=(Account.api_keys[key_id]["h"] == slot["h"]) & Account.api_keys[key.id].does_not_exist())
                transaction.delete(old)
                transaction.save(record, condition=ApiKeyRecord.key.does_not_exist())
        except TransactWriteError as error:
            if "ConditionalCheckFailed" not in db.cancellation_codes(error):
                raise
            return None
        return key.value

    # The single key of older accounts -------------------------------------

    def migrated(self, account):
        """The account with its keys in `k`. An account from before named
        keys has one key in `api_key_*`: it becomes the key "Default" (same
        key, same hash) in one transaction; racing migrations are harmless."""
        if account.api_keys is not None and account.api_key_hash is None:
            return account
        migrate(account)
        return self._fresh(account.user_id)

    def _fresh(self, user_id):
        return Account.get(user_id, consistent_read=True)


def migrate(account):
    """Moves the single key of an account from before named keys into `k`.
    Returns False when another migration got there first."""
    legacy = account.api_key_hash
    if legacy is None:
        actions = [Account.api_keys.set({"M": {}})]
        condition = Account.api_keys.does_not_exist()
        try:
            Account(account.user_id).update(actions=actions, condition=condition)
        except Exception as error:  # noqa: BLE001 - re-raised unless another migration won
            if not db.is_condition_failure(error):
                raise
            return False
        return True
    key_id = key_format.key_id(legacy)
    record = ApiKeyRecord(account.user_id, RECORD_PREFIX + key_id, name=DEFAULT_NAME,
                          prefix=account.api_key_prefix or "ak_",
                          created_at=account.api_key_created_at or account.created_at)
    try:
        with TransactWrite(connection=db.connection()) as transaction:
            transaction.update(Account(account.user_id), actions=[
                Account.api_keys.set({"M": {key_id: slot_value(key_format.verifier(legacy), None)}}),
                Account.api_key_hash.remove(), Account.api_key_prefix.remove(),
                Account.api_key_created_at.remove(),
            ], condition=(Account.api_key_hash == legacy))
            transaction.save(record)
    except TransactWriteError as error:
        if "ConditionalCheckFailed" not in db.cancellation_codes(error):
            raise
        return False
    return True


def view(record, slot):
    """A key as the API shows it (never its secret)."""
    limit = RateLimit.stored(record.limit_requests, record.limit_per)
    return {
        "id": record.key[len(RECORD_PREFIX):],
        "name": record.name,
        "prefix": record.prefix,
        "created_at": record.created_at,
        "last_used_at": rate_limits.last_used(slot.get("q")),
        "rate_limit": limit.view() if limit else None,
        "created_by": record.created_by,
    }


def _not_found():
    return NotFound("No API key with this id on your account.", code="not_found")
