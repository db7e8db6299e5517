"""What a name (an API key's, a team organisation's) may be, as one regular
expression that Python's `re`, the OpenAPI document's readers (ECMA-262) and
the fuzzer all read the same way: the API checks names with it, and the
document states it (chalicelib.web.openapi_parts)."""
import re


def _class(ranges):
    return "".join("%s-%s" % (chr(first), chr(last)) if last != first else chr(first) for first, last in ranges)


# Characters a name may not hold: control characters (Unicode Cc), the format characters (Cf) of
# the Basic Multilingual Plane - soft hyphen, zero-width and direction marks, byte order mark - the
# line and paragraph separators, and private use (Co) of that plane. (Listing the other planes'
# few format characters too makes the fuzzer's generation of names ten times slower.)
NOT_IN_NAMES = _class([
    (0x00, 0x1F), (0x7F, 0x9F), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F),
    (0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064),
    (0x2066, 0x206F), (0xE000, 0xF8FF), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB)])
# 1 or more of the allowed characters, at least one of them not a space.
NAME_PATTERN = "^[^%s]*[^\\s%s][^%s]*$" % (NOT_IN_NAMES, NOT_IN_NAMES, NOT_IN_NAMES)


NAME = re.compile(NAME_PATTERN)


def valid_name(raw, max_chars):
    """True if `raw` is a string of 1 to `max_chars` characters matching NAME_PATTERN."""
    return isinstance(raw, str) and 0 < len(raw) <= max_chars and NAME.fullmatch(raw) is not None
