"""DynamoDB item sizes and capacity units, by DynamoDB's published rules.

Items are in DynamoDB's wire format ({"name": {"S": "..."}}), as the low-level
API, botocore and the emulator's backend hold them. Rules
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html):
an item is the sum of its attribute names (UTF-8 bytes) and values; a string
is its UTF-8 length; a number about 1 byte per two significant digits plus 1;
binary its byte length; null and booleans 1 byte; a map or list 3 bytes plus
1 per element plus its elements (a map's keys count like attribute names).
A write unit covers 1 KB, a read unit 4 KB (strongly consistent; half for
eventually consistent reads); transactions cost twice.
"""
import base64
import math

WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096


def number_size(text):
    digits = str(text).lstrip("-").replace(".", "")
    significant = digits.split("e")[0].split("E")[0].strip("0") or "0"
    return math.ceil(len(significant) / 2) + 1


def value_size(value):
    (kind, content), = value.items()
    if kind == "S":
        return len(content.encode("utf-8"))
    if kind == "N":
        return number_size(content)
    if kind == "B":
        return len(content) if isinstance(content, bytes) else len(base64.b64decode(content))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(element.encode("utf-8")) for element in content)
    if kind == "NS":
        return sum(number_size(element) for element in content)
    if kind == "BS":
        return sum(value_size({"B": element}) for element in content)
    if kind == "M":
        return 3 + sum(len(name.encode("utf-8")) + value_size(element) + 1 for name, element in content.items())
    if kind == "L":
        return 3 + sum(value_size(element) + 1 for element in content)
    raise ValueError("unknown DynamoDB type %r" % kind)


def item_size(item):
    """Bytes DynamoDB counts for an item (0 for a missing one)."""
    return sum(len(name.encode("utf-8")) + value_size(value) for name, value in (item or {}).items())


def write_units(size):
    """Write units of a write touching an item of `size` bytes (at least 1)."""
    return max(1, math.ceil(size / WRITE_UNIT_BYTES))


def read_units(size, consistent=True):
    """Read units of reading `size` bytes (one item, or a query's total)."""
    units = max(1, math.ceil(size / READ_UNIT_BYTES))
    return units if consistent else units / 2
