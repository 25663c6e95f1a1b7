"""Read a submission file: YAML in, plain values with the line of every key and value out.

PyYAML composes the file into nodes that carry their position; this module turns the nodes
into plain Python values itself, so it can refuse what a submission never needs (aliases,
custom tags, duplicate keys) and remember where each value was written. Scalars are resolved
the YAML 1.2 way, as editors do: only ``true``/``false`` are booleans (``no``, the language
code, stays text), ``14:30:00`` and ``2024-10-08`` stay text, numbers are plain decimals.

Every problem is a :class:`~conflictdata.report.Fault` naming the file and line; nothing raises.
Hostile files get one fault each, before any YAML is composed when possible: a FIFO, socket,
device or folder (refused without blocking), a symlink that leads out of the contributor's
folder (refused unread, so its target never reaches a message), a file over
:data:`MAX_BYTES`, UTF-16/32 or NUL bytes, characters YAML counts as line breaks but editors
do not (so every line number is the editor's), nesting deeper than :data:`MAX_DEPTH`, and
escapes that are half a character.
"""

from __future__ import annotations

import functools
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..files import NotRegularFileError, open_regular
from ..report import Fault

MAX_BYTES = 1024 * 1024  # one source document's submission; far below this in practice
# A submission nests six levels (file, updates, update, claims, claim, value); far more is a bomb.
MAX_DEPTH = 20
RESOURCE = "submission"
# Fault codes that mean the file could not be read as YAML at all (exit 2, like a broken descriptor).
UNREADABLE = frozenset({"file-missing", "file-unreadable", "file-too-large", "encoding-error", "yaml-syntax"})
_CLIP = 60  # characters of a value quoted in a message
# YAML 1.1 breaks lines at these too; editors do not, so every later line number would be off.
_ODD_BREAKS = {"\x85": "NEL (next line)", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}
_SURROGATE = re.compile("[\ud800-\udfff]")

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


def parse_file(path: str | os.PathLike, *, within: Sequence[str | os.PathLike] | None = None) -> Parsed:
    """Read and parse the submission at ``path``; faults name ``path`` as given.

    Parameters
    ----------
    path : path-like
        The submission file.
    within : sequence of path-like, optional
        Folders a symlink may lead into (default: the current folder). A path that is, or
        passes through, a symlink leading anywhere else is refused unread: in a pull request
        it could point at a secret of the machine that checks it. A path outside these
        folders that no symlink leads to is the user's own choice and is read.

    Examples
    --------
    >>> parsed = parse_file("examples/submissions/dw-2024-10-08.yaml")  # doctest: +SKIP
    >>> parsed.value["source"]["publisher"], parsed.key_lines[("source", "publisher")]  # doctest: +SKIP
    ('DW', 6)
    """
    shown = os.fspath(path)
    parsed = Parsed(shown)
    if _leads_out(path, [Path.cwd().resolve()] if within is None else [Path(w).resolve() for w in within]):
        parsed.fault(None, "file-unreadable", f"{shown} leads outside the current folder and the package through a "
                     "symbolic link; copy the file itself there")
        return parsed
    try:
        with open_regular(path, shown) as f:
            data = f.read(MAX_BYTES + 1)
    except NotRegularFileError as exc:
        parsed.fault(None, "file-unreadable", str(exc))
        return parsed
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
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        parsed.fault(None, "encoding-error", "the file is UTF-16 or UTF-32 (it starts with their byte-order mark); "
                     "save it as UTF-8", line=1)
        return parsed
    nul = data.find(b"\x00")
    if nul >= 0:
        parsed.fault(None, "encoding-error", "a NUL byte: the file is UTF-16, UTF-32 or binary, not text; "
                     "save it as UTF-8", line=_line_at(data, nul))
        return parsed
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        parsed.fault(None, "encoding-error", f"not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
                     line=_line_at(data, exc.start))
        return parsed
    return parse_text(text, shown, parsed)


def _leads_out(path: str | os.PathLike, within: list[Path]) -> bool:
    """True when a symlink in ``path`` leads outside every folder of ``within``."""
    apparent = Path(os.path.abspath(path))
    real = Path(os.path.realpath(path))
    if real == apparent or any(real.is_relative_to(w) for w in within):
        return False
    # No symlink the user did not choose: a path outside ``within`` whose last part is no link.
    return os.path.islink(path) or any(apparent.is_relative_to(w) for w in within)


def _line_at(text: bytes | str, pos: int) -> int:
    """The editor's line of ``pos``: ``\\r\\n``, ``\\r`` and ``\\n`` each end a line, as in YAML."""
    head = text[:pos]
    if isinstance(head, bytes):
        return head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n") + 1
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


