"""Counts the app's own DynamoDB calls on the local stack: requests, and the
read and write units DynamoDB would bill for them.

A botocore hook on each of the app's DynamoDB clients sees every call; the
meter finds the clients through pynamodb's request signal. The emulator
answers ReturnConsumedCapacity with a constant, not by size, so units are
computed from item sizes
(item_size.py): a write is billed on the larger of the item before
and after it (read from the emulator, which runs in this process, without a
request of its own), a read on what it returned. Used by `make bench`,
`make cost` and tests/test_measure_cost_model.py.
"""
import collections
import contextlib
import itertools
import os

from scripts.measure import item_size

WRITES = {"PutItem": "Item", "UpdateItem": "Key", "DeleteItem": "Key"}
Call = collections.namedtuple("Call", "operation tables write_units read_units error")
_ids = itertools.count()


def emulator_item(table_name, key):
    """The item as the in-process emulator holds it, in wire format (None if absent)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ.get("REGION", "us-east-1")]
    table = backend.get_table(table_name)
    key = {name: key[name] for name in (table.hash_key_attr, table.range_key_attr) if name}
    item = backend.get_item(table_name, key)
    return item.to_json()["Attributes"] if item is not None else None


def index_write_units(table_name, before, after):
    """Local secondary indexes are written (and billed) with the item when it
    carries the index's sort key: the new entry, and the old one's removal."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][os.environ.get("REGION", "us-east-1")].get_table(table_name)
    units = 0
    if before == after:
        return units
    for index in table.indexes:
        sort_key = [part["AttributeName"] for part in index.schema if part["KeyType"] == "RANGE"][0]
        if after and sort_key in after:
            units += item_size.write_units(item_size.item_size(after))
        if before and sort_key in before and (not after or before.get(sort_key) != after.get(sort_key)):
            units += 1
    return units


def written_items(operation, params):
    """(table, key-or-item, transactional) for each item a write touches."""
    if operation in WRITES:
        return [(params["TableName"], params[WRITES[operation]], False)]
    if operation == "TransactWriteItems":
        touched = []
        for action in params["TransactItems"]:
            (kind, body), = action.items()
            touched.append((body["TableName"], body.get("Item") or body["Key"], True))
        return touched
    if operation == "BatchWriteItem":
        return [(table, (request.get("PutRequest") or {}).get("Item") or request["DeleteRequest"]["Key"], False)
                for table, requests in params["RequestItems"].items() for request in requests]
    return []


def read_cost(operation, params, parsed):
    """Read units of a call from what it returned (0 for writes)."""
    consistent = bool(params.get("ConsistentRead"))
    if operation == "GetItem":
        return item_size.read_units(item_size.item_size(parsed.get("Item")), consistent)
    if operation in ("Query", "Scan"):
        return item_size.read_units(sum(item_size.item_size(item) for item in parsed.get("Items", [])), consistent)
    if operation == "TransactGetItems":
        return sum(2 * item_size.read_units(item_size.item_size(response.get("Item")))
                   for response in parsed.get("Responses", []))
    if operation == "BatchGetItem":
        return sum(item_size.read_units(item_size.item_size(item), consistent)
                   for items in parsed.get("Responses", {}).values() for item in items)
    return 0


class DynamoDBMeter:
    """Attach to botocore clients; `calls` lists every call made since."""

    def __init__(self, lookup=emulator_item):
        self.calls = []
        self._lookup = lookup
        self._attached = []
        self._id = "dynamodb-meter-%d" % next(_ids)

    def attach(self, clients):
        for client in clients:
            if any(client is seen for seen in self._attached):
                continue
            client.meta.events.register("before-parameter-build.dynamodb.*", self._before,
                                        unique_id=self._id + "-before")
            client.meta.events.register("after-call.dynamodb.*", self._after, unique_id=self._id + "-after")
            self._attached.append(client)
        return self

    def follow_pynamodb(self):
        """Attach to each client pynamodb sends a request with, before the
        request is built: pynamodb announces every request through its public
        `pre_dynamodb_send` signal, with the connection as the sender."""
        from pynamodb.signals import pre_dynamodb_send

        pre_dynamodb_send.connect(self._on_pynamodb_request, weak=False)
        return self

    def _on_pynamodb_request(self, connection, **_):
        self.attach([connection.client])

    def detach(self):
        from pynamodb.signals import pre_dynamodb_send

        pre_dynamodb_send.disconnect(self._on_pynamodb_request)
        for client in self._attached:
            client.meta.events.unregister("before-parameter-build.dynamodb.*", unique_id=self._id + "-before")
            client.meta.events.unregister("after-call.dynamodb.*", unique_id=self._id + "-after")
        self._attached = []

    def _before(self, params, model, context, **_):
        context["meter_before"] = [(table, key, transactional, self._lookup(table, key))
                                   for table, key, transactional in written_items(model.name, params)]
        context["meter_params"] = params

    def _after(self, parsed, model, context, **_):
        write_units = 0
        tables = set()
        for table, key, transactional, before in context.pop("meter_before", []):
            after = self._lookup(table, key)
            units = item_size.write_units(max(item_size.item_size(before), item_size.item_size(after)))
            write_units += (2 if transactional else 1) * units + index_write_units(table, before, after)
            tables.add(table)
        params = context.pop("meter_params", {})
        if params.get("TableName"):
            tables.add(params["TableName"])
        error = (parsed.get("Error") or {}).get("Code")
        self.calls.append(Call(model.name, tuple(sorted(tables)), write_units,
                               read_cost(model.name, params, parsed), error))

    @contextlib.contextmanager
    def measure(self):
        """The calls made inside the block, as a Tally."""
        start = len(self.calls)
        tally = Tally()
        yield tally
        tally.calls.extend(self.calls[start:])


class Tally:
    def __init__(self, calls=()):
        self.calls = list(calls)

    @property
    def requests(self):
        return len(self.calls)

    @property
    def write_units(self):
        return sum(call.write_units for call in self.calls)

    @property
    def read_units(self):
        return sum(call.read_units for call in self.calls)

    def operations(self):
        return collections.Counter(call.operation for call in self.calls)


def attached_to_app():
    """A meter on every DynamoDB client the app uses, also those it builds
    later (a model's first use, a table connection, a transaction)."""
    return DynamoDBMeter().follow_pynamodb()
