"""What a page read of the site model, recorded while it renders: its dependencies, by construction.

While `tracking()` is on, every field of a `Site` and of a `Record` is read through a
descriptor that notes what was read in the set `recording()` opened for the page being
rendered; nothing is noted between pages, and outside `tracking()` the classes are left
as they are (no cost for the other stages). A page's read set holds keys:

- `("@", 索引号, field)`: a field of a record (meta, body_html, extra, attachments …): a
  catalogue page reads its rows' metadata, so a body edit does not reach it;
- `("=", field, k1, k2 …)`: the value of a Site field, or of one entry of a mapping field
  (`site.by_slug[slug]`, `site.indexes["approval"]`, `site.facets["year"]["2019"]`);
- `("?", field, k1 …)`: only whether that entry exists (a nested mapping read further down,
  or a lookup that found nothing: a page linking a record that is not there yet).

`key_digests` turns keys into digests of what they name now. A value is hashed as it is
(`fingerprint`), except that a record in it counts by its 索引号 only: what a page read of
the record itself is its own key. A page whose keys all have the digests of the last build
shows what it showed then; no kind and no page lists its dependencies.

Anything a page shows must come from the site model or the code (views read no files but
attachments, whose size and time are part of their record's digest); a memo kept from one
page to the next would hide reads from the second, so renders keep none.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from enum import Enum
from functools import partial
from pathlib import PurePath
from typing import Any

from disclosure.core.records import Record
from disclosure.site.model import Site

Key = tuple[Any, ...]
ABSENT = "-"

_active: set[Key] | None = None  # the read set of the page being rendered (one page at a time per process)
_originals: dict[tuple[type, str], Any] = {}
_META = Record.__dict__["meta"]  # the slot itself: a record's 索引号 without noting a read


def note(key: Key) -> None:
    """Note that the page being rendered read `key` (nothing between pages)."""
    if _active is not None:
        _active.add(key)


@contextmanager
def recording() -> Iterator[set[Key]]:
    """Record the reads of one page into the set it yields."""
    global _active
    found: set[Key] = set()
    _active = found
    try:
        yield found
    finally:
        _active = None


def start_page() -> None:
    """Open the read set of a page rendered through a hook (Flask's before_request)."""
    global _active
    _active = set()


def end_page() -> set[Key]:
    """Close the read set opened by `start_page` and return it."""
    global _active
    found, _active = _active or set(), None
    return found


class _RecordField:
    """A Record slot that notes the record's 索引号 and the slot's name when read during a page
    (a catalogue page reads the metadata of its rows, not their bodies)."""

    __slots__ = ("member", "name")

    def __init__(self, member: Any, name: str) -> None:
        self.member = member
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        if _active is not None:
            _active.add(("@", _META.__get__(obj).index_number, self.name))
        return self.member.__get__(obj, owner)

    def __set__(self, obj: Any, value: Any) -> None:
        self.member.__set__(obj, value)

    def __delete__(self, obj: Any) -> None:
        self.member.__delete__(obj)


class _SiteField:
    """A Site field that notes its name when read during a page; a mapping is handed out
    as a `TrackedMapping`, so that a page looking one entry up depends on that entry only."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name]
        if _active is None:
            return value
        if isinstance(value, Mapping):
            _active.add(("?", self.name))
            return TrackedMapping((self.name,), value)
        _active.add(("=", self.name))
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        obj.__dict__[self.name] = value


class TrackedMapping(Mapping[Any, Any]):
    """A read-only view of a mapping of the site model that notes which entries a page read:
    one entry (`m[k]`, `m.get(k)`, `k in m`), or all of it (iteration, len, keys, items)."""

    __slots__ = ("_data", "_path")

    def __init__(self, path: Key, data: Mapping[Any, Any]) -> None:
        self._path = path
        self._data = data

    def _entry(self, key: Any) -> Any:
        value = self._data[key]
        if isinstance(value, Mapping):
            note(("?", *self._path, key))
            return TrackedMapping((*self._path, key), value)
        note(("=", *self._path, key))
        return value

    def __getitem__(self, key: Any) -> Any:
        if key not in self._data:
            note(("?", *self._path, key))
            raise KeyError(key)
        return self._entry(key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key not in self._data:
            note(("?", *self._path, key))
            return default
        return self._entry(key)

    def __contains__(self, key: object) -> bool:
        note(("?", *self._path, key))
        return key in self._data

    def _whole(self) -> Mapping[Any, Any]:
        note(("=", *self._path))
        return self._data

    def __iter__(self) -> Iterator[Any]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def keys(self) -> Any:
        return self._whole().keys()

    def values(self) -> Any:
        return self._whole().values()

    def items(self) -> Any:
        return self._whole().items()


@contextmanager
def tracking() -> Iterator[None]:
    """Read Site and Record fields through the noting descriptors while the block runs
    (forked workers inherit them); the classes are restored after."""
    if _originals:  # already on (a nested call)
        yield
        return
    for field in dataclasses.fields(Record):
        _originals[(Record, field.name)] = Record.__dict__[field.name]
        setattr(Record, field.name, _RecordField(Record.__dict__[field.name], field.name))
    for field in dataclasses.fields(Site):
        _originals[(Site, field.name)] = Site.__dict__.get(field.name, ABSENT)
        setattr(Site, field.name, _SiteField(field.name))
    try:
        yield
    finally:
        for (cls, name), original in _originals.items():
            if original is ABSENT:
                delattr(cls, name)
            else:
                setattr(cls, name, original)
        _originals.clear()


def reading(key: Key, function: Callable[..., Any]) -> Callable[..., Any]:
    """Return `function` noting `key` on every call: a template helper built over a value of
    the model (a kind's index) reads that value whenever a page calls it."""

    def noted(*args: Any, **kwargs: Any) -> Any:
        note(key)
        return function(*args, **kwargs)

    name = (
        getattr(function, "__qualname__", None) or type(function).__qualname__
    )  # never repr: a bound method's shows its index
    noted.__qualname__ = f"reading[{'/'.join(map(str, key))}]:{name}"
    noted.__module__ = getattr(function, "__module__", __name__)
    return noted


def by_routes(function: partial[Any]) -> partial[Any]:
    """Mark a helper whose results depend only on the code and the app's routes (a table of
    page URLs, built once, each URL also buildable from the routes): its arguments are not
    part of the app's fingerprint (`fingerprint` hashes the helper by name)."""
    function.__dict__["by_routes"] = True
    return function


# ---- digests of what the keys name ----


def key_digests(site: Site, keys: Iterable[Key]) -> dict[Key, str]:
    """Return each key's digest on `site` as it is now (call it outside `tracking()`)."""
    return {key: key_digest(site, key) for key in keys}


def key_digest(site: Site, key: Key) -> str:
    mode, *path = key
    if mode == "@":
        record = site.by_index.get(path[0])
        return ABSENT if record is None else slot_digest(record, path[1])
    value: Any = site
    for i, step in enumerate(path):
        if i == 0:
            if not hasattr(site, step):
                return ABSENT
            value = getattr(site, step)
        elif isinstance(value, Mapping) and step in value:
            value = value[step]
        else:
            return ABSENT
    return "+" if mode == "?" else fingerprint(value)


def slot_digest(record: Record, slot: str) -> str:
    """Return the digest of one field of a record as a page reads it: the metadata as JSON, the
    attachments with their files' size and time (the files are sent as they are), the rest by value."""
    if slot == "meta":
        return _sha(record.meta.model_dump_json())
    if slot == "attachments":
        files = [
            (a.title, a.name, a.size, a.type_label, os.stat(a.source).st_mtime_ns) for a in record.attachments
        ]
        return _sha(repr(files))
    return fingerprint(getattr(record, slot))


def fingerprint(value: Any) -> str:
    """Return a digest of `value` as it is: scalars by repr, containers and dataclasses by their
    parts, a record by its 索引号, a function by its name."""
    digest = hashlib.sha256()
    _feed(digest.update, value, set())
    return digest.hexdigest()[:32]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


_SCALARS = (str, int, float, bool, type(None), bytes, date, PurePath, Enum)


def _feed(out: Callable[[bytes], None], value: Any, seen: set[int]) -> None:
    if type(value) is str:  # by its length and characters, not its repr: a body's repr was 2/3 of its digest
        out(b"str:%d:%b\0" % (len(value), value.encode("utf-8", "surrogatepass")))
        return
    if isinstance(value, _SCALARS):
        out(f"{type(value).__name__}:{value!r}\0".encode())
        return
    if isinstance(value, Record):
        out(f"R:{_META.__get__(value).index_number}\0".encode())
        return
    if id(value) in seen:
        out(b"cycle\0")
        return
    seen.add(id(value))
    try:
        _feed_container(out, value, seen)
    finally:
        seen.discard(id(value))


def _feed_container(out: Callable[[bytes], None], value: Any, seen: set[int]) -> None:
    name = type(value).__qualname__
    if isinstance(value, Mapping):
        out(f"{name}{{".encode())
        for k, v in value.items():
            _feed(out, k, seen)
            _feed(out, v, seen)
        out(b"}\0")
    elif isinstance(value, (tuple, list)):
        out(f"{name}[".encode())
        for item in value:
            _feed(out, item, seen)
        out(b"]\0")
    elif isinstance(value, (set, frozenset)):
        out(f"{name}<{sorted(fingerprint(item) for item in value)}>\0".encode())
    elif isinstance(value, partial):
        out(f"partial:{_name(value.func)}\0".encode())
        if not value.__dict__.get("by_routes"):
            _feed(out, value.args, seen)
            _feed(out, value.keywords, seen)
    elif callable(value) and hasattr(value, "__qualname__"):
        out(f"fn:{_name(value)}\0".encode())  # the code is in the code digest
    elif dataclasses.is_dataclass(value):
        out(f"{name}(".encode())
        for field in dataclasses.fields(value):
            out(f"{field.name}=".encode())
            _feed(out, getattr(value, field.name), seen)
        out(b")\0")
    elif hasattr(value, "__dict__") and vars(value):  # pydantic models, plain objects
        out(f"{name}(".encode())
        _feed(out, vars(value), seen)
        out(b")\0")
    else:
        text = repr(value)
        if " at 0x" in text:
            raise TypeError(f"no stable fingerprint for {name}: {text[:80]}")
        out(f"{name}:{text}\0".encode())


def _name(function: Any) -> str:
    return f"{getattr(function, '__module__', '')}.{getattr(function, '__qualname__', type(function).__qualname__)}"
