"""The kinds of record: which folder, which model, which template, which extra rules.

Adding a kind is adding an entry here, a model in records.py and a template. Each kind
also says what `build.py new KIND` writes beyond the fields every record has (`scaffold`):
real values where the tool can know them, and a 【待填写：<label>】 marker (validation.to_fill)
where a person must write, which `check` and `build` refuse until it is replaced.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from disclosure.core.labels import labels_of
from disclosure.core.problems import Problem, error, warning
from disclosure.core.records import DecisionMeta, DocumentMeta, RecordMeta
from disclosure.core.validation import to_fill
from disclosure.kinds.approval import ACTIONS, ApprovalListMeta, prepare_approval_list
from disclosure.kinds.power import POWER_TYPES, PowerMeta, power_rules, prepare_power

Rules = Callable[[RecordMeta, dict[str, int], Path], list[Problem]]
# Derives what a record needs beyond its front matter (items from a sibling CSV, a flowchart
# SVG …); returns it for `Record.extra`, with the problems found on the way.
Prepare = Callable[[RecordMeta, dict[str, int], Path], tuple[Mapping[str, Any], list[Problem]]]
# The front-matter lines `build.py new` writes for a kind after the common ones, given the
# publication day and the agency's full name.
Scaffold = Callable[[date, str], str]


def no_extra_fields(day: date, agency: str) -> str:
    """Return nothing: a kind with only the fields every record has."""
    return ""


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of record and where it lives."""

    name: str  # used in URLs and the search API: document, decision …
    folder: str  # folder under content/
    label: str  # 政府文件 …
    model: type[RecordMeta]
    template: str
    rules: Rules | None = None
    prepare: Prepare | None = None
    scaffold: Scaffold = no_extra_fields


def decision_rules(meta: RecordMeta, lines: dict[str, int], path: Path) -> list[Problem]:
    """Return problems in a decision's stages: dates in order, comment periods long enough."""
    assert isinstance(meta, DecisionMeta)
    problems: list[Problem] = []
    for i, stage in enumerate(meta.stages):
        key = f"stages[{i}]"
        line = lines.get(f"{key}.end", lines.get(key, 1))
        if stage.end and stage.end < stage.date:
            problems.append(error(path, line, f"{key}.end", f"截止日期 {stage.end} 早于阶段日期 {stage.date}"))
        if stage.stage == "征求意见" and stage.end and stage.end - stage.date < timedelta(days=30):
            days = (stage.end - stage.date).days
            problems.append(
                warning(path, line, f"{key}.end", f"征求意见期只有 {days} 天，少于 30 日（重大行政决策程序暂行条例第十五条）；如有特殊原因请在阶段说明中写明")
            )
    for i, basis in enumerate(meta.basis):
        ref = basis.ref
        if ref and "://" in ref and not ref.lower().startswith(("http://", "https://")):
            key = f"basis[{i}].ref"
            problems.append(error(path, lines.get(key, 1), key, "依据链接只能是本站索引号或 http(s) 网址"))
    return problems


def marker(kind: str, key: str) -> str:
    """Return the 待填写 marker for `key` of `kind`, YAML-quoted: "【待填写：设定依据】"."""
    return json.dumps(to_fill(labels_of(kind)[key]), ensure_ascii=False)


def decision_scaffold(day: date, agency: str) -> str:
    """Return a decision's own fields: one basis and the 征求意见 stage of at least 30 days."""
    m = partial(marker, "decision")
    return (
        f"matter: {m('matter')}\n"
        "basis:\n"
        f"  - title: {m('basis.title')}\n"
        "    # doc_number: \"代字〔年份〕序号号\"   # 依据文号，可不写\n"
        "stages:  # " + "、".join(s for s in ("征求意见", "听证", "专家论证", "合法性审查", "集体讨论", "决策公布")) + " ……\n"
        "  - stage: 征求意见\n"
        f"    date: {day.isoformat()}\n"
        f"    end: {(day + timedelta(days=30)).isoformat()}   # 征求意见期不少于 30 日\n"
        f"    summary: {m('stages.summary')}\n"
        "# outcome: 决策结果（作出决策后填写）\n"
    )


def approval_scaffold(day: date, agency: str) -> str:
    """Return an approval list's own fields: the effective day and one example item."""
    m = partial(marker, "approval")
    return (
        f"effective: {day.isoformat()}\n"
        "items:  # 事项多时可改用同目录的 CSV 文件（items_csv），两者只写一个\n"
        "  - number: \"1\"\n"
        f"    name: {m('items.name')}\n"
        f"    implementing_agency: {m('items.implementing_agency')}\n"
        f"    basis: {m('items.basis')}\n"
        f"    action: {m('items.action')}   # {'、'.join(ACTIONS)}\n"
        "    # to: 承接单位（并联审批、转变管理方式、下放、移交时必填）\n"
        "    # note: 备注\n"
    )


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


KINDS: tuple[Kind, ...] = (
    Kind("document", "documents", "政府文件", DocumentMeta, "record_document.html"),
    Kind("decision", "decisions", "重大行政决策", DecisionMeta, "record_decision.html", decision_rules, scaffold=decision_scaffold),
    Kind("approval", "approvals", "审批事项清理", ApprovalListMeta, "record_approval.html", prepare=prepare_approval_list, scaffold=approval_scaffold),
    Kind("power", "powers", "权力事项", PowerMeta, "record_power.html", power_rules, prepare_power, power_scaffold),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
