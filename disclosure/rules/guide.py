"""site.yaml checks for the 政府信息公开指南 (条例第十二条) and the page footer (国办发〔2017〕47号).

A missing 指南 item or footer item is an error; a sample site (`sample: true`) is only
warned about the 指南 and not about the footer, whose numbers it cannot have.
"""

from __future__ import annotations

from pathlib import Path

from disclosure.core import markdown_html, strict_yaml
from disclosure.core.config import SiteConfig
from disclosure.core.labels import LABELS
from disclosure.core.problems import Problem, error, warning
from disclosure.core.records import Page, PageMeta
from disclosure.core.sources import read_source
from disclosure.core.validation import validate_model

GUIDE_ITEMS = (
    ("updated",),
    ("classification",),
    ("arrangement",),
    ("obtain",),
    ("apply",),
    ("office", "name"),
    ("office", "address"),
    ("office", "hours"),
    ("office", "phone"),
    ("office", "fax"),
    ("office", "internet"),
)
FOOTER_ITEMS = ("organiser", "contact", "site_code", "icp", "police_record", "gov_mark")
GUIDE_FILE = "guide.md"


def check_site_config(site: SiteConfig, located: strict_yaml.Located, path: Path) -> list[Problem]:
    """Return the problems of the 指南 section and the footer items of site.yaml."""
    return check_guide(site, located, path) + check_footer(site, located, path)


def check_guide(site: SiteConfig, located: strict_yaml.Located, path: Path) -> list[Problem]:
    """Return one problem per 指南 item of 条例第十二条 that site.yaml lacks."""
    report = warning if site.sample else error
    if site.guide is None:
        names = "、".join(LABELS["guide." + ".".join(item)] for item in GUIDE_ITEMS)
        return [report(path, 1, "guide", f"缺少政府信息公开指南（政府信息公开条例第十二条）；请写 guide 一节：{names}")]
    problems = []
    for item in GUIDE_ITEMS:
        value: object = site.guide
        for part in item:
            value = getattr(value, part)
        if value is None:
            key = "guide." + ".".join(item)
            line = located.line_of(("guide", *item))
            problems.append(report(path, line, key, "政府信息公开指南缺少此项（政府信息公开条例第十二条）"))
    return problems


def check_footer(site: SiteConfig, located: strict_yaml.Located, path: Path) -> list[Problem]:
    """Return an error per footer item of 47号 that a non-sample site lacks."""
    if site.sample:
        return []
    problems = []
    for key in FOOTER_ITEMS:
        missing = getattr(site, key) is None
        if key == "contact":
            missing = site.contact.phone is None and site.contact.email is None
        if missing:
            problems.append(
                error(path, located.line_of((key,)), key,
                      "网站页面底部必须列明此项（国办发〔2017〕47号《政府网站发展指引》）；只有示例站（sample: true）可以不写")
            )
    return problems


def read_guide_page(root: Path) -> tuple[Page | None, list[Problem]]:
    """Return the Markdown part of the 指南 (`content/guide.md`, optional), and its problems."""
    path = root / GUIDE_FILE
    if not path.is_file():
        return None, []
    source, problems = read_source(path)
    if source is None:
        return None, problems
    located, found = strict_yaml.load(source.front_matter, str(path), source.front_matter_line)
    problems += found
    if located is None:
        return None, problems
    meta, found = validate_model(PageMeta, located, path)
    problems += found + markdown_html.lint(source.body, path, source.body_line)
    if meta is None:
        return None, problems
    return Page("guide", meta, path, markdown_html.render(source.body)), problems
