"""What Lambda's event source mapping does in AWS, for the local stack and
the tests: read a DynamoDB table's stream from the emulator (DynamoDB
Streams `DescribeStream`, `GetShardIterator`, `GetRecords`), keep the
records the mapping's filter would pass, and hand them in batches to the
app's own handler (`app.send_emails`, a Chalice `on_dynamodb_record`
function), shaped as Lambda shapes them.

Like the mapping, a batch whose handler raises is handed over again (after
a pause that doubles, up to `MAX_ATTEMPTS` times, then dropped with a
message), and records are handed in stream order.

`make dev` starts one in the API process (`start_for_local_api`, called by
scripts/devstack/api_process.py), so that the handler runs with the API's
settings and its output is the API's; the tests make their own and call
`drain()` (tests/test_notices_sending.py).
"""
import datetime
import logging
import os
import threading
import time

logger = logging.getLogger("credits-saas.stream")

MAX_ATTEMPTS = 6
FIRST_PAUSE_SECONDS = 0.5


def matches(pattern, value):
    """Lambda's event-filter rules, the subset the app's filters use: a dict
    matches field by field; a list is the allowed values, each an exact
    value or `{"prefix": …}`."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            name in value and matches(rule, value[name]) for name, rule in pattern.items())
    if isinstance(pattern, list):
        return any(_allowed(rule, value) for rule in pattern)
    return pattern == value


def _allowed(rule, value):
    if isinstance(rule, dict) and set(rule) == {"prefix"}:
        return isinstance(value, str) and value.startswith(rule["prefix"])
    return rule == value


def as_lambda_record(record, stream_arn):
    """A GetRecords record as Lambda hands it to a function: the creation
    time in epoch seconds, the stream's ARN."""
    shaped = dict(record)
    dynamodb = dict(shaped.get("dynamodb") or {})
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime.datetime):
        if created.tzinfo is None:
            created = created.replace(tzinfo=datetime.timezone.utc)
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    shaped["dynamodb"] = dynamodb
    shaped["eventSourceARN"] = stream_arn
    return shaped


class StreamPoller:
    """Reads `table_name`'s stream (`clients`: see `clients()`) and calls `handler({"Records": […]}, None)`
    with the records matching `pattern`, at most `batch_size` at a time.
    `start` is where reading begins: "LATEST" (what is written from now on)
    or "TRIM_HORIZON" (everything the stream holds)."""

    def __init__(self, clients, table_name, handler, pattern=None, batch_size=10, start="LATEST",
                 sleep=time.sleep):
        self._clients = clients
        self._table = table_name
        self._handler = handler
        self._pattern = pattern
        self._batch_size = batch_size
        self._sleep = sleep
        self._stop = threading.Event()
        self._thread = None
        self._lock = threading.Lock()
        self.handed = 0
        self.dropped = 0
        self.stream_arn = None
        self._iterators = {}
        self._open(start)

    def _open(self, start):
        table = self._clients.dynamodb.describe_table(TableName=self._table)["Table"]
        self.stream_arn = table.get("LatestStreamArn")
        if not self.stream_arn:
            raise RuntimeError("table %s has no stream" % self._table)
        for shard in self._shards():
            self._iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard["ShardId"], ShardIteratorType=start)["ShardIterator"]

    @property
    def _streams(self):
        return self._clients.streams

    def _shards(self):
        return self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"]

    def poll_once(self):
        """Reads what the stream has now and hands the matching records over;
        returns how many records were handed."""
        with self._lock:
            handed = 0
            for shard in self._shards():
                if shard["ShardId"] not in self._iterators:  # a shard opened since: from its start
                    self._iterators[shard["ShardId"]] = self._streams.get_shard_iterator(
                        StreamArn=self.stream_arn, ShardId=shard["ShardId"],
                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for shard_id, iterator in list(self._iterators.items()):
                if iterator is None:
                    continue
                answer = self._streams.get_records(ShardIterator=iterator, Limit=1000)
                self._iterators[shard_id] = answer.get("NextShardIterator")
                records = [as_lambda_record(record, self.stream_arn) for record in answer.get("Records", [])]
                kept = [record for record in records if self._pattern is None or matches(self._pattern, record)]
                for start in range(0, len(kept), self._batch_size):
                    batch = kept[start:start + self._batch_size]
                    self._hand_over(batch)
                    handed += len(batch)
            self.handed += handed
            return handed

    def _hand_over(self, batch):
        pause = FIRST_PAUSE_SECONDS
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                self._handler({"Records": batch}, None)
                return
            except Exception as error:  # noqa: BLE001 - the handler said: deliver again
                if attempt == MAX_ATTEMPTS or self._stop.is_set():
                    self.dropped += len(batch)
                    logger.error("stream %s: dropped a batch of %d record(s) after %d attempts: %s",
                                 self._table, len(batch), attempt, type(error).__name__)
                    return
                logger.warning("stream %s: the handler failed (%s); delivering the batch again in %.1f s",
                               self._table, type(error).__name__, pause)
                self._sleep(pause)
                pause *= 2

    def drain(self, rounds=20):
        """Polls until a round hands nothing over; returns the records handed."""
        total = 0
        for _ in range(rounds):
            handed = self.poll_once()
            total += handed
            if not handed:
                break
        return total

    # In the background ---------------------------------------------------------

    def start(self, interval=0.25):
        def run():
            while not self._stop.is_set():
                try:
                    self.poll_once()
                except Exception as error:  # noqa: BLE001 - the emulator going away at the end, say
                    if not self._stop.is_set():
                        logger.warning("stream %s: polling failed: %s", self._table, type(error).__name__)
                self._stop.wait(interval)

        self._thread = threading.Thread(target=run, name="stream-%s" % self._table, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)


class Clients:
    """The two boto3 clients a poller needs (DynamoDB for the table's stream
    ARN, DynamoDB Streams for the records)."""

    def __init__(self, dynamodb, streams):
        self.dynamodb, self.streams = dynamodb, streams


def clients(region=None, endpoint_url=None):
    import boto3

    region = region or os.environ.get("REGION") or os.environ.get("AWS_DEFAULT_REGION")
    endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL")
    return Clients(boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url),
                   boto3.client("dynamodbstreams", region_name=region, endpoint_url=endpoint_url))


