"""Business counters the operators' summary reads instead of scanning the
ledger: per UTC day, how many ledger entries of each kind were written and
how many credits they moved (`stats` / `day:<YYYY-MM-DD>` in the ledger
table), and the daily usage moved off account items (`stats` /
`spent:<YYYY-MM>`, one number per day, added in the same transaction as the
move — chalicelib.credits.usage).

The day counter is one UpdateItem after the entry's transaction succeeded,
not a part of it: a hot item in every grant's transaction would turn busy
webhooks into transaction conflicts. The cost is that a crash between the
two writes misses one count; the ledger itself stays exact.
"""
import logging

from chalicelib.platform import db, settings

PARTITION = "stats"
DAY_PREFIX = "day:"
SPENT_PREFIX = "spent:"

logger = logging.getLogger("credits-saas")


def count_entry(kind, credits, day):
    """Adds one entry of `kind` moving `credits` to the day's counter. Never
    raises: the entry is written, this is bookkeeping."""
    try:
        db.connection().client.update_item(
            TableName=settings.ledger_table(),
            Key={"user_id": {"S": PARTITION}, "key": {"S": DAY_PREFIX + day}},
            UpdateExpression="ADD #count :one, #credits :credits",
            ExpressionAttributeNames={"#count": kind + "_count", "#credits": kind + "_credits"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":credits": {"N": str(int(credits))}},
        )
    except Exception:  # noqa: BLE001 - see the module's docstring
        logger.warning("day counter not updated for a %s entry", kind, exc_info=True)


def spent_update(counts):
    """TransactWriteItems updates adding moved usage (day -> credits) to the
    month counters."""
    by_month = {}
    for day, value in counts.items():
        by_month.setdefault(day[:7], {})[day] = int(value)
    items = []
    for month, days in sorted(by_month.items()):
        ordered = sorted(days)
        items.append({"Update": {
            "TableName": settings.ledger_table(),
            "Key": {"user_id": {"S": PARTITION}, "key": {"S": SPENT_PREFIX + month}},
            "UpdateExpression": "ADD " + ", ".join("#d%d :v%d" % (i, i) for i in range(len(ordered))),
            "ExpressionAttributeNames": {"#d%d" % i: day for i, day in enumerate(ordered)},
            "ExpressionAttributeValues": {":v%d" % i: {"N": str(days[day])} for i, day in enumerate(ordered)},
        }})
    return items


def read(first_day, last_day):
    """(kinds by day, spent by day) between two ISO days, from two queries."""
    kinds, spent = {}, {}
    for item in _query(DAY_PREFIX + first_day, DAY_PREFIX + last_day):
        day = item["key"]["S"][len(DAY_PREFIX):]
        kinds[day] = {name: int(value["N"]) for name, value in item.items() if "N" in value}
    for item in _query(SPENT_PREFIX + first_day[:7], SPENT_PREFIX + last_day[:7]):
        for name, value in item.items():
            if "N" in value and first_day <= name <= last_day:
                spent[name] = spent.get(name, 0) + int(value["N"])
    return kinds, spent


def _query(low, high):
    client = db.connection().client
    arguments = dict(
        TableName=settings.ledger_table(), ConsistentRead=True,
        KeyConditionExpression="user_id = :partition AND #key BETWEEN :low AND :high",
        ExpressionAttributeNames={"#key": "key"},
        ExpressionAttributeValues={":partition": {"S": PARTITION}, ":low": {"S": low}, ":high": {"S": high}})
    while True:
        response = client.query(**arguments)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]
