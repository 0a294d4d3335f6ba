"""政府信息公开工作年度报告 in the 2021 national format (国办公开办函〔2021〕30号).

Input: `content/reports/<year>.yaml` (tables 三 and 四, the text sections, and the table 二
rows that records cannot give). Table 二's 规章 and 行政规范性文件 rows are computed from
the records' 体裁分类 (`genre`) where the site classifies its documents. The format's
reconciliation checks are errors naming the row and the two numbers that differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from disclosure.core import markdown_html, strict_yaml
from disclosure.core.fields import IsoDate, Text
from disclosure.core.labels import LABELS
from disclosure.core.problems import Problem, error, warning
from disclosure.core.records import Change, NonEmpty, Record, Strict
from disclosure.core.validation import validate_model
from disclosure.core.yaml_files import read_yaml_file

APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
REVIEW_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
GROUPS = {
    "refused": ("state_secret", "prohibited", "security", "third_party", "internal", "process", "enforcement", "inquiry"),
    "unavailable": ("not_held", "needs_creation", "unclear"),
    "not_processed": ("petition", "repeated", "publication", "excessive", "confirmation"),
    "other_handling": ("no_correction", "unpaid_fee", "other"),
}
# （一）…（六）: the rows that add up to （七）总计
RESULT_ROWS = (
    ("granted",),
    ("partly_granted",),
    *((group, item) for group, items in GROUPS.items() for item in items),
)
FILE_NAME = re.compile(r"^(\d{4})\.yaml$")


def _numbers(count: int, columns: tuple[str, ...]) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, list):
            raise ValueError(f"应为一行 {count} 个数：[{', '.join(columns)}]")
        if len(value) != count:
            raise ValueError(f"应为 {count} 个数（{'、'.join(columns)}），实为 {len(value)} 个")
        return value

    return BeforeValidator(check)


Count = Annotated[int, Field(ge=0)]
ApplicantRow = Annotated[tuple[Count, ...], _numbers(7, APPLICANTS)]
ReviewRow = Annotated[tuple[Count, ...], _numbers(5, REVIEW_COLUMNS)]


def _f(key: str, **kwargs: Any) -> Any:
    return Field(title=LABELS[key], **kwargs)


class DocumentCounts(Strict):
    issued: Count | None = None
    repealed: Count | None = None
    current: Count | None = None


class Proactive(Strict):
    """Table 二 rows given as data; the 规章/规范性文件 rows may be computed instead."""

    regulations: DocumentCounts | None = _f("proactive.regulations", default=None)
    normative_documents: DocumentCounts | None = _f("proactive.normative_documents", default=None)
    licensing: Count | None = _f("proactive.licensing", default=None)
    penalties: Count | None = _f("proactive.penalties", default=None)
    coercion: Count | None = _f("proactive.coercion", default=None)
    fees: Annotated[Decimal, Field(ge=0)] | None = _f("proactive.fees", default=None)


class Refused(Strict):
    state_secret: ApplicantRow = _f("applications.refused.state_secret")
    prohibited: ApplicantRow = _f("applications.refused.prohibited")
    security: ApplicantRow = _f("applications.refused.security")
    third_party: ApplicantRow = _f("applications.refused.third_party")
    internal: ApplicantRow = _f("applications.refused.internal")
    process: ApplicantRow = _f("applications.refused.process")
    enforcement: ApplicantRow = _f("applications.refused.enforcement")
    inquiry: ApplicantRow = _f("applications.refused.inquiry")


class Unavailable(Strict):
    not_held: ApplicantRow = _f("applications.unavailable.not_held")
    needs_creation: ApplicantRow = _f("applications.unavailable.needs_creation")
    unclear: ApplicantRow = _f("applications.unavailable.unclear")


class NotProcessed(Strict):
    petition: ApplicantRow = _f("applications.not_processed.petition")
    repeated: ApplicantRow = _f("applications.not_processed.repeated")
    publication: ApplicantRow = _f("applications.not_processed.publication")
    excessive: ApplicantRow = _f("applications.not_processed.excessive")
    confirmation: ApplicantRow = _f("applications.not_processed.confirmation")


class OtherHandling(Strict):
    no_correction: ApplicantRow = _f("applications.other_handling.no_correction")
    unpaid_fee: ApplicantRow = _f("applications.other_handling.unpaid_fee")
    other: ApplicantRow = _f("applications.other_handling.other")


class Applications(Strict):
    """Table 三: every row is [自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计]."""

    new: ApplicantRow = _f("applications.new")
    carried_over: ApplicantRow = _f("applications.carried_over")
    granted: ApplicantRow = _f("applications.granted")
    partly_granted: ApplicantRow = _f("applications.partly_granted")
    refused: Refused = _f("applications.refused")
    unavailable: Unavailable = _f("applications.unavailable")
    not_processed: NotProcessed = _f("applications.not_processed")
    other_handling: OtherHandling = _f("applications.other_handling")
    total: ApplicantRow = _f("applications.total")
    carried_forward: ApplicantRow = _f("applications.carried_forward")

    def row(self, path: tuple[str, ...]) -> tuple[int, ...]:
        value: Any = self
        for part in path:
            value = getattr(value, part)
        return tuple(value)


class Reviews(Strict):
    """Table 四: every row is [结果维持, 结果纠正, 其他结果, 尚未审结, 总计]."""

    reconsideration: ReviewRow = _f("reviews.reconsideration")
    litigation_direct: ReviewRow = _f("reviews.litigation_direct")
    litigation_after: ReviewRow = _f("reviews.litigation_after")


class ReportMeta(Strict):
    """`content/reports/<year>.yaml`."""

    organ: NonEmpty = _f("organ", description="编制报告的行政机关，如 保定市人民政府")
    published: IsoDate = _f("published")
    overview: Text = _f("overview", description="一、总体情况（Markdown）")
    proactive: Proactive = _f("proactive", default_factory=Proactive)
    applications: Applications = _f("applications")
    reviews: Reviews = _f("reviews")
    problems: Text = _f("problems", description="五、存在的主要问题及改进情况（Markdown）")
    other: Text = _f("other", description="六、其他需要报告的事项，含收取信息处理费情况（Markdown）")
    corrections: tuple[Change, ...] = _f("corrections", default=(), description="发布后的更正：只追加，不改动原文")


@dataclass(frozen=True, slots=True)
class Table2Row:
    """One row of table 二 as shown: label, the values, and whether they came from records."""

    label: str
    values: tuple[int | Decimal | None, ...]
    computed: bool


@dataclass(frozen=True, slots=True)
class AnnualReport:
    """One year's report, validated and with table 二 filled in."""

    year: int
    meta: ReportMeta
    source: Path
    documents: tuple[Table2Row, Table2Row]  # 第二十条第（一）项: 规章, 行政规范性文件
    overview_html: str
    problems_html: str
    other_html: str

    @property
    def title(self) -> str:
        return f"{self.meta.organ}{self.year}年政府信息公开工作年度报告"