def event_sources(chalice_app, app_module):
    """(table name, handler, batch size) for each `on_dynamodb_record`
    function of the app: the table is named in its stream ARN."""
    found = []
    for source in chalice_app.event_sources:
        stream_arn = getattr(source, "stream_arn", None)
        if not stream_arn:
            continue
        table = stream_arn.split(":table/", 1)[1].split("/stream/", 1)[0]
        handler = getattr(app_module, source.handler_string.rsplit(".", 1)[1])
        found.append((table, handler, source.batch_size))
    return found


def pollers_for(chalice_app, app_module, pattern, aws=None, start="LATEST"):
    """A poller for each stream the app's handlers read, with `pattern`."""
    aws = aws or clients()
    return [StreamPoller(aws, table, handler, pattern=pattern, batch_size=batch_size, start=start)
            for table, handler, batch_size in event_sources(chalice_app, app_module)]


def start_for_local_api(project_dir, stage, wait_seconds=60):
    """In the `chalice local` process: load the app as Chalice will (the
    stage's environment applied), then, in a thread, wait for the tables
    (make dev creates them while the API starts) and poll their streams from
    their beginning (the stack starts empty) for as long as the process runs."""
    import importlib

    from chalice.cli.factory import CLIFactory

    # As `chalice local` does: the stage's variables into this process's
    # environment, then app.py imported (once: Chalice finds it imported).
    config = CLIFactory(project_dir, environ=os.environ).create_config_obj(chalice_stage_name=stage)
    chalice_app = config.chalice_app
    app_module = importlib.import_module("app")
    from chalicelib.notices.outbox import STREAM_FILTER  # the app's own filter, as the deploy sets it

    def run():
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                pollers = pollers_for(chalice_app, app_module, STREAM_FILTER, start="TRIM_HORIZON")
                break
            except Exception as error:  # noqa: BLE001 - the table is not there yet
                if time.monotonic() > deadline:
                    logger.error("no stream to poll: %s", error)
                    return
                time.sleep(0.5)
        for poller in pollers:
            poller.start()

    threading.Thread(target=run, name="stream-pollers", daemon=True).start()
