"""Compare a JSON object with the typed class stripe-python generates for it.

stripe-python's resource classes are generated from Stripe's OpenAPI spec for
the API version the SDK pins, and annotate every field of that version:
``Optional[...]`` for a field that may be null or left out, anything else for a
field every object carries. ``mismatches(payload, cls)`` walks a payload and
its nested typed objects (sub-objects, expanded ids, lists, list envelopes) and
names every field the class does not have and every required one that is
missing, so an SDK upgrade that changes a shape fails a test. With
``every_field=True`` it also names every missing optional field (Stripe sends
those as ``null``), except the ones ``excused`` lists for a class: fields
Stripe returns only when asked (``expand[]``) or in one situation.
"""
import ast
import functools
import importlib
import inspect
import sys
import typing

from stripe._list_object import ListObject
from stripe._stripe_object import StripeObject, UntypedStripeObject


def _is_optional(annotation):
    return typing.get_origin(annotation) is typing.Union and type(None) in typing.get_args(annotation)


@functools.lru_cache(maxsize=None)
def _type_checking_names(module_name):
    """The names a generated module imports under ``if TYPE_CHECKING:`` (its
    forward references, e.g. ``ExpandableField["Customer"]``), imported."""
    module = sys.modules[module_name]
    names = dict(vars(module))
    tree = ast.parse(inspect.getsource(module))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stripe"):
            imported = importlib.import_module(node.module)
            for alias in node.names:
                names[alias.asname or alias.name] = getattr(imported, alias.name)
    return names


def fields(cls):
    """{name: annotation} of a generated class: its own and its generated
    parents' public fields, without the SDK's private bookkeeping."""
    annotations = {}
    for klass in reversed(cls.__mro__):
        if not (isinstance(klass, type) and issubclass(klass, StripeObject)) or klass is StripeObject:
            continue
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            if name.startswith("_") or typing.get_origin(annotation) is typing.ClassVar:
                continue
            annotations[name] = (klass, annotation)
    return annotations


def field_class(cls, path):
    """The class of the object at ``path`` (dotted field names, through
    optional values, lists and expandable ids) inside class ``cls``, e.g.
    ``field_class(stripe.Invoice, "parent.subscription_details")``."""
    for name in filter(None, path.split(".")):
        owner, annotation = fields(cls)[name]
        found = _object_class(annotation, owner)
        if found is None:
            raise TypeError("%s.%s is not an object" % (cls.__qualname__, name))
        cls = found
    return cls


def _object_class(annotation, owner):
    annotation = _resolve(annotation, owner)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        return next(filter(None, (_object_class(arg, owner) for arg in args)), None)
    if origin in (list, typing.List):
        return _object_class(args[0], owner)
    return annotation if _is_stripe_class(annotation) else None


def required_fields(cls):
    return sorted(name for name, (_, annotation) in fields(cls).items() if not _is_optional(annotation))


def _resolve(annotation, owner):
    """A forward reference (a string or ``typing.ForwardRef``) as the class it names."""
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        return eval(annotation, _type_checking_names(owner.__module__))  # noqa: S307 - the SDK's own names
    return annotation


def _is_stripe_class(candidate):
    return isinstance(candidate, type) and issubclass(candidate, StripeObject)


def mismatches(payload, cls, path=None, *, every_field=False, excused=None):
    """Every difference between ``payload`` (a dict) and class ``cls``, as
    ``"<path>: unknown field"`` / ``"<path>: missing required field"``, and with
    ``every_field`` ``"<path>: missing field"`` for an absent optional field
    that ``excused`` (``{class: field names}``) does not list."""
    path = path or cls.__qualname__
    known = fields(cls)
    if issubclass(cls, ListObject):
        known = dict(known, object=(cls, typing.Literal["list"]))
    found = ["%s.%s: unknown field" % (path, name) for name in sorted(set(payload) - set(known))]
    found += ["%s.%s: missing required field" % (path, name)
              for name, (_, annotation) in sorted(known.items())
              if name not in payload and not _is_optional(annotation)]
    if every_field:
        found += ["%s.%s: missing field" % (path, name)
                  for name, (_, annotation) in sorted(known.items())
                  if name not in payload and _is_optional(annotation)
                  and name not in (excused or {}).get(cls, ())]
    options = {"every_field": every_field, "excused": excused}
    for name, value in payload.items():
        if name in known:
            owner, annotation = known[name]
            found += _value_mismatches(value, annotation, owner, "%s.%s" % (path, name), options)
    return found


def _value_mismatches(value, annotation, owner, path, options):
    annotation = _resolve(annotation, owner)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if value is None:
        return []
    if origin is typing.Union:
        classes = [_resolve(arg, owner) for arg in args]
        typed = [arg for arg in classes if _is_stripe_class(arg) or _is_stripe_class(typing.get_origin(arg))]
        if isinstance(value, dict) and typed:
            return _value_mismatches(value, typed[0], owner, path, options)
        return []
    if origin in (list, typing.List) and isinstance(value, list):
        return [problem for index, item in enumerate(value)
                for problem in _value_mismatches(item, args[0], owner, "%s[%d]" % (path, index), options)]
    if _is_stripe_class(origin) and issubclass(origin, ListObject) and isinstance(value, dict):
        found = mismatches(value, ListObject, path, **options)
        return found + _value_mismatches(value.get("data") or [], typing.List[args[0]], owner, path + ".data",
                                         options)
    if _is_stripe_class(origin) and issubclass(origin, UntypedStripeObject):
        return []
    if _is_stripe_class(annotation) and isinstance(value, dict):
        return mismatches(value, annotation, path, **options)
    return []
