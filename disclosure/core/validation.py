"""Front matter (already parsed by strict_yaml) → a typed model, or problems with lines.

Pydantic checks types; this module turns its errors into Chinese `path:line` problems and
adds the rules that span fields (dates in order, validity needs a date, …).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from disclosure.core.doc_numbers import parse_doc_number
from disclosure.core.labels import keys_by_label
from disclosure.core.problems import Problem, error, warning
from disclosure.core.records import RecordMeta
from disclosure.core.strict_yaml import Located, key_text

M = TypeVar("M", bound=BaseModel)
_UNION_MEMBERS = {"str", "int", "bool", "float", "date", "none"}

# `build.py new` marks what a person must fill as 【待填写：<label>】; nothing holding one is published.
# Recognised in any bracket (【 [ 〖 〔 （ and their full-width forms), with spaces or invisible
# characters anywhere inside, so that an edited marker is still caught.
_MARKER = re.compile(r"[【\[〖〔(]\s*待\s*填\s*写")
_INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
UNFILLED = "尚未填写"
MISSING = "缺少必填字段"


def to_fill(label: str) -> str:
    """Return the marker `build.py new` writes where a person must fill `label`: 【待填写：设定依据】."""
    return f"【待填写：{label}】"


def is_unfilled(text: str) -> bool:
    """Return True when `text` still holds a 待填写 marker."""
    if "待" not in text:  # no other character reads as 待 (NFKC): most values end here
        return False
    return _MARKER.search(unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))) is not None


def _unfilled_message(text: str) -> str:
    shown = text.strip() if len(text.strip()) <= 40 else text.strip()[:40] + "…"
    return f"{UNFILLED}：请把“{shown}”换成实际内容（可不写的项可整行删除）；有待填写标记的记录不会发布"

def unfilled_fields(located: Located, path: Path) -> tuple[list[Problem], set[tuple[Any, ...]]]:
    """Return an error for every value still holding a 待填写 marker, and the places of those values."""
    problems: list[Problem] = []
    places: set[tuple[Any, ...]] = set()
    pending: list[tuple[tuple[Any, ...], Any]] = [((), located.value)]
    while pending:  # no recursion: a deep mapping must get a message, never a RecursionError
        loc, value = pending.pop()
        if isinstance(value, dict):
            pending += [((*loc, k), v) for k, v in value.items()]
        elif isinstance(value, list | tuple):
            pending += [((*loc, i), v) for i, v in enumerate(value)]
        elif isinstance(value, str) and is_unfilled(value):
            places.add(loc)
            problems.append(error(path, located.line_of(loc), key_text(loc) or "front_matter", _unfilled_message(value)))
    return sorted(problems, key=lambda p: (p.line, p.key)), places


def unfilled_body(body: str, path: object, first_line: int) -> list[Problem]:
    """Return an error for every line of a body still holding a 待填写 marker."""
    if "待" not in body:
        return []
    return [
        error(str(path), first_line + n, "body", _unfilled_message(line))
        for n, line in enumerate(body.split("\n"))
        if is_unfilled(line)
    ]


def validate_model(
    model: type[M], located: Located, path: Path, what: str = "前置元数据"
) -> tuple[M | None, list[Problem]]:
    """Return `located.value` validated as `model`, or None and every problem found."""
    value = located.value
    if not isinstance(value, dict):
        shown = "空的" if value is None else "不是“键: 值”的映射"
        return None, [error(path, located.line_of(()), "front_matter", f"{what}{shown}；请按 键: 值 逐行书写")]
    unfilled, places = unfilled_fields(located, path)
    try:
        return model.model_validate(value), unfilled
    except ValidationError as exc:
        found = [_problem(e, model, located, path) for e in exc.errors(include_url=False)]
        # a marker in a date or list-of-choices field fails its type too: 尚未填写 says it all
        errors = exc.errors(include_url=False)
        return None, unfilled + [p for p, e in zip(found, errors, strict=True) if not _under(_loc(e, model), places)]


def _loc(err: Any, model: type[BaseModel]) -> tuple[Any, ...]:
    """Return the place of a pydantic error as keys and indices of the front matter.

    For `Model | str` pydantic adds the union member to loc ('str', 'function-after[…]'); such a
    tag is dropped, but a field of that name (`changes[0].date`) is kept.
    """
    loc: list[Any] = []
    current: Any = model
    for part in err["loc"]:
        fields = getattr(current, "model_fields", {})
        if isinstance(part, int):
            loc.append(part)
        elif part in fields or any(f.alias == part for f in fields.values()):
            loc.append(part)
            field = fields.get(part) or next(f for f in fields.values() if f.alias == part)
            current = _inner_model(field.annotation)
        elif not (part in _UNION_MEMBERS or "[" in str(part)):
            loc.append(part)
    return tuple(loc)


def _under(loc: tuple[Any, ...], places: set[tuple[Any, ...]]) -> bool:
    """Return True when `loc` is one of `places` or inside one."""
    return any(loc[: len(place)] == place for place in places)


def _problem(err: Any, model: type[BaseModel], located: Located, path: Path) -> Problem:
    loc = _loc(err, model)
    key = key_text(loc) or "front_matter"
    line = located.line_of(loc)
    return error(path, line, key, _message(err, model, loc))


def _message(err: Any, model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    given = err.get("input")
    if kind == "missing":
        return MISSING
    if kind == "extra_forbidden":
        return _unknown_key(str(loc[-1]), model, loc)
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "literal_error":
        allowed = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"应为以下之一：{'、'.join(allowed)}（实为“{given}”）"
    if kind in ("string_type", "str_type"):
        return "应为文字（不是列表或映射）"
    if kind in ("list_type", "tuple_type"):
        return "应为列表（每项一行，以 - 开头）"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "应为“键: 值”映射"
    if kind == "string_too_long":
        return f"过长：最多 {ctx.get('max_length')} 字，实为 {len(str(given))} 字"
    if kind == "too_long":  # a list, or a string checked after validation
        unit = "字" if isinstance(given, str) else "项"
        return f"过长：最多 {ctx.get('max_length')} {unit}，实为 {len(given) if hasattr(given, '__len__') else '更多'} {unit}"
    if kind in ("float_parsing", "float_type", "decimal_parsing", "finite_number"):
        return f"应为数字（实为“{given}”）"
    if kind in ("string_too_short", "too_short"):
        return "不能为空"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"应为整数（实为“{given}”）"
    if kind in ("bool_parsing", "bool_type"):
        return f"应为 true 或 false（实为“{given}”）"
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"数值超出范围（实为 {given}）"
    if kind.startswith("url"):
        return f"应为完整网址，如 https://www.example.gov.cn（实为“{given}”）"
    return f"取值无效（{err['msg']}）"


def _unknown_key(name: str, model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    known = _fields_at(model, loc[:-1])
    by_label = keys_by_label()
    if name in by_label and by_label[name] in known:
        return f"未知字段“{name}”：键请用英文，“{name}”应写作 {by_label[name]}"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"，是否应为 {close[0]}？" if close else f"；可用的字段：{', '.join(known)}"
    return f"未知字段“{name}”{hint}"


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Return the field names of the (nested) model that `loc` points into."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        current = _inner_model(field.annotation)
    return list(current.model_fields) if hasattr(current, "model_fields") else []


def _inner_model(annotation: Any) -> Any:
    for arg in getattr(annotation, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        found = _inner_model(arg)
        if found is not None:
            return found
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def normalise_doc_numbers(located: Located, path: Path) -> list[Problem]:
    """Rewrite 发文字号 values (record and basis) to the standard form; return warnings/errors."""
    problems: list[Problem] = []
    value = located.value
    if not isinstance(value, dict):
        return problems
    targets: list[tuple[dict[str, Any], tuple[Any, ...]]] = [(value, ())]
    basis = value.get("basis")
    if isinstance(basis, list):
        targets += [(b, ("basis", i)) for i, b in enumerate(basis) if isinstance(b, dict)]
    for mapping, prefix in targets:
        raw = mapping.get("doc_number")
        if not isinstance(raw, str) or not raw.strip():
            continue
        parsed = parse_doc_number(raw)
        loc = (*prefix, "doc_number")
        line = located.line_of(loc)
        if parsed.error:
            problems.append(error(path, line, key_text(loc), parsed.error))
        elif parsed.warning:
            problems.append(warning(path, line, key_text(loc), parsed.warning))
            mapping["doc_number"] = parsed.text
    return problems


def top_key(key: str) -> str:
    """Return the top-level front-matter key a problem's key lies under: `steps[2].id` → `steps`."""
    return re.split(r"[.\[]", key, maxsplit=1)[0]


