"""The 政府信息公开申请表: its fields (one table for the printable page and the Word file) and the .docx.

The fields follow the usual national form: 申请人信息 (公民, 法人或其他组织), 所需信息情况,
signature and date; the content of an application is 条例第二十九条's. The page
`/apply/form/` renders `FORM` (templates/apply_form.html); this module writes the same
fields as `/apply/application-form.docx` with python-docx. No cell is ever filled in: the
form carries the office's name and channels from site.yaml, never a person's data.

The Word file's bytes depend on site.yaml only: its dates are the 指南's update date (or the
条例's 施行 date) and its zip members carry that date too, so an unchanged site writes the
same file and incremental builds and deployments see no change.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from disclosure.core.config import Channels, SiteConfig
from disclosure.outputs.feeds import write_new_file

APPLICATION_FORM = "apply/application-form.docx"  # under the output folder; linked from /apply/
FORM_TITLE = "政府信息公开申请表"
REGULATION_IN_FORCE = date(2019, 5, 15)  # 《政府信息公开条例》（2019 年修订）施行之日
FONT = "宋体"
FORM_NOTE = (
    "说明：申请须以书面形式提出（信件、传真、电子邮件等）；书面申请确有困难的，可以口头提出，"
    "由政府信息公开工作机构代为填写（《政府信息公开条例》第二十九条）。依申请提供政府信息不收取费用（条例第四十二条）。"
)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the form: a label and a blank to write in, or boxes to tick."""

    label: str
    choices: tuple[str, ...] = ()
    tall: bool = False  # room for a few lines of handwriting


@dataclass(frozen=True, slots=True)
class Group:
    """Rows under one heading (公民, 法人或其他组织); `name` empty where the section has no groups."""

    name: str
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    groups: tuple[Group, ...]

    @property
    def size(self) -> int:
        return sum(len(g.rows) for g in self.groups)


FORM: tuple[Section, ...] = (
    Section("申请人信息", (
        Group("公民", tuple(Row(label) for label in (
            "姓名", "证件名称", "证件号码", "工作单位", "联系电话", "邮政编码", "联系地址", "电子邮箱",
        ))),
        Group("法人或其他组织", tuple(Row(label) for label in (
            "名称", "统一社会信用代码", "法定代表人", "联系人姓名", "联系人电话", "联系地址", "电子邮箱",
        ))),
    )),
    Section("所需信息情况", (
        Group("", (
            Row("所需信息的名称", tall=True),
            Row("文件标题、文号或其他特征描述", tall=True),
            Row("所需信息的用途（可选）"),
            Row("提供信息的载体", ("纸质", "电子文档", "光盘", "其他")),
            Row("获取信息的方式", ("邮寄", "电子邮件", "传真", "自行领取", "当场阅读、抄录")),
        )),
    )),
)
SIGNATURE: tuple[Row, ...] = (Row("申请人签名或盖章"), Row("申请时间", ("年", "月", "日")))


def boxes(row: Row) -> str:
    """Return the tick boxes of a choice row as text (□纸质　□电子文档 …), or dates' 年 月 日."""
    if row.label == "申请时间":
        return "　　　　年　　月　　日"
    return "　".join(f"□{choice}" + ("＿＿＿＿" if choice == "其他" else "") for choice in row.choices)


def fixed_date(config: SiteConfig) -> date:
    """Return the date the Word file carries: the 指南's update date, else the 条例's 施行 date."""
    return config.guide.updated if config.guide and config.guide.updated else REGULATION_IN_FORCE


def form_heading(config: SiteConfig) -> str:
    """Return the name above the title: the office applications go to, else the site's name."""
    return config.channels.recipient or config.name


def send_to(channels: Channels) -> list[str]:
    """Return one sentence per channel, for the foot of the form."""
    lines = []
    if channels.address:
        place = f"{channels.address}（邮政编码 {channels.postcode}）" if channels.postcode else channels.address
        lines.append(f"当面提交或邮寄：{place}" + (f"，收件单位 {channels.recipient}" if channels.recipient else ""))
    if channels.fax:
        lines.append(f"传真：{channels.fax}")
    if channels.email:
        lines.append(f"电子邮件：{channels.email}")
    if channels.online:
        lines.append(f"在线申请：{channels.online}")
    return lines


def application_form_docx(config: SiteConfig) -> bytes:
    """Return the 申请表 as the bytes of a Word file, the same bytes for the same site.yaml."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin = section.bottom_margin = Cm(1.8)
    section.left_margin = section.right_margin = Cm(2.0)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)

    _paragraph(document.add_paragraph(), form_heading(config), size=12, bold=True)
    _paragraph(document.add_paragraph(), FORM_TITLE, size=18, bold=True)
    rows = sum(s.size for s in FORM) + len(SIGNATURE)
    table = document.add_table(rows=rows, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fill(table)
    note = document.add_paragraph()
    note.paragraph_format.space_before = Pt(6)
    note.add_run(FORM_NOTE).font.size = Pt(9)
    for line in send_to(config.channels):
        document.add_paragraph().add_run(line).font.size = Pt(9)

    when = datetime(*fixed_date(config).timetuple()[:3], tzinfo=UTC)
    props = document.core_properties
    props.title = f"{FORM_TITLE}（{form_heading(config)}）"
    props.author = props.last_modified_by = config.name
    props.created = props.modified = props.last_printed = when
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue(), when)


def write_application_form(config: SiteConfig, destination: Path) -> Path:
    """Write the Word file of the 申请表 under `destination`; return its path."""
    target = destination / APPLICATION_FORM
    write_new_file(target, application_form_docx(config))
    return target


def _fill(table: Table) -> None:
    widths = (Cm(1.4), Cm(2.2), Cm(4.6), Cm(8.8))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    index = 0
    for section in FORM:
        first = index
        for group in section.groups:
            start = index
            for row in group.rows:
                cells = table.rows[index].cells
                label = cells[2] if group.name else cells[1].merge(cells[2])
                _text(label, row.label)
                _text(cells[3], boxes(row) if row.choices else "")
                if row.tall:
                    table.rows[index].height = Cm(1.8)
                index += 1
            if group.name:
                _text(table.cell(start, 1).merge(table.cell(index - 1, 1)), group.name)
        _text(table.cell(first, 0).merge(table.cell(index - 1, 0)), section.name)
    for row in SIGNATURE:
        cells = table.rows[index].cells
        _text(cells[0].merge(cells[2]), row.label)
        _text(cells[3], boxes(row) if row.choices else "")
        table.rows[index].height = Cm(1.2)
        index += 1


def _text(cell: _Cell, text: str) -> None:
    cell.paragraphs[0].text = text


def _paragraph(paragraph: Paragraph, text: str, size: int, bold: bool) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """Return the zip `data` with every member dated `when` (python-docx stamps the clock)."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info))
    return out.getvalue()
