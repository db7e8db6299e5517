"""Request parameters: Stripe's form encoding with bracket syntax, typed
access to it, and the Stripe-shaped errors a bad parameter produces."""

from __future__ import annotations

import re
import urllib.parse
from typing import Any


class ApiError(Exception):
    """A Stripe-shaped error; rendered as ``{"error": {...}}`` with its HTTP status."""

    def __init__(self, status: int, message: str, *, code: str | None = None,
                 param: str | None = None, error_type: str = "invalid_request_error",
                 extra: dict | None = None):
        super().__init__(message)
        self.status, self.message = status, message
        self.code, self.param, self.error_type = code, param, error_type
        self.extra = extra or {}

    def payload(self) -> dict:
        """Stripe leaves an error's null fields out (the SDK fills them in)."""
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = doc_url(self.code)
        if self.param:
            error["param"] = self.param
        error.update((k, v) for k, v in self.extra.items() if v is not None)
        return {"error": dict(sorted(error.items()))}


def doc_url(code: str) -> str:
    return "https://stripe.com/docs/error-codes/" + code.replace("_", "-")


def card_error(message: str, code: str, **extra: Any) -> ApiError:
    """402 ``card_error``: the payment was attempted and failed; ``extra`` adds
    ``decline_code``, ``charge``, ``payment_intent``, ``payment_method``."""
    return ApiError(402, message, code=code, error_type="card_error", extra=extra)


def missing_param(param: str) -> ApiError:
    return ApiError(400, f"Missing required param: {param}.", code="parameter_missing", param=param)


def no_such(label: str, obj_id: Any, *, param: str = "id", status: int = 404) -> ApiError:
    """404 for the resource named by the URL, 400 for one referenced by a parameter."""
    return ApiError(status, f"No such {label}: '{obj_id}'", code="resource_missing", param=param)


_BRACKET = re.compile(r"\[([^\[\]]*)\]")


def parse_params(query: str) -> dict:
    """Decode Stripe's form encoding into nested dicts and lists.

    ``metadata[user_id]=7`` -> ``{"metadata": {"user_id": "7"}}``;
    ``line_items[0][price]=p`` and ``expand[]=x`` become lists. Values stay
    strings: each handler coerces the fields Stripe treats as numbers/booleans.
    """
    root: dict = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        base, bracket, rest = key.partition("[")
        parts = [base] + (_BRACKET.findall(bracket + rest) if bracket else [])
        _assign(root, parts, value)
    return _listify(root)


def _assign(node: dict, parts: list[str], value: str) -> None:
    *path, last = parts
    for part in path:
        part = part or str(len(node))  # "[]" in the middle starts a new element
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last or str(len(node))] = value


def _listify(value: Any, key: str | None = None) -> Any:
    """Turn dicts keyed "0", "1", ... into lists (but never a metadata hash)."""
    if not isinstance(value, dict):
        return value
    items = {k: _listify(v, k) for k, v in value.items()}
    if key != "metadata" and items and all(k.isdigit() for k in items):
        return [items[k] for k in sorted(items, key=int)]
    return items


class Params:
    """Typed access to one level of decoded parameters, raising Stripe's errors.

    ``prefix`` is the bracketed path of this level (``line_items[0]``) so error
    ``param`` values name the exact field, as Stripe's do.
    """

    def __init__(self, data: Any = None, prefix: str = ""):
        if data is not None and not isinstance(data, dict):
            raise ApiError(400, "Invalid object", param=prefix or None)
        self.data = data or {}
        self.prefix = prefix

    def path(self, name: str) -> str:
        return f"{self.prefix}[{name}]" if self.prefix else name

    def __contains__(self, name: str) -> bool:
        return name in self.data

    def str(self, name: str, *, required: bool = False, choices: tuple = ()) -> str | None:
        """The string value; ``None`` when absent or posted empty (Stripe's "unset")."""
        value = self.data.get(name)
        if value is None:
            if required:
                raise missing_param(self.path(name))
            return None
        if not isinstance(value, str):
            raise ApiError(400, f"Invalid string: {value!r}", param=self.path(name))
        if value == "":
            if required:
                raise ApiError(
                    400, f"You passed an empty string for '{self.path(name)}'. We assume empty "
                    f"values are an attempt to unset a parameter; however '{self.path(name)}' "
                    "cannot be unset. You should remove it from your request or supply a "
                    "non-empty value.", code="parameter_invalid_empty", param=self.path(name))
            return None
        if choices and value not in choices:
            raise ApiError(400, f"Invalid {name}: must be one of {', '.join(choices)}",
                           param=self.path(name))
        return value

    def int(self, name: str, *, required: bool = False, default: int | None = None,
            minimum: int | None = None, maximum: int | None = None) -> int | None:
        value = self.str(name, required=required)
        if value is None:
            return default
        if not re.fullmatch(r"-?\d+", value):
            raise ApiError(400, f"Invalid integer: {value}", code="parameter_invalid_integer",
                           param=self.path(name))
        number = int(value)
        if minimum is not None and number < minimum:
            raise ApiError(400, f"This value must be greater than or equal to {minimum}.",
                           code="parameter_invalid_integer", param=self.path(name))
        if maximum is not None and number > maximum:
            raise ApiError(400, f"This value must be less than or equal to {maximum}.",
                           code="parameter_invalid_integer", param=self.path(name))
        return number

    def bool(self, name: str, *, default: bool | None = None) -> bool | None:
        value = self.str(name)
        if value is None:
            return default
        if value not in ("true", "false"):
            raise ApiError(400, f"Invalid boolean: {value}", param=self.path(name))
        return value == "true"

    def sub(self, name: str) -> "Params":
        return Params(self.data.get(name), self.path(name))

    def strings(self, name: str) -> list[str]:
        value = self.data.get(name)
        if value is None or value == "":
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ApiError(400, "Invalid array", param=self.path(name))
        return value

    def objects(self, name: str, *, required: bool = False) -> list["Params"]:
        value = self.data.get(name)
        if value is None:
            if required:
                raise missing_param(self.path(name))
            return []
        if not isinstance(value, list):
            raise ApiError(400, "Invalid array", param=self.path(name))
        return [Params(item, f"{self.path(name)}[{i}]") for i, item in enumerate(value)]

    def metadata(self, name: str = "metadata") -> dict | str | None:
        """``None`` if absent, ``""`` to clear it all, else updates (``""`` unsets a key)."""
        value = self.data.get(name)
        if value is None or value == "":
            return value
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ApiError(400, "Invalid metadata: values must be strings", param=self.path(name))
        return value

