"""The kinds of record: which folder, which model, which template, which extra rules.

Adding a kind is adding an entry here, a model in records.py and a template.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from disclosure.approvals import ApprovalListMeta, prepare_approval_list
from disclosure.powers import PowerMeta, power_rules, prepare_power
from disclosure.problems import Problem, error, warning
from disclosure.records import DecisionMeta, DocumentMeta, RecordMeta

Rules = Callable[[RecordMeta, dict[str, int], Path], list[Problem]]
# Derives what a record needs beyond its front matter (items from a sibling CSV, a flowchart
# SVG …); returns it for `Record.extra`, with the problems found on the way.
Prepare = Callable[[RecordMeta, dict[str, int], Path], tuple[Mapping[str, Any], list[Problem]]]


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


KINDS: tuple[Kind, ...] = (
    Kind("document", "documents", "政府文件", DocumentMeta, "record_document.html"),
    Kind("decision", "decisions", "重大行政决策", DecisionMeta, "record_decision.html", decision_rules),
    Kind("approval", "approvals", "审批事项清理", ApprovalListMeta, "record_approval.html", prepare=prepare_approval_list),
    Kind("power", "powers", "权力事项", PowerMeta, "record_power.html", power_rules, prepare_power),
)
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
