"""Power items (`content/powers/`): 权力事项 with their procedure (steps, flow) and 廉政风险点.

The model, the rules over the flow graph (unknown step ids, unreachable steps, cycles,
time limits against the law), the site-wide index (`power_index`, Site.indexes["power"])
and the pages that show it: /powers/, /risks/ and each item's flowchart (`PAGES`).
The flowchart itself is drawn by `disclosure.kinds.power_flowchart` at validation time.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator

from disclosure.core.fields import Text, one_or_many
from disclosure.core.labels import kind_labels
from disclosure.core.problems import Problem, error, warning
from disclosure.core.records import NonEmpty, Record, RecordMeta, Strict, titled
from disclosure.kinds.base import Kind, KindPage, Row, SearchPart, SiteView, Table, marker
from disclosure.kinds.power_flowchart import draw_flowchart, edges_of

# the keys only this kind has, labelled before the shared ones (core/labels.py)
LABELS = kind_labels("power", {
    "code": "权力编码",  # agencies.yaml's `code` (LABELS) is 机构代码
    "power_type": "权力类型",
    "basis": "设定依据",
    "basis.law": "法律法规名称",
    "basis.article": "条款",
    "legal_limit_days": "法定时限",
    "promised_limit_days": "承诺时限",
    "fee": "收费标准及依据",
    "supervision": "监督方式",
    "supervision.phone": "监督电话",
    "supervision.address": "监督地址",
    "steps": "办理环节",
    "steps.id": "步骤编号",
    "steps.name": "环节名称",
    "steps.post": "承办岗位",
    "steps.limit_days": "办理时限",
    "steps.description": "环节说明",
    "steps.risks": "廉政风险点",
    "steps.risks.point": "风险点",
    "steps.risks.level": "风险等级",
    "steps.risks.measures": "防控措施",
    "steps.risks.owner": "责任人",
    "flow": "流程连线",
    "flow.from": "起点步骤",
    "flow.to": "终点步骤",
    "flow.when": "流转条件",
})
_f = titled("power")  # field titles from LABELS, then the shared labels

# The ten types of 中办发〔2015〕21号, with the national codes 01–10.
PowerType = Literal[
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政征收",
    "行政给付",
    "行政检查",
    "行政确认",
    "行政奖励",
    "行政裁决",
    "其他行政权力",
]
POWER_TYPES: tuple[str, ...] = get_args(PowerType)
LEVELS = ("高", "中", "低")
LEVEL_SLUGS = {"高": "high", "中": "medium", "低": "low"}
LICENCE_DAYS = 20  # 行政许可法第四十二条
LICENCE_EXTENSION = 10
STEP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


class LawArticle(Strict):
    law: NonEmpty = _f("basis.law", description="如 中华人民共和国行政许可法")
    article: NonEmpty = _f("basis.article", description="如 第四十二条")


class Supervision(Strict):
    phone: NonEmpty = _f("supervision.phone")
    address: NonEmpty | None = _f("supervision.address", default=None)


class Risk(Strict):
    point: NonEmpty = _f("steps.risks.point")
    level: Literal["高", "中", "低"] = _f("steps.risks.level")
    measures: Annotated[tuple[NonEmpty, ...], BeforeValidator(one_or_many)] = _f(
        "steps.risks.measures", min_length=1
    )
    owner: NonEmpty = _f("steps.risks.owner", description="责任人，如 科室负责人、分管领导")


class Step(Strict):
    id: NonEmpty = _f("steps.id", description="英文字母、数字、- 或 _，如 shouli；flow 和网页锚点用它")
    name: NonEmpty = _f("steps.name")
    post: NonEmpty = _f("steps.post")
    limit_days: int | None = _f("steps.limit_days", default=None, ge=0, le=3650)
    description: Text | None = _f("steps.description", default=None)
    risks: tuple[Risk, ...] = _f("steps.risks", default=())

    @property
    def anchor(self) -> str:
        return f"step-{self.id}"


class Edge(Strict):
    from_: NonEmpty = _f("flow.from", alias="from")
    to: NonEmpty = _f("flow.to")
    when: Text | None = _f("flow.when", default=None)


class PowerMeta(RecordMeta):
    """A 权力事项 with its 公示 fields, steps and flow (`content/powers/`)."""

    code: NonEmpty = _f("code")
    power_type: PowerType = _f("power_type")
    basis: tuple[LawArticle, ...] = _f("basis", min_length=1)
    legal_limit_days: int | None = _f("legal_limit_days", default=None, ge=0, le=3650)
    promised_limit_days: int | None = _f("promised_limit_days", default=None, ge=0, le=3650)
    fee: NonEmpty = _f("fee", description="收费标准及依据，或“不收费”")
    supervision: Supervision = _f("supervision")
    steps: tuple[Step, ...] = _f("steps", min_length=1)
    flow: tuple[Edge, ...] = _f("flow", default=())

    @property
    def type_code(self) -> str:
        return f"{POWER_TYPES.index(self.power_type) + 1:02d}"


# ---- the flow graph (its edges: power_flowchart.edges_of) ----


def power_rules(meta: RecordMeta, lines: dict[str, int], path: Path) -> list[Problem]:
    """Return problems in a power item's steps, flow, risks and time limits."""
    assert isinstance(meta, PowerMeta)
    problems: list[Problem] = []

    def line(key: str) -> int:
        while key:
            if key in lines:
                return lines[key]
            key = key.rpartition(".")[0] if "." in key else key.rpartition("[")[0]
        return 1

    seen: dict[str, int] = {}
    for i, step in enumerate(meta.steps):
        key = f"steps[{i}].id"
        if not STEP_ID.match(step.id):
            problems.append(error(path, line(key), key, f"步骤编号“{step.id}”只能用英文字母、数字、- 和 _，如 shouli（网页锚点和流程连线用它）"))
        if step.id in seen:
            problems.append(error(path, line(key), key, f"步骤编号“{step.id}”重复：第 {seen[step.id]} 行已有"))
        seen.setdefault(step.id, line(key))
    if len(seen) < len(meta.steps):
        return problems
    known = "、".join(seen)
    graph_ok = True
    for i, edge in enumerate(meta.flow):
        for end, value in (("from", edge.from_), ("to", edge.to)):
            if value not in seen:
                key = f"flow[{i}].{end}"
                problems.append(error(path, line(key), key, f"流程中的步骤编号“{value}”不存在；已有的步骤：{known}"))
                graph_ok = False
    if not graph_ok:
        return problems
    edges = edges_of(meta)
    cycle = find_cycle(meta.steps[0].id, [s.id for s in meta.steps], edges)
    if cycle is not None:
        closing, ids = cycle
        key = f"flow[{closing}]"
        names = {s.id: s.name for s in meta.steps}
        shown = " → ".join(f"{names[i]}（{i}）" for i in ids)
        problems.append(error(path, line(key), key, f"流程出现循环：{shown}；流程图应从第一步单向走到办结，退回补正等情形请写在步骤说明中"))
        return problems
    reached = reachable(meta.steps[0].id, edges)
    for i, step in enumerate(meta.steps):
        if step.id not in reached:
            key = f"steps[{i}].id"
            problems.append(error(path, line(key), key, f"步骤“{step.name}”（{step.id}）从第一步“{meta.steps[0].name}”出发无法到达；请在 flow 中补上指向它的连线"))
    if problems:
        return problems
    problems += _limit_warnings(meta, edges, line, path)
    return problems


