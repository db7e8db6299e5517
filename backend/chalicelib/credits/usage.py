"""Daily usage: the recent days on the account item, older days in month items.

A metered call counts its credits in `usage.<day>` on the account item, in
the same write that spends (one request, no read). So that this item stays
under 1 KB (one write unit per metered call, docs/data-model.md), once it
holds more than DAYS_ON_ACCOUNT days every day but the newest moves to a
month item in the ledger table (`key` = `usage:<YYYY-MM>`, one number per
day). The move is one transaction: the days leave the account only if they
still hold the counts read, and are added to the month items in the same
write, so a count is never lost or counted twice, whatever races it or fails.
GET /usage adds the two up.
"""
import datetime
import logging

import chalicelib.credits.stats as stats
from chalicelib.platform import clock, db, settings
from chalicelib.platform.models import plain
from chalicelib.platform.query_params import whole_number

MAX_DAYS = 90
DEFAULT_DAYS = 30
DAYS_ON_ACCOUNT = 8
MONTH_KEY_PREFIX = "usage:"

logger = logging.getLogger("credits-saas")


def parse_days(raw):
    return whole_number(raw, "days", 1, MAX_DAYS, DEFAULT_DAYS)


def daily_usage(account, days, today=None):
    """One row per day, oldest first, zero where nothing was spent."""
    today = today or clock.today()
    first = today - datetime.timedelta(days=days - 1)
    counts = month_counts(account.user_id, first, today)
    for day, count in plain(account.usage).items():
        counts[day] = counts.get(day, 0) + int(count)
    rows = []
    for offset in range(days - 1, -1, -1):
        day = (today - datetime.timedelta(days=offset)).isoformat()
        rows.append({"date": day, "credits": counts.get(day, 0)})
    return rows


def month_key(day):
    return MONTH_KEY_PREFIX + day[:7]


def month_counts(user_id, first, last):
    """Day -> credits from the month items covering `first`..`last` (one query)."""
    response = db.connection().client.query(
        TableName=settings.ledger_table(), ConsistentRead=True,
        KeyConditionExpression="user_id = :user AND #key BETWEEN :first AND :last",
        ExpressionAttributeNames={"#key": "key"},
        ExpressionAttributeValues={":user": {"S": user_id}, ":first": {"S": month_key(first.isoformat())},
                                   ":last": {"S": month_key(last.isoformat())}},
    )
    counts = {}
    for item in response.get("Items", []):
        for name, value in item.items():
            if "N" in value:
                counts[name] = counts.get(name, 0) + int(value["N"])
    return counts


def days_to_move(counts):
    """Every day but the newest, once the account holds too many; else none."""
    if len(counts) <= DAYS_ON_ACCOUNT:
        return []
    return sorted(counts)[:-1]


def fits_on_account(counts):
    return not days_to_move(counts)


def move_older_days(user_id, counts):
    """Moves older days off the account item if it holds too many. Never
    raises: the spend that called it is done, and the next one tries again.
    Returns True when days were moved."""
    days = days_to_move(counts)
    if not days:
        return False
    client = db.connection().client
    try:
        client.transact_write_items(TransactItems=move_items(user_id, {d: counts[d] for d in days}))
    except client.exceptions.TransactionCanceledException:
        return False  # a spend or another move got there first: nothing moved
    except Exception:  # noqa: BLE001 - nothing moved, or all of it; the next spend retries
        logger.warning("usage of %s not moved this time", user_id, exc_info=True)
        return False
    return True


def move_items(user_id, counts):
    """The transaction: remove the days from the account if unchanged, add
    them to their month items."""
    names = {"#usage": "usage"}
    values = {}
    removes, conditions = [], []
    for index, (day, count) in enumerate(sorted(counts.items())):
        names["#d%d" % index] = day
        values[":v%d" % index] = {"N": str(int(count))}
        removes.append("#usage.#d%d" % index)
        conditions.append("#usage.#d%d = :v%d" % (index, index))
    items = [{"Update": {
        "TableName": settings.accounts_table(), "Key": {"user_id": {"S": user_id}},
        "UpdateExpression": "REMOVE " + ", ".join(removes),
        "ConditionExpression": " AND ".join(conditions),
        "ExpressionAttributeNames": names, "ExpressionAttributeValues": values,
    }}]
    by_month = {}
    for day, count in counts.items():
        by_month.setdefault(month_key(day), {})[day] = count
    items.extend(stats.spent_update(counts))
    for key, month in sorted(by_month.items()):
        month_names = {"#d%d" % i: day for i, day in enumerate(sorted(month))}
        items.append({"Update": {
            "TableName": settings.ledger_table(), "Key": {"user_id": {"S": user_id}, "key": {"S": key}},
            "UpdateExpression": "ADD " + ", ".join("#d%d :v%d" % (i, i) for i in range(len(month))),
            "ExpressionAttributeNames": month_names,
            "ExpressionAttributeValues": {":v%d" % i: {"N": str(int(month[day]))}
                                          for i, day in enumerate(sorted(month))},
        }})
    return items
