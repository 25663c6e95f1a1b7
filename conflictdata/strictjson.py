"""Read a descriptor or a Table Schema as strict JSON, and find the line of any value in it.

Python's :func:`json.loads` is lenient where a descriptor must not be: of two equal keys it
keeps the last without a word (a second ``"constraints": {}`` silently drops every
constraint of a field), it reads ``NaN`` and ``Infinity``, which are not JSON, it decodes a
lone surrogate escape (``"\\ud800"``) into text that cannot be printed, and deep nesting ends
in a :class:`RecursionError`. :func:`read_json` refuses each in one line that names the file
and the line. :func:`line_of` finds the line of a value by its path
(``("fields", 3, "constraints")``), so that errors about a schema's content can name it too.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Generator, Iterator, Sequence

# typeshed does not declare json.decoder.scanstring (the C scanner json's own decoder uses)
from json.decoder import scanstring  # type: ignore[attr-defined]

from .errors import PackageError
from .feedback import human_size
from .files import NotRegularFileError, read_regular

# Table Schemas and descriptors nest about eight levels (descriptor, resources, a resource,
# its inline schema, fields, a field, constraints, an enum): 32 leaves room for metadata and
# keeps every reader of the dict (json.dumps, deepcopy, frictionless) far from the
# interpreter's recursion limit.
MAX_DEPTH = 32
MAX_BYTES = 16 * 1024 * 1024

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# A string (skipped whole, so brackets and words inside it do not count) or a bracket.
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_CONSTANTS = re.compile(r'"(?:[^"\\]|\\.)*"|-?Infinity|NaN', re.DOTALL)
# A \u escape of a UTF-16 surrogate: json decodes a lone one into a str that cannot be printed.
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class _DuplicateKey(Exception):
    pass


class _NotJSON(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, object]]) -> dict:
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(key)
        obj[key] = value
    return obj


def _refuse_constant(name: str):
    raise _NotJSON(name)


def loads(text: str, shown: str, what: str) -> object:
    """Parse ``text`` as strict JSON; :class:`PackageError` names ``shown``, the line and the fault.

    Examples
    --------
    >>> try:
    ...     loads('{"a": 1,\\n "a": 2}', "x.json", "descriptor")
    ... except PackageError as exc:
    ...     print(str(exc).split(";")[0])
    x.json:2: the key 'a' appears twice at the top of the descriptor
    """
    try:
        value = json.loads(text, object_pairs_hook=_unique_pairs, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise PackageError(f"{shown}:{exc.lineno}: the {what} is not valid JSON: {exc.msg} (column {exc.colno})") \
            from None
    except RecursionError:
        raise _too_deep(text, shown, what) from None
    except _NotJSON as exc:
        at = next((m for m in _CONSTANTS.finditer(text) if not m.group().startswith('"')), None)
        line = f":{_line(text, at.start())}" if at else ""
        raise PackageError(f"{shown}{line}: the {what} is not valid JSON: {exc.args[0]} is not a JSON value "
                           "(write a number, or null)") from None
    except _DuplicateKey as exc:
        raise _duplicate(text, shown, what, exc.args[0]) from None
    if _depth(value) > MAX_DEPTH:
        raise _too_deep(text, shown, what)
    if _SURROGATE.search(text):  # a pair is one character; only a lone one is refused
        bad = next((s for s in _strings(value) if not _encodable(s)), None)
        if bad is not None:
            char = next(c for c in bad if not _encodable(c))
            at = next((m for m in _SURROGATE.finditer(text) if m.group().lower() == f"\\u{ord(char):04x}"), None)
            line = f":{_line(text, at.start())}" if at else ""
            raise PackageError(f"{shown}{line}: the {what} holds a lone surrogate \\u{ord(char):04x} in {bad!r}, "
                               "which is not a character; write the character itself")
    return value


def read_json(path: str | os.PathLike, shown: str, what: str, limit: int = MAX_BYTES) -> tuple[object, str]:
    """The strict JSON value in the regular file ``path``, and its text.

    ``shown`` is the name errors give the file, ``what`` what it is ("descriptor", "Table
    Schema"). Raises :class:`PackageError` in one line for a file that is missing, not a
    regular file (a FIFO is refused without waiting for a writer), larger than ``limit``,
    not UTF-8, or not strict JSON (see :func:`loads`).
    """
    try:
        data = read_regular(path, shown, limit)
    except NotRegularFileError as exc:
        raise PackageError(str(exc)) from None
    except ValueError:
        raise PackageError(f"{shown}: the {what} is larger than {human_size(limit)}; refused") from None
    except OSError as exc:
        raise PackageError(f"{shown}: cannot read the {what}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PackageError(f"{shown}: the {what} is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return loads(text, shown, what), text


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """The line of the value at ``path`` in the JSON ``text`` (of its key, for an object member).

    The line of the nearest enclosing value when the path leads nowhere; None when ``text``
    is not JSON. ``text`` must not repeat a key (as :func:`loads` ensures).

    Examples
    --------
    >>> line_of('{"fields": [\\n  {"name": "a"},\\n  {"name": "b"}\\n]}', ("fields", 1, "name"))
    3
    """
    target = tuple(path)
    try:
        best = _skip(text, 0)
        for at, pos, _ in _walk(text, best, (), target):
            if at == target[:len(at)]:
                best = pos
                if at == target:
                    break
    except (ValueError, IndexError, RecursionError):
        return None
    return _line(text, best)


def _walk(text: str, pos: int, path: tuple, follow: tuple | None) -> Generator[tuple[tuple, int, bool], None, int]:
    """(path, position, repeated key) of each object member and list item of the value at ``pos``.

    Members come in the order of the text. With ``follow``, only values on that path are
    entered; every other one is skipped by the C decoder. Returns the end of the value.
    """
    if text[pos] not in "{[":
        return _DECODER.raw_decode(text, pos)[1]
    is_object, close = text[pos] == "{", "}" if text[pos] == "{" else "]"
    seen: set[str] = set()
    pos, i = _skip(text, pos + 1), 0
    while text[pos] != close:
        if is_object:
            key, after = scanstring(text, pos + 1)
            here = (*path, key)
            yield here, pos, key in seen
            seen.add(key)
            pos = _skip(text, after)
            if text[pos] != ":":
                raise ValueError("':' expected")
            pos = _skip(text, pos + 1)
        else:
            here = (*path, i)
            yield here, pos, False
            i += 1
        if follow is None or here == follow[:len(here)]:
            pos = yield from _walk(text, pos, here, follow)
        else:
            pos = _DECODER.raw_decode(text, pos)[1]
        pos = _skip(text, pos)
        if text[pos] == ",":
            pos = _skip(text, pos + 1)
    return pos + 1


def _skip(text: str, pos: int) -> int:
    blank = _WHITESPACE.match(text, pos)
    assert blank is not None  # the pattern matches the empty string
    return blank.end()


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def where(path: Sequence[str | int]) -> str:
    """A path as a reader writes it: ``fields[3].constraints``; "the top" for the empty path.

    Examples
    --------
    >>> where(("foreignKeys", 0, "reference", "fields"))
    'foreignKeys[0].reference.fields'
    """
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out or "the top"


def _duplicate(text: str, shown: str, what: str, key: str) -> PackageError:
    found = None
    try:
        found = next(((p, pos) for p, pos, again in _walk(text, _skip(text, 0), (), None) if again), None)
    except (ValueError, IndexError, RecursionError):
        pass
    line, inside = "", ""
    if found is not None:
        (*parent, key), pos = found
        line = f":{_line(text, pos)}"
        inside = f" in {where(parent)}" if parent else f" at the top of the {what}"
    return PackageError(f"{shown}{line}: the key {key!r} appears twice{inside}; the second would silently "
                        "replace the first: keep one")


def _too_deep(text: str, shown: str, what: str) -> PackageError:
    depth, line = 0, None
    for m in _BRACKETS.finditer(text):
        token = m.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = _line(text, m.start())
                break
        elif token in "]}":
            depth -= 1
    where = f":{line}" if line else ""
    return PackageError(f"{shown}{where}: the {what} is nested more than {MAX_DEPTH} levels deep; refused")


def _strings(value) -> Iterator[str]:
    """Every key and text value in ``value``, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _depth(value) -> int:
    """How deep lists and objects nest in ``value`` (a scalar is 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:  # deeper than that is refused anyway
            stack.extend((c, level + 1) for c in children if isinstance(c, (dict, list)))
    return deepest