def _limit_warnings(meta: PowerMeta, edges: list[tuple[str, str, str | None]], line: Any, path: Path) -> list[Problem]:
    problems: list[Problem] = []
    total, route = longest_limit_path(meta, edges)
    names = {s.id: s.name for s in meta.steps}
    shown = "→".join(names[i] for i in route)
    legal = meta.legal_limit_days
    if legal is not None and total > legal:
        problems.append(
            warning(path, line("legal_limit_days"), "legal_limit_days", f"各环节时限合计最长 {total} 个工作日（{shown}），超过法定时限 {legal} 个工作日")
        )
    if meta.promised_limit_days is not None and legal is not None and meta.promised_limit_days > legal:
        problems.append(
            warning(path, line("promised_limit_days"), "promised_limit_days", f"承诺时限 {meta.promised_limit_days} 个工作日长于法定时限 {legal} 个工作日")
        )
    if meta.power_type == "行政许可":
        for key, days in (("legal_limit_days", legal), ("promised_limit_days", meta.promised_limit_days)):
            if days is not None and days > LICENCE_DAYS:
                problems.append(warning(path, line(key), key, _licence_message(days)))
        if legal is None and total > LICENCE_DAYS:
            problems.append(warning(path, line("steps"), "steps", f"各环节时限合计最长 {total} 个工作日（{shown}）；{_licence_message(total)}"))
    return problems


