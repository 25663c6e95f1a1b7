"""Read a submission file: YAML in, plain values with the line of every key and value out.

PyYAML composes the file into nodes that carry their position; this module turns the nodes
into plain Python values itself, so it can refuse what a submission never needs (aliases,
custom tags, duplicate keys) and remember where each value was written. Scalars are resolved
the YAML 1.2 way, as editors do: only ``true``/``false`` are booleans (``no``, the language
code, stays text), ``14:30:00`` and ``2024-10-08`` stay text, numbers are plain decimals.

Every problem is a :class:`~conflictdata.report.Fault` naming the file and line; nothing raises.
"""

from __future__ import annotations

import functools
import math
import os
import re
from dataclasses import dataclass, field

from ..report import Fault

MAX_BYTES = 1024 * 1024  # one source document's submission; far below this in practice
RESOURCE = "submission"
# Fault codes that mean the file could not be read as YAML at all (exit 2, like a broken descriptor).
UNREADABLE = frozenset({"file-missing", "file-unreadable", "file-too-large", "encoding-error", "yaml-syntax"})

_NULL, _BOOL, _INT, _FLOAT, _STR = (f"tag:yaml.org,2002:{t}" for t in ("null", "bool", "int", "float", "str"))
_SEQ, _MAP = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


@dataclass
class Parsed:
    """A submission file read into plain values.

    ``lines`` maps a path such as ``("updates", 0, "headline")`` to the line of its value,
    ``key_lines`` to the line of its key; ``value`` is None when the file could not be read.
    """

    path: str
    value: object = None
    lines: dict[tuple, int] = field(default_factory=dict)
    key_lines: dict[tuple, int] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)

    def line_of(self, path: tuple) -> int | None:
        """The best line for ``path``: its key's line, else its value's, else its parent's."""
        path = tuple(path)
        while True:
            if path in self.key_lines:
                return self.key_lines[path]
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def fault(self, path: tuple | None, code: str, message: str, value=None, line: int | None = None) -> None:
        line = line if line is not None else (self.line_of(path) if path is not None else None)
        where = dotted(path) if path else None
        shown = None if value is None else str(value)
        self.faults.append(Fault(RESOURCE, self.path, line, where, shown, code, message))

    @property
    def unreadable(self) -> bool:
        return any(f.code in UNREADABLE for f in self.faults)