def deadline(year: int, level: str) -> date:
    """Return the day by which the report on `year` must be out (条例第四十九条)."""
    return date(year + 1, 1, 31) if level == "国务院部门" else date(year + 1, 3, 31)


def organ_kind(level: str) -> str:
    return "政府部门" if level == "国务院部门" else "人民政府"


def read_reports(
    root: Path, records: tuple[Record, ...], level: str
) -> tuple[tuple[AnnualReport, ...], list[Problem]]:
    """Return every `reports/<year>.yaml` validated, newest first, and their problems."""
    folder = root / "reports"
    problems: list[Problem] = []
    reports: list[AnnualReport] = []
    located_by_year: dict[int, strict_yaml.Located] = {}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        if path.name.startswith(".") or path.is_dir():
            continue
        match = FILE_NAME.match(path.name)
        if not match:
            problems.append(error(path, 1, "file", "年度报告数据文件应以年份命名，如 reports/2024.yaml"))
            continue
        year = int(match.group(1))
        located, found = read_yaml_file(path)
        problems += found
        if located is None:
            continue
        meta, found = validate_model(ReportMeta, located, path, "年度报告数据")
        problems += found
        if meta is None:
            continue
        located_by_year[year] = located
        problems += reconcile(meta, located, path)
        if meta.published < date(year + 1, 1, 1):
            problems.append(error(path, located.line_of(("published",)), "published", f"发布日期 {meta.published} 早于统计期结束（{year}年12月31日）"))
        elif meta.published > deadline(year, level):
            problems.append(
                warning(path, located.line_of(("published",)), "published",
                        f"发布日期 {meta.published} 晚于法定期限 {deadline(year, level)}（条例第四十九条）")
            )
        documents, found = table_2_documents(meta, year, records, located, path)
        problems += found
        reports.append(
            AnnualReport(
                year, meta, path, documents,
                markdown_html.render(meta.overview), markdown_html.render(meta.problems), markdown_html.render(meta.other),
            )
        )
    by_year = {r.year: r for r in reports}
    for report in reports:
        previous = by_year.get(report.year - 1)
        if previous:
            problems += _year_to_year(report, previous, located_by_year[report.year])
    return tuple(sorted(reports, key=lambda r: r.year, reverse=True)), problems