def _licence_message(days: int) -> str:
    if days <= LICENCE_DAYS + LICENCE_EXTENSION:
        return (
            f"{days} 个工作日超过行政许可法定的 {LICENCE_DAYS} 个工作日；只有经本行政机关负责人批准才可延长 "
            f"{LICENCE_EXTENSION} 日，并应告知申请人理由（行政许可法第四十二条）"
        )
    return (
        f"{days} 个工作日超过行政许可法第四十二条的 {LICENCE_DAYS} 个工作日加延长 {LICENCE_EXTENSION} 日；"
        "除非法律、法规另有规定，请核对时限并在设定依据中写明该规定"
    )


def find_cycle(start: str, ids: list[str], edges: list[tuple[str, str, str | None]]) -> tuple[int, list[str]] | None:
    """Return (index of the edge closing a cycle, the cycle's step ids), or None for a DAG.

    Depth-first with an explicit stack, not recursion: a 500-step procedure must get a
    message, never a RecursionError (issue 10).
    """
    out: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for n, (a, b, _) in enumerate(edges):
        out[a].append((n, b))
    state: dict[str, int] = {}  # 1 on the path, 2 done
    for root in [start, *ids]:
        if root in state:
            continue
        state[root] = 1
        path = [root]
        pending = [iter(out[root])]
        while pending:
            step = next(pending[-1], None)
            if step is None:
                pending.pop()
                state[path.pop()] = 2
                continue
            n, nxt = step
            if state.get(nxt) == 1:
                return n, [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                pending.append(iter(out[nxt]))
    return None


def reachable(start: str, edges: list[tuple[str, str, str | None]]) -> set[str]:
    out: dict[str, list[str]] = defaultdict(list)
    for a, b, _ in edges:
        out[a].append(b)
    seen, todo = {start}, [start]
    while todo:
        for nxt in out[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def longest_limit_path(meta: PowerMeta, edges: list[tuple[str, str, str | None]]) -> tuple[int, list[str]]:
    """Return the largest sum of step limits along any route from the first step, and that route."""
    limit = {s.id: s.limit_days or 0 for s in meta.steps}
    out: dict[str, list[str]] = defaultdict(list)
    for a, b, _ in edges:
        out[a].append(b)
    # Longest path in a DAG (find_cycle ran first), in reverse topological order: no recursion.
    order: list[str] = []
    seen: set[str] = set()
    first = meta.steps[0].id
    stack: list[tuple[str, bool]] = [(first, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack += [(n, False) for n in reversed(out[node]) if n not in seen]
    best: dict[str, tuple[int, str | None]] = {}  # node → (total from here, next node on the route)
    for node in order:  # every successor comes before its predecessors
        tails = [(best[n][0], n) for n in out[node] if n in best]
        total, after = max(tails, key=lambda t: t[0]) if tails else (0, None)
        best[node] = (limit[node] + total, after)
    route: list[str] = []
    hop: str | None = first
    while hop is not None:
        route.append(hop)
        hop = best[hop][1]
    return best[first][0], route


# ---- the site-wide indexes: /powers/ and /risks/ ----


@dataclass(frozen=True, slots=True)
class RiskEntry:
    """One 廉政风险点 with the power item and step it belongs to."""

    record: Record
    step: Step
    risk: Risk


@dataclass(frozen=True)
class PowerIndex:
    by_type: list[tuple[str, str, list[tuple[str, list[Record]]]]]  # (type, code, [(agency, records)])
    risks: list[tuple[str, list[tuple[str, list[RiskEntry]]]]]  # (level, [(agency, entries)])
    risk_counts: dict[str, int]
    flowcharts: dict[str, str]  # slug → the SVG of each item whose flow could be drawn, newest first


def power_index(records: tuple[Record, ...], view: SiteView) -> PowerIndex:
    """Return the 权力清单 by type then agency, and the risk catalogue by level then agency.

    The kind's `index` hook (Site.indexes["power"]): `records` newest first, agencies in
    the order of agencies.yaml (`view.agencies`).
    """
    powers = sorted(records, key=lambda r: _meta(r).code)
    order = {name: n for n, name in enumerate(view.agencies)}
    by_type = []
    for n, power_type in enumerate(POWER_TYPES, start=1):
        grouped: dict[str, list[Record]] = defaultdict(list)
        for record in powers:
            if _meta(record).power_type == power_type:
                grouped[record.meta.agency[0]].append(record)
        if grouped:
            agencies_found = sorted(grouped, key=lambda a: order.get(a, len(order)))
            by_type.append((power_type, f"{n:02d}", [(a, grouped[a]) for a in agencies_found]))
    risks = []
    counts: dict[str, int] = {}
    for level in LEVELS:
        grouped_risks: dict[str, list[RiskEntry]] = defaultdict(list)
        for record in powers:
            for step in _meta(record).steps:
                for risk in step.risks:
                    if risk.level == level:
                        grouped_risks[record.meta.agency[0]].append(RiskEntry(record, step, risk))
        counts[level] = sum(len(v) for v in grouped_risks.values())
        agencies_found = sorted(grouped_risks, key=lambda a: order.get(a, len(order)))
        risks.append((level, [(a, grouped_risks[a]) for a in agencies_found]))
    flowcharts = {r.slug: r.extra["svg"] for r in records if r.extra.get("svg")}
    return PowerIndex(by_type, risks, counts, flowcharts)


def _meta(record: Record) -> PowerMeta:
    meta = record.meta
    assert isinstance(meta, PowerMeta)
    return meta


def prepare_power(meta: RecordMeta, lines: dict[str, int], path: Path) -> tuple[Mapping[str, Any], list[Problem]]:
    """Return `{"svg": …}`: the flowchart drawn at build time (only for a valid flow)."""
    assert isinstance(meta, PowerMeta)
    if power_rules_blocking(meta):
        return {}, []
    svg = draw_flowchart(meta)
    root = ET.fromstring(svg)
    return {"svg": svg, "svg_width": root.get("width"), "svg_height": root.get("height")}, []


def power_rules_blocking(meta: PowerMeta) -> bool:
    """Return True when the flow cannot be drawn (the rules report why)."""
    ids = [s.id for s in meta.steps]
    if len(set(ids)) < len(ids) or any(e.from_ not in ids or e.to not in ids for e in meta.flow):
        return True
    return find_cycle(ids[0], ids, edges_of(meta)) is not None


# ---- the pages: /powers/, /risks/ and each item's flowchart, and the templates' helpers ----


def powers_page(index: PowerIndex) -> dict[str, Any]:
    """Return powers.html's variables: the 权力清单."""
    return {"index": index}


def risks_page(index: PowerIndex) -> dict[str, Any]:
    """Return risks.html's variables: the 廉政风险等级目录."""
    return {"index": index, "level_slugs": LEVEL_SLUGS}


def flowchart_file(index: PowerIndex, slug: str) -> dict[str, Any] | None:
    """Return the flowchart SVG of the item `slug` as the response body, or None when it has none."""
    svg = index.flowcharts.get(slug)
    return {"body": svg} if svg else None


def one_page(index: PowerIndex) -> tuple[dict[str, Any]]:
    """Return the values of a page without parameters: it always exists."""
    return ({},)


def flowchart_urls(index: PowerIndex) -> Iterator[dict[str, Any]]:
    """Yield the values of every flowchart (none without a drawable flow)."""
    for slug in index.flowcharts:
        yield {"slug": slug}


PAGES = (
    KindPage("powers", ("/powers/",), "powers.html", powers_page, one_page, feed="kind/power", nav="权力清单"),
    KindPage("risks", ("/risks/",), "risks.html", risks_page, one_page, feed="kind/power", nav="廉政风险等级目录"),
    KindPage(
        "flowchart", ("/records/<slug>/flowchart.svg",), None, flowchart_file, flowchart_urls,
        mimetype="image/svg+xml", feed="kind/power",
    ),
)


def days(value: int | None) -> str:
    """Return a time limit in words: 20 个工作日, 即时办理, or — when none is set."""
    if value is None:
        return "—"
    return "即时办理" if value == 0 else f"{value} 个工作日"


def flow_next(meta: PowerMeta) -> dict[str, list[tuple[Step, str | None]]]:
    """Return each step's next steps with their conditions."""
    steps = {s.id: s for s in meta.steps}
    found: dict[str, list[tuple[Step, str | None]]] = {}
    for a, b, when in edges_of(meta):
        found.setdefault(a, []).append((steps[b], when))
    return found


def risk_summary(meta: PowerMeta) -> str:
    """Return the item's risk points by level: 高风险 1 个、中风险 2 个 (empty when none)."""
    found: Counter[str] = Counter(r.level for s in meta.steps for r in s.risks)
    return "、".join(f"{level}风险 {found[level]} 个" for level in LEVEL_SLUGS if found[level])


def level_slug(level: str) -> str:
    """Return the ASCII class/anchor part of a risk level: 高 → high."""
    return LEVEL_SLUGS[level]


def template_globals(index: PowerIndex) -> dict[str, Callable[..., Any]]:
    """Return the Jinja globals of this kind's templates: time limits, next steps, risk levels."""
    return {"level_slug": level_slug, "days": days, "flow_next": flow_next, "risk_summary": risk_summary}


# ---- what the rest of the build asks of a power item ----


def power_scaffold(day: date, agency: str) -> str:
    """Return a power item's own fields: its 公示 fields and a three-step procedure run in order."""
    m = partial(marker, "power")
    steps = "".join(
        f"  - id: {step_id}\n    name: {name}\n    post: {m('steps.post')}\n    # limit_days: 1\n"
        for step_id, name in (("shouli", "受理"), ("shencha", "审查"), ("jueding", "决定"))
    )
    return (
        f"code: {m('code')}\n"
        f"power_type: {m('power_type')}   # {'、'.join(POWER_TYPES)}\n"
        "basis:\n"
        f"  - law: {m('basis.law')}\n"
        f"    article: {m('basis.article')}\n"
        "# legal_limit_days: 20   # 法定时限（工作日）\n"
        "# promised_limit_days: 10   # 承诺时限（工作日）\n"
        f"fee: {m('fee')}   # 或“不收费”\n"
        "supervision:\n"
        f"  phone: {m('supervision.phone')}\n"
        "  # address: 监督地址\n"
        "steps:  # 按顺序办理；有分支时另写 flow（from / to / when）\n"
        f"{steps}"
    )


def power_feed_html(record: Record) -> Iterator[str]:
    """Yield the procedure a feed entry shows after the body: type, code, steps and risks."""
    e = html.escape
    meta = _meta(record)
    steps = "".join(
        f"<li>{e(s.name)}（{e(s.post)}" + (f"，{s.limit_days} 个工作日" if s.limit_days is not None else "") + "）"
        + "".join(f"<br>廉政风险点（{e(r.level)}）：{e(r.point)}" for r in s.risks) + "</li>"
        for s in meta.steps
    )
    yield f"<p>权力类别：{e(meta.power_type)}；权力编码：{e(meta.code)}</p><ol>{steps}</ol>"


def power_texts(record: Record) -> Mapping[str, str]:
    """Return the procedure as a feed shows it, under `steps` (bound for feeds)."""
    return {"steps": "".join(power_feed_html(record))}


def power_search_text(record: Record) -> Iterator[str]:
    """Yield what the page shows beyond the common fields: code, type, basis, fee, steps and their risks."""
    meta = _meta(record)
    yield from (meta.code, meta.power_type, meta.fee)
    for basis in meta.basis:
        yield f"{basis.law} {basis.article}"
    if meta.supervision.address:
        yield meta.supervision.address
    for part in power_search_parts(record):
        yield from (part.text, part.detail)


def power_names(record: Record) -> Iterator[str]:
    """Yield the power's name: a whole word for pinyin and corrections."""
    yield record.meta.title


def power_search_parts(record: Record) -> Iterator[SearchPart]:
    """Yield every step as a place a search result links to (#step-shencha): name, post, description, risks."""
    for step in _meta(record).steps:
        detail = [step.description] if step.description else []
        for risk in step.risks:
            detail.append(f"廉政风险点（{risk.level}）：{risk.point}；防控措施：{'、'.join(risk.measures)}；责任人：{risk.owner}")
        yield SearchPart(step.anchor, "环节", f"{step.name}（{step.post}）", "；".join(detail))


def power_rows(records: tuple[Record, ...], index: object) -> list[Row]:
    """Return one row per power item: its 公示 fields and counts."""
    return [
        {
            "index_number": m.index_number,
            "code": m.code,
            "name": m.title,
            "power_type": m.power_type,
            "agencies": list(m.agency),
            "basis": [f"{b.law}{b.article}" for b in m.basis],
            "legal_limit_days": m.legal_limit_days,
            "promised_limit_days": m.promised_limit_days,
            "fee": m.fee,
            "supervision_phone": m.supervision.phone,
            "supervision_address": m.supervision.address,
            "steps_count": len(m.steps),
            "risks_count": sum(len(step.risks) for step in m.steps),
        }
        for m in map(_meta, records)
    ]


def power_step_rows(records: tuple[Record, ...], index: object) -> list[Row]:
    """Return one row per step of every power item, numbered from 1."""
    return [
        {
            "index_number": m.index_number,
            "code": m.code,
            "sequence": n,
            "step_id": step.id,
            "name": step.name,
            "post": step.post,
            "limit_days": step.limit_days,
            "description": step.description,
            "risks_count": len(step.risks),
        }
        for m in map(_meta, records)
        for n, step in enumerate(m.steps, start=1)
    ]


def power_risk_rows(records: tuple[Record, ...], index: object) -> list[Row]:
    """Return one row per 廉政风险点 of every step of every power item."""
    return [
        {
            "index_number": m.index_number,
            "code": m.code,
            "power_name": m.title,
            "step_id": step.id,
            "step_name": step.name,
            "point": risk.point,
            "level": risk.level,
            "measures": list(risk.measures),
            "owner": risk.owner,
        }
        for m in map(_meta, records)
        for step in m.steps
        for risk in step.risks
    ]


TABLES = (
    Table(
        "power-items",
        "权力事项",
        {"index_number": "索引号", "code": "权力编码", "name": "事项名称", "power_type": "权力类别",
         "agencies": "实施机关", "basis": "设定依据", "legal_limit_days": "法定时限（工作日）",
         "promised_limit_days": "承诺时限（工作日）", "fee": "收费标准", "supervision_phone": "监督电话",
         "supervision_address": "监督地址", "steps_count": "流程步骤数", "risks_count": "廉政风险点数"},
        power_rows,
    ),
    Table(
        "power-steps",
        "权力运行流程步骤",
        {"index_number": "索引号", "code": "权力编码", "sequence": "序号", "step_id": "步骤代码",
         "name": "步骤名称", "post": "承办岗位", "limit_days": "办理时限（工作日）", "description": "环节说明",
         "risks_count": "廉政风险点数"},
        power_step_rows,
    ),
    Table(
        "power-risks",
        "廉政风险点",
        {"index_number": "索引号", "code": "权力编码", "power_name": "事项名称", "step_id": "步骤代码",
         "step_name": "步骤名称", "point": "风险点", "level": "风险等级", "measures": "防控措施",
         "owner": "责任人"},
        power_risk_rows,
    ),
)

KIND = Kind(
    "power",
    "powers",
    "权力事项",
    PowerMeta,
    "record_power.html",
    rules=power_rules,
    prepare=prepare_power,
    scaffold=power_scaffold,
    shows_own_kind=True,  # the /powers/ neighbours of its type
    feed_html=power_feed_html,
    texts=power_texts,
    search_text=power_search_text,
    search_parts=power_search_parts,
    names=power_names,
    tables=TABLES,
    index=power_index,
    pages=PAGES,
    template_globals=template_globals,
)