def dotted(path) -> str:
    """``("updates", 0, "headline")`` -> ``"updates[0].headline"``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_file(path: str | os.PathLike) -> Parsed:
    """Read and parse the submission at ``path``; faults name ``path`` as given.

    Examples
    --------
    >>> parsed = parse_file("examples/submissions/dw-2024-10-08.yaml")  # doctest: +SKIP
    >>> parsed.value["source"]["publisher"], parsed.key_lines[("source", "publisher")]  # doctest: +SKIP
    ('DW', 6)
    """
    shown = os.fspath(path)
    parsed = Parsed(shown)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        parsed.fault(None, "file-missing", f"{shown}: no such file")
        return parsed
    except OSError as exc:
        parsed.fault(None, "file-unreadable", f"{shown}: cannot read it: {exc.strerror or exc}")
        return parsed
    if len(data) > MAX_BYTES:
        parsed.fault(None, "file-too-large",
                     f"{shown} is larger than {MAX_BYTES // 1024} KiB; a submission holds one source document")
        return parsed
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        parsed.fault(None, "encoding-error", f"not UTF-8 (byte 0x{data[exc.start]:02x}); "
                     "save the file as UTF-8", line=line)
        return parsed
    return parse_text(text, shown, parsed)


def parse_text(text: str, path: str = "<submission>", parsed: Parsed | None = None) -> Parsed:
    """Parse YAML ``text``; see :func:`parse_file`."""
    import yaml

    parsed = parsed or Parsed(path)
    loader, alias_refused = _loader()
    try:
        node = yaml.compose(text, Loader=loader)
    except alias_refused as exc:
        line = exc.problem_mark.line + 1
        parsed.fault(None, "yaml-alias", exc.problem, line=line)
        return parsed
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "quoted scalar" in (exc.context or ""):
            mark = exc.context_mark  # an unclosed quote: where it opens, not the end of the file
        line = mark.line + 1 if mark else None
        parsed.fault(None, "yaml-syntax", _syntax_message(exc), line=line)
        return parsed
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        parsed.fault(None, "yaml-syntax",
                     f"the control character {exc.character:#06x} is not allowed in YAML", line=line)
        return parsed
    except yaml.YAMLError as exc:
        parsed.fault(None, "yaml-syntax", f"not valid YAML: {exc}")
        return parsed
    except RecursionError:
        parsed.fault(None, "yaml-syntax", "the YAML is nested too deeply to be a submission")
        return parsed
    if node is None:
        parsed.fault(None, "empty-file", "the file holds no YAML; start from `conflictdata new-submission`", line=1)
        return parsed
    try:
        parsed.value = _plain(node, (), parsed)
    except RecursionError:
        parsed.fault(None, "yaml-syntax", "the YAML is nested too deeply to be a submission")
        parsed.value = None
    return parsed


def _plain(node, path: tuple, parsed: Parsed):
    """The plain value of ``node``; records lines and adds faults for what is refused."""
    import yaml

    parsed.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            parsed.fault(path, "yaml-tag", f"the tag {node.tag} is not supported; write a plain mapping")
        out: dict = {}
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a complex key"
                parsed.fault(None, "yaml-key", f"the key {shown!r} is not a name; keys are field names such as "
                             "'publisher'", line=key_line)
                continue
            key = key_node.value
            if key in first:
                parsed.fault(None, "duplicate-key", f"the key {key!r} appears twice in this mapping "
                             f"(first on line {first[key]}); keep one", line=key_line)
                continue
            first[key] = key_line
            parsed.key_lines[(*path, key)] = key_line
            out[key] = _plain(value_node, (*path, key), parsed)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            parsed.fault(path, "yaml-tag", f"the tag {node.tag} is not supported; write a plain list")
        return [_plain(item, (*path, i), parsed) for i, item in enumerate(node.value)]
    return _scalar(node, path, parsed)


def _scalar(node, path: tuple, parsed: Parsed):
    tag, text = node.tag, node.value
    try:
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return text.lower() == "true"
        if tag == _INT:
            return int(text)
        if tag == _FLOAT:
            value = float(text)
            if not math.isfinite(value):
                raise ValueError(text)
            return value
    except ValueError:
        parsed.fault(path, "type-error", f"{text!r} is not a {tag.rsplit(':', 1)[-1]}", value=text)
        return text
    if tag != _STR:
        parsed.fault(path, "yaml-tag", f"the tag {tag} is not supported; write the value as plain text", value=text)
        return text
    if node.style in ("|", ">"):
        return text.rstrip("\n")  # a block scalar's final line break is layout, not content
    return text


def _syntax_message(exc) -> str:
    problem = (exc.problem or exc.context or "").strip()
    if "\\t" in problem or "tab" in problem:
        return "a tab character; YAML is indented with spaces only"
    if "another document" in problem:
        return "a second YAML document ('---'); a submission is one document"
    context = f" ({exc.context})" if exc.context and exc.problem else ""
    hint = ""
    if type(exc).__name__ in ("ParserError", "ScannerError"):
        hint = "; check the indentation, the quotes, and that each 'key: value' pair is on its own line"
    return f"not valid YAML: {problem}{context}{hint}"


@functools.lru_cache(maxsize=1)
def _loader():
    """A SafeLoader with YAML 1.2 core-schema resolvers that refuses aliases, and its refusal."""
    import yaml

    class AliasRefused(yaml.composer.ComposerError):
        """An alias: valid YAML, but a submission writes every value out."""

    class SubmissionLoader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise AliasRefused(None, None, f"the alias *{event.anchor} is not allowed in a submission; "
                                   "write the value out", event.start_mark)
            return super().compose_node(parent, index)

    SubmissionLoader.yaml_implicit_resolvers = {}
    resolvers = [
        (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        (_INT, r"^[-+]?[0-9]+$", list("-+0123456789")),
        (_FLOAT, r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", list("-+.0123456789")),
    ]
    for tag, pattern, first in resolvers:
        SubmissionLoader.add_implicit_resolver(tag, re.compile(pattern), first)
    return SubmissionLoader, AliasRefused
