"""Strict, safe YAML: every scalar stays the string written, with the line of every key.

PyYAML's loaders turn `no` into False, `0755` into 493 and `1.10` into 1.1, keep the
last of two duplicated keys, expand aliases (an alias bomb takes gigabytes) and raise a
bare ValueError for `2024-02-30`. This reader walks PyYAML's event stream instead and
builds plain dicts, lists and strings; types are checked later by the record models.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import yaml
from yaml import events

from disclosure.core.labels import keys_by_label
from disclosure.core.problems import Problem, error

_Parser = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 40
MAX_BYTES = 1_000_000
NULLS = {"", "~", "null", "Null", "NULL"}

Path = tuple[str | int, ...]


@dataclass
class Located:
    """A parsed YAML document: its value and the 1-based line of every key path."""

    value: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path, default: int = 1) -> int:
        """Return the line of `path`, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), default)


class _Refused(Exception):
    def __init__(self, line: int, key: str, message: str) -> None:
        self.line, self.key, self.message = line, key, message


def key_text(path: Path) -> str:
    """Return `attachments[0].file` for ('attachments', 0, 'file')."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def load(text: str, source: str, first_line: int = 1) -> tuple[Located | None, list[Problem]]:
    """Parse `text` (which starts on line `first_line` of file `source`).

    Returns the located value and no problems, or None and the problems found.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        return None, [error(source, first_line, "front_matter", "前置元数据超过 1 MB，请精简")]
    offset = first_line - 1
    located = Located(None)
    try:
        stream = yaml.parse(text, Loader=_Parser)
        located.value = _document(iter(stream), located, offset)
    except _Refused as refused:
        return None, [error(source, refused.line, refused.key or "yaml", refused.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line + 1 + offset) if mark else first_line
        local, message = _explain(exc, text, line - offset)
        return None, [error(source, local + offset, "yaml", message)]
    except yaml.YAMLError as exc:
        return None, [error(source, first_line, "yaml", f"YAML 格式错误（{exc}）")]
    return located, _whitespace_traps(located, source)


def _document(stream: Iterator[events.Event], located: Located, offset: int) -> Any:
    value: Any = None
    for event in stream:
        if isinstance(event, events.DocumentStartEvent):
            if value is not None:
                raise _Refused(_line(event, offset), "yaml", "只能有一个 YAML 文档")
            value = _node(next(stream), stream, located, (), offset, 0)
    return value


def _line(event: events.Event, offset: int) -> int:
    """Return the 1-based line where `event` starts (the parser marks every event it makes)."""
    mark = event.start_mark
    return (mark.line if mark is not None else 0) + 1 + offset


def _node(
    event: events.Event,
    stream: Iterator[events.Event],
    located: Located,
    path: Path,
    offset: int,
    depth: int,
) -> Any:
    line = _line(event, offset)
    key = key_text(path)
    if isinstance(event, events.AliasEvent) or getattr(event, "anchor", None):
        raise _Refused(line, key, "不允许使用 YAML 锚点和别名（& 与 *），请直接写出内容")
    if depth > MAX_DEPTH:
        raise _Refused(line, key, f"嵌套超过 {MAX_DEPTH} 层")
    tag = getattr(event, "tag", None)
    if tag not in (None, "!"):
        raise _Refused(line, key, f"不允许使用 YAML 标签（{tag}），请去掉标签")
    located.lines.setdefault(path, line)
    if isinstance(event, events.ScalarEvent):
        if not event.style and event.value in NULLS:  # plain style: None (Python) or "" (libyaml)
            return None
        return event.value
    if isinstance(event, events.SequenceStartEvent):
        items: list[Any] = []
        for child in stream:
            if isinstance(child, events.SequenceEndEvent):
                return items
            items.append(_node(child, stream, located, (*path, len(items)), offset, depth + 1))
    if isinstance(event, events.MappingStartEvent):
        mapping: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for child in stream:
            if isinstance(child, events.MappingEndEvent):
                return mapping
            key_line = _line(child, offset)
            if not isinstance(child, events.ScalarEvent) or child.anchor or child.tag:
                raise _Refused(key_line, key, "键必须是简单的文字")
            name = child.value
            if name in first_seen:
                raise _Refused(
                    key_line,
                    key_text((*path, name)),
                    f"键重复：第 {first_seen[name]} 行和第 {key_line} 行都写了 {name}，请只保留一个",
                )
            first_seen[name] = key_line
            located.lines[(*path, name)] = key_line
            mapping[name] = _node(next(stream), stream, located, (*path, name), offset, depth + 1)
    raise _Refused(line, key, "无法识别的 YAML 结构")


_HINTS = (
    ("mapping values are not allowed", "此处不能出现“: ”；值里含有冒号时，请给整个值加引号"),
    ("could not find expected ':'", "缺少半角冒号“:”，或上一行的值没有闭合"),
    ("found character '\\t'", "不能用 Tab 缩进，请改用半角空格"),
    ("found unexpected end of stream", "引号或括号没有闭合"),
    ("found unknown escape character", "双引号里的反斜杠需写成 \\\\，或改用单引号"),
    ("expected <block end>", "缩进不一致：同一层的键必须对齐"),
    ("did not find expected key", "缩进不一致：同一层的键必须对齐"),
    ("did not find expected '-' indicator", "列表项缩进不一致"),
    ("did not find expected ',' or '}'", "花括号 { } 里的值含有逗号、方括号或冒号时，请给该值加引号"),
    ("did not find expected ',' or ']'", "方括号 [ ] 里的值含有逗号、花括号或冒号时，请给该值加引号"),
    ("found undefined tag handle", "不允许使用 YAML 标签"),
)


def _explain(exc: yaml.MarkedYAMLError, text: str, local_line: int) -> tuple[int, str]:
    """Return the line to blame and a Chinese explanation of a PyYAML syntax error.

    The parser notices a look-alike character only on the line after it, so the line
    that holds the trap (full-width colon, U+3000 indent, NBSP) is blamed instead.
    """
    lines = text.split("\n")
    for number in (local_line - 1, local_line):
        if not 1 <= number <= len(lines):
            continue
        line = lines[number - 1]
        if _FULLWIDTH_KEY.match(line):
            return number, "使用了全角冒号“：”：键和值之间请用半角冒号加空格，如 title: 标题"
        if "\u3000" in line[: len(line) - len(line.lstrip())]:
            return number, "行首有全角空格（U+3000）：缩进请用半角空格"
        if "\u00a0" in line:
            return number, "含有不间断空格（U+00A0）：请改为普通空格"
    problem = str(exc.problem or "")
    for needle, hint in _HINTS:
        if needle in problem:
            return local_line, f"YAML 格式错误：{hint}"
    return local_line, f"YAML 格式错误（{problem or exc}）"


_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?[^\s:：\"'#][^:：\"']{0,40}：")


def _whitespace_traps(located: Located, source: str) -> list[Problem]:
    """Return problems for keys that loaded only because of look-alike characters."""
    problems: list[Problem] = []
    by_label = keys_by_label()
    value = located.value
    if isinstance(value, str) and _FULLWIDTH_KEY.match(value):
        problems.append(
            error(
                source,
                located.line_of(()),
                "front_matter",
                "使用了全角冒号“：”：键和值之间请用半角冒号加空格，如 title: 标题",
            )
        )
    for path, line in located.lines.items():
        if not path or not isinstance(path[-1], str):
            continue
        name = path[-1]
        if name != name.strip() or "\u3000" in name or "\u00a0" in name:
            problems.append(
                error(source, line, key_text((*path[:-1], name.strip(" \u3000\xa0"))),
                      "键前后有全角空格（U+3000）或不间断空格：缩进请用半角空格")
            )
        elif "：" in name:
            problems.append(
                error(source, line, key_text(path), "键里有全角冒号“：”：请改为半角冒号加空格")
            )
        elif name in by_label and len(path) == 1:
            # a Chinese label used as key: the unknown-key check will name it; nothing here
            continue
    return problems


# A top-level key starts a block at the first column: `title: …`, `"title": …` (not a comment,
# a list dash, a flow collection or a continuation line).
_TOP_KEY = re.compile(r"""^(?:"([^"]+)"|'([^']+)'|([^\s#\-\[\]{}"'][^:#]*?))\s*:(?:\s|$)""")


# A line at the first column starts a block too, unless it continues one (a comment, a list
# dash under its key, a flow collection's closing bracket).
_BLOCK_START = re.compile(r"^[^\s#\-\]}]")
UNREAD = ""  # in `Recovered.broken`: a block whose key could not be read (any key may be in it)


@dataclass
class Recovered:
    """What could still be read of front matter that failed to parse as a whole.

    `located` holds the top-level blocks (a key and its indented lines) that parse on their
    own; `broken` the keys of the blocks that do not (their values are unknown, not missing;
    `UNREAD` for a block whose key is unreadable); `problems` one syntax error per broken block.
    """

    located: Located
    broken: frozenset[str]
    problems: list[Problem]


def recover(text: str, source: str, first_line: int = 1) -> Recovered:
    """Read front matter block by block after `load` refused it, so that one syntax error does not
    hide the other blocks: each top-level key with its indented lines is parsed alone.

    A block that fails is reported at its own line, and its key is `broken`; lines before the
    first key that are not blank or comments make every key unsure, so nothing is recovered.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:  # refused whole by `load`: not read in pieces either
        return Recovered(Located(None), frozenset(), [])
    lines = text.split("\n")
    starts = [n for n, line in enumerate(lines) if _BLOCK_START.match(line)]
    located = Located({})
    if not any(_TOP_KEY.match(lines[n]) for n in starts) or starts[0] != next(
        n for n, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")
    ):
        return Recovered(Located(None), frozenset(), [])
    broken: set[str] = set()
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for start, end in zip(starts, [*starts[1:], len(lines)], strict=True):
        match = _TOP_KEY.match(lines[start])
        name = next(g for g in match.groups() if g is not None).strip() if match else UNREAD
        line = first_line + start
        block, found = load("\n".join(lines[start:end]), source, line)
        if block is None or not isinstance(block.value, dict) or list(block.value) != [name]:
            broken.add(name)
            # said at the key (not `yaml`), within the block (an unclosed bracket is noticed after it)
            last = line + max((n for n, text in enumerate(lines[start:end]) if text.strip()), default=0)
            keyed = name if name != UNREAD else "yaml"
            problems += [replace(p, line=min(p.line, last), key=keyed if p.key in ("yaml", "front_matter") else p.key) for p in found] or [
                error(source, line, keyed, "YAML 格式错误：这一行应为“键: 值”")
            ]
            continue
        if name in seen:
            problems.append(error(source, line, name, f"键重复：第 {seen[name]} 行和第 {line} 行都写了 {name}，请只保留一个"))
            broken.add(name)
            continue
        seen[name] = line
        located.value[name] = block.value[name]
        located.lines.update(block.lines)
        problems += found
    located.lines[()] = first_line
    return Recovered(located, frozenset(broken), problems)
