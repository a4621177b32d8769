"""Reading a provider's answer: its shape as attrs classes, structured by one cattrs converter.

A provider describes the part of its answer it needs as small attrs classes (every field optional,
with a default) and :func:`structure` turns the decoded JSON into them. The rules are the same for
every provider, so a provider's module is only its shape, its mapping and its not-found rule:

- a ``str`` field that holds anything but a string reads as ``""``; a ``bool`` field is true only
  for ``True`` or the string ``"true"`` (``bool | None`` keeps ``None`` for absent);
- a :data:`Count` field holds a non-negative int read from an int, an integral float or a digit
  string, or :class:`Unreadable` with the value the answer held (the mapping decides what that
  means: a required count fails the profile, an optional one is unknown);
- a nested shape whose value is not an object (a decoded JSON ``dict``) reads as its defaults
  (``X | None``: as ``None``), except a :class:`Strict` shape (the user object itself), which
  must be an object or null;
- a ``tuple[X, ...]`` that is not a list reads as empty;
- a field is read from the answer's key of its name, or from ``paths[name]`` when the shape
  declares ``paths``: another key (``"__typename"``) or dotted keys into nested objects
  (``"edge_liked_by.count"``), so a one-value box needs no shape of its own.

A shape is a plain ``attrs.define`` class, not a frozen one: a frozen class sets each field
through ``object.__setattr__``, which doubles what building a shape costs, and a shape never
leaves its reader. cattrs generates each shape's structuring code once. Readers run it without
detailed validation (no per-field ``try`` and exception groups: the plain path is the cheap one);
only after a failure is the same read run again with detailed validation, whose errors become one
:class:`MalformedPayload` naming the fields, through ``cattrs.transform_error``.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from ..errors import MalformedPayload

__all__ = [
    "MAX_COUNT",
    "Count",
    "Strict",
    "Unreadable",
    "count_of",
    "first",
    "first_readable",
    "structure",
]

T = TypeVar("T")
Hook = Callable[[Any, Any], Any]
MAX_COUNT = 2**63 - 1
_DIGITS = re.compile(r"^\s*[+]?(\d{1,19})(\.0{1,20})?\s*$")


@attrs.frozen
class Unreadable:
    """A count the answer holds that is no count (a word, a negative, a boolean, NaN)."""

    value: Any = attrs.field(eq=False)


Count = int | Unreadable
"""The value of a count field: the count, or what the answer held instead."""


class Strict:
    """Mixin for a shape that must be an object (or null) where it appears; else the answer is
    malformed."""

    __slots__ = ()


def count_of(value: Any) -> int | None:
    """A non-negative count from an int, an integral float or a digit string; else ``None``."""
    count: int | None = None
    if isinstance(value, bool):  # a bool is an int to Python, never a count
        return None
    if isinstance(value, int):
        count = value
    elif isinstance(value, str):
        if value.isdecimal():  # the same digits _DIGITS reads
            count = int(value) if len(value) <= 19 else None
        elif match := _DIGITS.match(value):
            count = int(match.group(1))
    elif isinstance(value, float):
        count = int(value) if value.is_integer() else None
    return count if count is not None and 0 <= count <= MAX_COUNT else None


def first(*values: Count | None) -> Count | None:
    """The first count that is not ``None`` (a field chain's first hit)."""
    for value in values:
        if value is not None:
            return value
    return None


def first_readable(*values: Count | None) -> int | None:
    """The first readable count: an absent, negative or unreadable one is skipped (unknown)."""
    for value in values:
        if isinstance(value, int):
            return value
    return None


def _structure_count(value: Any, _: Any) -> Count | None:
    if value is None:
        return None
    count = count_of(value)
    return Unreadable(value) if count is None else count


def _is_count(tp: Any) -> bool:
    return set(typing.get_args(tp)) == {int, Unreadable, type(None)}


def _optional_of(tp: Any) -> type | None:
    """``X`` for ``X | None`` where ``X`` is an attrs shape, else ``None``."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if len(args) == 1 and len(typing.get_args(tp)) == 2 and attrs.has(args[0]):
        return args[0]
    return None


def _is_optional_shape(tp: Any) -> bool:
    return _optional_of(tp) is not None


def _is_tuple(tp: Any) -> bool:
    origin: Any = typing.get_origin(tp)
    return origin is tuple and typing.get_args(tp)[1:] == (...,)


def _flag(value: Any, _: Any = None) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


class _Shapes:
    """The hook factories for shapes, ``X | None`` and tuples of one converter.

    Each shape's structuring function is generated once by cattrs and kept, so the hooks that
    check for an object themselves (``X | None``, a tuple's items) call it directly, without
    the shape hook's own check in between.
    """

    def __init__(self, converter: cattrs.Converter) -> None:
        self.converter = converter
        self.builds: dict[type, Callable[[Any], Any]] = {}

    def build(self, cls: type) -> Callable[[Any], Any]:
        """The generated function reading an object (a ``dict``) as ``cls``."""
        if cls not in self.builds:
            attrs.resolve_types(cls)
            fields = attrs.fields_dict(cls)
            overrides = {
                name: _path_override(path, self.converter.get_structure_hook(fields[name].type))
                for name, path in getattr(cls, "paths", {}).items()
            }
            self.builds[cls] = make_dict_structure_fn(cls, self.converter, **overrides)
        return self.builds[cls]

    def shape(self, cls: type) -> Hook:
        """A shape: a non-object reads as ``{}`` (its defaults)."""
        build = self.build(cls)
        return lambda value, _: build(value if isinstance(value, dict) else {})

    def optional(self, tp: Any) -> Hook:
        """``X | None``: a non-object reads as ``None``, or fails when ``X`` is :class:`Strict`."""
        cls: Any = _optional_of(tp)
        build = self.build(cls)
        strict = issubclass(cls, Strict)

        def hook(value: Any, _: Any) -> Any:
            if isinstance(value, dict):
                return build(value)
            if value is None or not strict:
                return None
            raise TypeError(f"expected an object, got {type(value).__name__}")

        return hook

    def tuple(self, tp: Any) -> Hook:
        """``tuple[X, ...]``: a non-list reads as empty; a shape's non-object items as ``{}``."""
        item = typing.get_args(tp)[0]
        if attrs.has(item):
            build = self.build(item)
            return lambda value, _: (
                tuple([build(v if isinstance(v, dict) else {}) for v in value])
                if isinstance(value, list)
                else ()
            )
        read = self.converter.get_structure_hook(item)
        return lambda value, _: (
            tuple([read(v, item) for v in value]) if isinstance(value, list) else ()
        )


def _path_override(path: str, read: Hook) -> Any:
    """A field read from ``path``: a key, or dotted keys into nested objects (a missing or
    non-object step reads as ``None``)."""
    key, *inner = path.split(".")
    if not inner:
        return override(rename=key)

    def dig(value: Any, tp: Any) -> Any:
        for step in inner:
            value = value.get(step) if isinstance(value, dict) else None
        return read(value, tp)

    return override(rename=key, struct_hook=dig)


def _converter(*, detailed: bool) -> cattrs.Converter:
    """A converter with the reading rules; every shape's hooks are resolved once, on first use."""
    converter = cattrs.Converter(detailed_validation=detailed)
    converter.register_structure_hook(str, lambda value, _: value if isinstance(value, str) else "")
    converter.register_structure_hook(bool, _flag)
    converter.register_structure_hook(Any, lambda value, _: value)
    converter.register_structure_hook_func(
        lambda tp: set(typing.get_args(tp)) == {bool, type(None)},
        lambda value, _: None if value is None else _flag(value),
    )
    converter.register_structure_hook_func(_is_count, _structure_count)
    shapes = _Shapes(converter)
    converter.register_structure_hook_factory(attrs.has, shapes.shape)
    converter.register_structure_hook_factory(_is_optional_shape, shapes.optional)
    converter.register_structure_hook_factory(_is_tuple, shapes.tuple)
    return converter


converter = _converter(detailed=False)
"""The converter readers use: no per-field error collection, so the plain path is the cheap one."""
_explaining = _converter(detailed=True)
"""The same rules with cattrs' detailed validation, run only to name the fields of a failure."""


def structure(payload: Any, shape: type[T], *, platform: str, host: str) -> T:
    """``payload`` as ``shape``; a structuring error is a :class:`MalformedPayload` naming the
    fields, e.g. ``tiktok answer is malformed: invalid type ... @ $.userInfo.user``."""
    try:
        return converter.structure(payload, shape)
    except (TypeError, ValueError):
        where = _where(payload, shape)
        raise MalformedPayload(
            f"{platform} answer is malformed: {where}", platform=platform, host=host
        ) from None


def _where(payload: Any, shape: type) -> str:
    """What failed and where, e.g. ``invalid type ... @ $.userInfo.user``: the failed read run
    again with detailed validation (the error path only)."""
    try:
        _explaining.structure(payload, shape)
    except (cattrs.BaseValidationError, TypeError, ValueError) as error:
        return "; ".join(cattrs.transform_error(error, path="$"))
    return "unreadable"  # pragma: no cover - both converters share their rules