# Raw values tried, in turn, for a required field whose own value was refused, only so that
# the other fields can be typed and checked (see `salvage`); never shown, never published.
_STAND_INS: tuple[Any, ...] = ("2000-01-01", "1", ["1"], {})


def salvage(model: type[M], value: Any, refused: set[str] | frozenset[str]) -> M | None:
    """Return the record typed without the top-level keys in `refused`, or None when it cannot be.

    A bad value hides no other check: the rules of a record (dates in order, a power's flow) can
    still run on the fields that validated. A required field among `refused` gets a stand-in only
    while validating; every refused field is then removed from the instance, so a rule that reads
    one raises AttributeError (run the rules with `run_guarded`, which skips such a rule: it
    would only judge a value that is not the one written).
    """
    if not isinstance(value, dict):
        return None
    kept = {k: v for k, v in value.items() if k not in refused}
    fields = model.model_fields
    required = [k for k in refused if k in fields and fields[k].is_required()]
    tried = dict.fromkeys(required, 0)
    for _ in range(len(_STAND_INS)):
        attempt = {**kept, **{k: _STAND_INS[n] for k, n in tried.items()}}
        try:
            meta = model.model_validate(attempt)
        except ValidationError as exc:
            failing = {str(e["loc"][0]) for e in exc.errors(include_url=False) if e["loc"]}
            if not failing <= set(tried) or all(tried[k] + 1 >= len(_STAND_INS) for k in failing):
                return None  # a field not refused fails now (a rule across fields): nothing to salvage
            for k in failing:
                tried[k] = min(tried[k] + 1, len(_STAND_INS) - 1)
            continue
        for k in refused:
            meta.__dict__.pop(k, None)  # read by no rule: AttributeError instead of a default or stand-in
        return meta
    return None


