"""What an UpdateItem answers with `ReturnValues: UPDATED_NEW`, as DynamoDB
answers it: every path that the update expression's SET, ADD and DELETE
actions name, as it is after the update, whether its value changed or not
(a REMOVE names nothing to answer). A nested path answers its fragment
(`SET a.b = :v` answers `{"a": {"M": {"b": …}}}`); an index past the end of
a list appended to it, so the list is answered whole.

moto compares the item before and after instead, so an attribute set to the
value it had is missing from its answer (docs/local-stack.md,
`dynamodb-updated-new`); scripts/devstack/emulator_fixes.py answers with
this.
"""
import re

# SET, REMOVE, ADD and DELETE are reserved words: never a bare attribute name
# (a placeholder such as `#set` is not a keyword).
CLAUSE = re.compile(r"(?<![#:\w])(SET|REMOVE|ADD|DELETE)(?!\w)", re.IGNORECASE)
ELEMENT = re.compile(r"\[\s*(\d+)\s*\]|([^.\[\]\s]+)")


def updated_paths(expression, names):
    """The paths (lists of map keys and list indexes) that the SET, ADD and
    DELETE actions of `expression` write, `#name` placeholders resolved."""
    parts = CLAUSE.split(expression or "")
    paths = []
    for keyword, actions in zip(parts[1::2], parts[2::2]):
        keyword = keyword.upper()
        if keyword == "REMOVE":
            continue
        for action in top_level_items(actions):
            target = action.split("=", 1)[0] if keyword == "SET" else action.split(None, 1)[0]
            paths.append(path_elements(target, names))
    return paths


def top_level_items(text):
    """`text` split at the commas outside parentheses, items stripped, empty ones dropped."""
    items, depth, start = [], 0, 0
    for position, character in enumerate(text):
        if character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif character == "," and depth == 0:
            items.append(text[start:position])
            start = position + 1
    items.append(text[start:])
    return [item.strip() for item in items if item.strip()]


def path_elements(path, names):
    elements = []
    for index, name in ELEMENT.findall(path):
        elements.append(int(index) if index else names.get(name, name))
    return elements


def project(attributes, paths):
    """The fragment of an item's attributes (wire format) that `paths` reach."""
    answer = {}
    for path in paths:
        fragment = _fragment({"M": attributes}, path)
        if fragment is not None:
            _merge(answer, fragment["M"])
    return answer


def updated_new(attributes, expression, names):
    """The UPDATED_NEW answer for an item whose attributes after the update are `attributes`."""
    return project(attributes, updated_paths(expression, names))


def _fragment(value, path):
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = value.get("L")
        if items is None:
            return None
        if head >= len(items):  # an append: the list grew, and is answered whole
            return value
        inner = _fragment(items[head], rest)
        return None if inner is None else {"L": [inner]}
    members = value.get("M")
    if members is None or head not in members:
        return None
    inner = _fragment(members[head], rest)
    return None if inner is None else {"M": {head: inner}}


def _merge(into, members):
    for name, value in members.items():
        if name in into and "M" in into[name] and "M" in value:
            into[name] = {"M": dict(into[name]["M"])}
            _merge(into[name]["M"], value["M"])
        else:
            into[name] = value