def parse_text(text: str, path: str = "<submission>", parsed: Parsed | None = None) -> Parsed:
    """Parse YAML ``text``; see :func:`parse_file`."""
    import yaml

    parsed = parsed or Parsed(path)
    odd = re.search("[" + "".join(_ODD_BREAKS) + "]", text)
    if odd:
        name = _ODD_BREAKS[odd.group()]
        parsed.fault(None, "encoding-error", f"the character U+{ord(odd.group()):04X} ({name}): YAML reads it as "
                     "a line break, editors do not; delete it or write a space", line=_line_at(text, odd.start()))
        return parsed
    loader, refused = _loader()
    try:
        node = yaml.compose(text, Loader=loader)
    except refused as exc:
        parsed.fault(None, exc.code, exc.problem, line=exc.problem_mark.line + 1)
        return parsed
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "quoted scalar" in (exc.context or ""):
            mark = exc.context_mark  # an unclosed quote: where it opens, not the end of the file
        line = mark.line + 1 if mark else None
        parsed.fault(None, "yaml-syntax", _syntax_message(exc), line=line)
        return parsed
    except yaml.reader.ReaderError as exc:
        line = _line_at(text, max(exc.position, 0))
        parsed.fault(None, "yaml-syntax",
                     f"the control character {exc.character:#06x} is not allowed in YAML", line=line)
        return parsed
    except yaml.YAMLError as exc:
        parsed.fault(None, "yaml-syntax", f"not valid YAML: {exc}")
        return parsed
    except RecursionError:  # MAX_DEPTH stops nesting long before; this is a last guard
        parsed.fault(None, "yaml-syntax", "the YAML is nested too deeply to be a submission")
        return parsed
    if node is None:
        parsed.fault(None, "empty-file", "the file holds no YAML; start from `conflictdata new-submission`", line=1)
        return parsed
    parsed.value = _plain(node, (), parsed)
    if parsed.value is None and not parsed.faults:  # 'null', '~' or an empty '---' document
        parsed.fault(None, "empty-file", "the file holds no submission, only an empty value; start from "
                     "`conflictdata new-submission`", line=node.start_mark.line + 1)
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
                shown = clip(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "'a complex key'"
                parsed.fault(None, "yaml-key", f"the key {shown} is not a name; keys are field names such as "
                             "'publisher'", line=key_line)
                continue
            key = _whole_characters(key_node.value)
            if key is None:
                parsed.fault(None, "encoding-error", _half_character(key_node.value), line=key_line)
                continue
            if key in first:
                parsed.fault(None, "duplicate-key", f"the key {clip(key)} appears twice in this mapping "
                             f"(first on line {first[key]}); keep one", line=key_line)
                continue
            first[key] = key_line
            here = (*path, key)  # a local: mypy 2.4 takes a starred tuple in [] for 3.11 syntax
            parsed.key_lines[here] = key_line
            out[key] = _plain(value_node, (*path, key), parsed)
        return out
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            parsed.fault(path, "yaml-tag", f"the tag {node.tag} is not supported; write a plain list")
        return [_plain(item, (*path, i), parsed) for i, item in enumerate(node.value)]
    return _scalar(node, path, parsed)


def _scalar(node, path: tuple, parsed: Parsed):
    tag, text = node.tag, node.value
    whole = _whole_characters(text)
    if whole is None:
        parsed.fault(path, "encoding-error", _half_character(text))
        return text.encode("utf-8", "backslashreplace").decode("utf-8")  # so nothing later fails to write it
    text = whole
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
        what = {"int": "a whole number", "float": "a finite number"}.get(tag.rsplit(":", 1)[-1], "a value")
        parsed.fault(path, "type-error", f"{clip(text)} cannot be read as {what}", value=text[:200])
        return text
    if tag != _STR:
        shown = tag if len(tag) <= _CLIP else tag[:_CLIP] + "..."  # a tag holds no space: it reads unquoted
        parsed.fault(path, "yaml-tag", f"the tag {shown} is not supported; write the value as plain text",
                     value=text[:200])
        return text
    if node.style in ("|", ">"):
        return text.rstrip("\n")  # a block scalar's final line break is layout, not content
    return text


def clip(value, limit: int = _CLIP) -> str:
    """``repr(value)``, cut to about ``limit`` characters with the full length said, for messages.

    Examples
    --------
    >>> clip("9" * 5000, 10)
    "'9999999999...' (5000 characters)"
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    cut = repr(text[:limit])
    return f"{cut[:-1]}...{cut[-1]} ({len(text)} characters)"


def _whole_characters(text: str) -> str | None:
    """``text`` with escaped surrogate pairs joined into their character; None when half of one is alone."""
    if not _SURROGATE.search(text):
        return text
    try:  # "\\ud83d\\ude00" in a double-quoted scalar is two halves; JSON writes emoji that way
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
    except UnicodeDecodeError:
        return None


def _half_character(text: str) -> str:
    """What is wrong with ``text``, which :func:`_whole_characters` refused: its first lone half."""
    i = 0
    while i < len(text):
        c = text[i]
        if "\ud800" <= c <= "\udbff" and i + 1 < len(text) and "\udc00" <= text[i + 1] <= "\udfff":
            i += 2  # a whole pair
            continue
        if _SURROGATE.match(c):
            return (f"the escape \\u{ord(c):04x} is half of a UTF-16 surrogate pair, not a character; "
                    "write the character itself")
        i += 1
    return "the text holds half of a UTF-16 surrogate pair; write the character itself"


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
    """A SafeLoader with YAML 1.2 core-schema resolvers that refuses aliases and deep nesting, and its refusal."""
    import yaml

    class Refused(yaml.composer.ComposerError):
        """Valid YAML that a submission never needs; ``code`` is the fault's."""

        def __init__(self, code: str, problem: str, mark):
            super().__init__(None, None, problem, mark)
            self.code = code

    class SubmissionLoader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):  # an alias: a submission writes every value out
                raise Refused("yaml-alias", f"the alias *{event.anchor} is not allowed in a submission; "
                              "write the value out", event.start_mark)
            if self.depth >= MAX_DEPTH:  # before the composer recurses any deeper
                raise Refused("yaml-syntax", f"the YAML is nested more than {MAX_DEPTH} levels deep; "
                              "a submission needs six", event.start_mark)
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    SubmissionLoader.yaml_implicit_resolvers = {}
    resolvers = [
        (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        (_INT, r"^[-+]?[0-9]+$", list("-+0123456789")),
        (_FLOAT, r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", list("-+.0123456789")),
    ]
    for tag, pattern, first in resolvers:
        SubmissionLoader.add_implicit_resolver(tag, re.compile(pattern), first)
    return SubmissionLoader, Refused