def is_salvaged(meta: BaseModel) -> bool:
    """Return whether `meta` came from `salvage`: some of its fields were refused and are missing."""
    return any(name not in meta.__dict__ for name in type(meta).model_fields)


def run_guarded(check: Callable[..., list[Problem]], *args: Any, holes: bool = False) -> list[Problem]:
    """Return `check(*args)`; on a salvaged record (`holes`), nothing when the check reads a refused field."""
    if not holes:
        return check(*args)
    try:
        return check(*args)
    except AttributeError:  # it reads a field whose value was refused: that value is reported already
        return []


def check_record_rules(
    meta: RecordMeta, lines: dict[str, int], path: Path, index_pattern: str, holes: bool = False
) -> list[Problem]:
    """Return problems of rules that span fields of one record (each rule on its own: on a
    salvaged record, `holes`, a rule reading a refused field is skipped, the others still run)."""
    return [p for rule in _RECORD_RULES for p in run_guarded(rule, meta, lines, path, index_pattern, holes=holes)]


def _dates_in_order(meta: RecordMeta, lines: dict[str, int], path: Path, index_pattern: str) -> list[Problem]:
    if meta.published < meta.written:
        return [error(path, lines.get("published", 1), "published", f"发布日期 {meta.published} 早于成文日期 {meta.written}")]
    return []


def _index_number_form(meta: RecordMeta, lines: dict[str, int], path: Path, index_pattern: str) -> list[Problem]:
    if not re.match(index_pattern, meta.index_number):
        return [
            error(
                path,
                lines.get("index_number", 1),
                "index_number",
                f"索引号“{meta.index_number}”格式不对：应为 <机构代码>/<年份>-<5位流水号>，如 000014349/2018-00204",
            )
        ]
    return []


def _validity(meta: RecordMeta, lines: dict[str, int], path: Path, index_pattern: str) -> list[Problem]:
    problems: list[Problem] = []

    def line(key: str) -> int:
        return lines.get(key, 1)

    if meta.validity != "有效" and meta.validity_date is None:
        problems.append(error(path, line("validity"), "validity_date", f"有效性为“{meta.validity}”时必须写失效日期"))
    if meta.validity == "废止" and not meta.repealed_by:
        problems.append(error(path, line("validity"), "repealed_by", "有效性为“废止”时必须写废止依据（废止本件的记录的索引号或标题）"))
    if meta.validity == "有效" and (meta.validity_date or meta.repealed_by):
        key = "validity_date" if meta.validity_date else "repealed_by"
        problems.append(error(path, line(key), key, "记录仍为“有效”，不应写失效日期或废止依据；若已失效，请把有效性改为失效或废止"))
    return problems


def _doc_number_year(meta: RecordMeta, lines: dict[str, int], path: Path, index_pattern: str) -> list[Problem]:
    if meta.doc_number:
        parsed = parse_doc_number(meta.doc_number)
        if parsed.year and parsed.year != meta.written.year:
            return [
                warning(path, lines.get("doc_number", 1), "doc_number",
                        f"发文字号年份 {parsed.year} 与成文日期年份 {meta.written.year} 不一致")
            ]
    return []


def _changes_after_publication(meta: RecordMeta, lines: dict[str, int], path: Path, index_pattern: str) -> list[Problem]:
    problems: list[Problem] = []
    for i, change in enumerate(meta.changes):
        if change.date < meta.published:
            key = f"changes[{i}].date"
            problems.append(error(path, lines.get(key, 1), key, f"更新日期 {change.date} 早于发布日期 {meta.published}"))
    return problems


_RECORD_RULES = (_dates_in_order, _index_number_form, _validity, _doc_number_year, _changes_after_publication)