def reconcile(meta: ReportMeta, located: strict_yaml.Located, path: Path) -> list[Problem]:
    """Return the format's reconciliation failures of tables 三 and 四, each naming both numbers."""
    problems: list[Problem] = []
    apps = meta.applications

    def where(*parts: str) -> tuple[int, str]:
        return located.line_of(parts), ".".join(parts)

    rows = [("new",), ("carried_over",), *RESULT_ROWS, ("total",), ("carried_forward",)]
    for row in rows:
        values = apps.row(row)
        line, key = where("applications", *row)
        if values[6] != sum(values[:6]):
            problems.append(error(path, line, key, f"表三“{_label(key)}”：总计 {values[6]} 不等于各类申请人之和 {sum(values[:6])}"))
    total = apps.row(("total",))
    line, key = where("applications", "total")
    for column, name in enumerate(APPLICANTS):
        added = sum(apps.row(row)[column] for row in RESULT_ROWS)
        if total[column] != added:
            problems.append(error(path, line, key, f"表三“（七）总计”的“{name}”列：填报 {total[column]}，（一）至（六）各项之和为 {added}"))
    new, carried, forward = apps.row(("new",)), apps.row(("carried_over",)), apps.row(("carried_forward",))
    line, key = where("applications", "carried_forward")
    for column, name in enumerate(APPLICANTS):
        left, right = new[column] + carried[column], total[column] + forward[column]
        if left != right:
            problems.append(
                error(path, line, key,
                      f"表三“{name}”列勾稽关系不符：第一项加第二项之和为 {left}（{new[column]}+{carried[column]}），"
                      f"第三项加第四项之和为 {right}（{total[column]}+{forward[column]}）")
            )
    for name in ("reconsideration", "litigation_direct", "litigation_after"):
        values = getattr(meta.reviews, name)
        line, key = where("reviews", name)
        if values[4] != sum(values[:4]):
            problems.append(
                error(path, line, key, f"表四“{_label(key)}”：总计 {values[4]} 不等于结果维持、结果纠正、其他结果、尚未审结之和 {sum(values[:4])}")
            )
    return problems


def _label(key: str) -> str:
    return LABELS[key]


def table_2_documents(
    meta: ReportMeta, year: int, records: tuple[Record, ...], located: strict_yaml.Located, path: Path
) -> tuple[tuple[Table2Row, Table2Row], list[Problem]]:
    """Return table 二's 规章 and 行政规范性文件 rows: from records when the site classifies them."""
    problems: list[Problem] = []
    classified = any(r.meta.genre for r in records)
    end = date(year, 12, 31)
    rows = []
    for name, genre in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        given: DocumentCounts | None = getattr(meta.proactive, name)
        computed: tuple[int, int, int] | None = None
        if classified:
            mine = [r for r in records if r.meta.genre == genre]
            computed = (
                sum(r.meta.written.year == year for r in mine),
                sum(r.meta.validity_date is not None and r.meta.validity_date.year == year for r in mine),
                sum(r.meta.written <= end and (r.meta.validity_date is None or r.meta.validity_date > end) for r in mine),
            )
        values: list[int | None] = []
        from_records = False
        for i, column in enumerate(("issued", "repealed", "current")):
            typed = getattr(given, column) if given else None
            if typed is not None:
                values.append(typed)
                if computed is not None and computed[i] != typed:
                    key = f"proactive.{name}.{column}"
                    problems.append(
                        warning(path, located.line_of(("proactive", name, column)), key,
                                f"填报 {typed}，与本站记录统计的 {computed[i]} 不一致（体裁分类为“{genre}”的记录）")
                    )
            elif computed is not None:
                values.append(computed[i])
                from_records = True
            else:
                values.append(None)
        rows.append(Table2Row(genre, tuple(values), from_records))
    return (rows[0], rows[1]), problems


def _year_to_year(report: AnnualReport, previous: AnnualReport, located: strict_yaml.Located) -> list[Problem]:
    """Warn when 现行有效件数 does not follow from last year's plus this year's 制发 minus 废止."""
    problems: list[Problem] = []
    for name, row, before in zip(("regulations", "normative_documents"), report.documents, previous.documents, strict=True):
        issued, repealed, current = row.values
        last = before.values[2]
        if issued is None or repealed is None or current is None or last is None:
            continue
        expected = last + issued - repealed
        if current != expected:
            key = f"proactive.{name}.current"
            problems.append(
                warning(report.source, located.line_of(("proactive", name, "current")), key,
                        f"{row.label}现行有效件数 {current} 与上年 {last} + 本年制发 {issued} − 本年废止 {repealed} = {expected} 不一致")
            )
    return problems


def missing_report(reports: tuple[AnnualReport, ...], root: Path, level: str, today: date) -> Problem | None:
    """Return a warning when last year's report is due (条例第四十九条) and not there."""
    year = today.year - 1
    due = deadline(year, level)
    if today <= due or any(r.year == year for r in reports):
        return None
    return warning(
        root / "reports" / f"{year}.yaml", 1, "file",
        f"{year}年政府信息公开工作年度报告应于 {due} 前公布（条例第四十九条，{organ_kind(level)}），尚未提供",
    )
