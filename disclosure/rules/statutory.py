"""法定主动公开内容: the items of 条例第二十条 (and 第二十一条 by level), and which records fill them.

Records are mapped by `content/statutory.yaml` (item → 主题分类 paths, a path taking its
sub-categories too); a record whose 体裁分类 (`genre`) is 行政法规, 规章 or 行政规范性文件
also belongs to 第二十条第（一）项, and power items to 第（五）or（六）项 by their type. An item
no record fills is a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from disclosure.core.config import Category
from disclosure.core.problems import Problem, error, warning
from disclosure.core.records import Record
from disclosure.core.yaml_files import read_yaml_file

# Power items (权力清单) publish what 第二十条 asks of these powers: their basis,
# conditions and procedure (流程图) — 第（五）项 for 行政许可 and other services, 第（六）项 for
# 行政处罚 and 行政强制.
POWER_ITEMS: dict[str | None, tuple[str, ...]] = {
    "行政许可": ("20-5",),
    "行政确认": ("20-5",),
    "行政给付": ("20-5",),
    "行政处罚": ("20-6",),
    "行政强制": ("20-6",),
}

NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五")

ARTICLE_20 = (
    "行政法规、规章和规范性文件",
    "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名",
    "国民经济和社会发展规划、专项规划、区域规划及相关政策",
    "国民经济和社会发展统计信息",
    "办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果",
    "实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定",
    "财政预算、决算信息",
    "行政事业性收费项目及其依据、标准",
    "政府集中采购项目的目录、标准及实施情况",
    "重大建设项目的批准和实施情况",
    "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况",
    "突发公共事件的应急预案、预警信息及应对情况",
    "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况",
    "公务员招考的职位、名额、报考条件等事项以及录用结果",
    "法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息",
)
# 第二十一条: 设区的市级、县级人民政府及其部门 / 乡（镇）人民政府
ARTICLE_21_CITY = ("市政建设", "公共服务", "公益事业", "土地征收", "房屋征收", "治安管理", "社会救助")
ARTICLE_21_TOWNSHIP = (
    "农业农村政策",
    "农田水利工程建设运营",
    "农村土地承包经营权流转",
    "宅基地使用情况审核",
    "土地征收",
    "房屋征收",
    "筹资筹劳",
    "社会救助",
)
GENRE_ITEM = "20-1"


@dataclass(frozen=True, slots=True)
class StatutoryItem:
    """One item of the 法定主动公开内容 tree and the records filed under it (newest first)."""

    key: str  # 20-1 … 20-15, 21-1 …: URL segment and statutory.yaml key
    article: str  # 第二十条第（一）项
    title: str
    categories: tuple[str, ...]
    records: tuple[Record, ...]

    @property
    def heading(self) -> str:
        return f"{self.article}　{self.title}"

    @property
    def current_count(self) -> int:
        return sum(r.is_current for r in self.records)


def items_for_level(level: str) -> list[tuple[str, str, str]]:
    """Return (key, article, title) of every item the level must disclose."""
    items = [(f"20-{n}", f"第二十条第（{NUMERALS[n - 1]}）项", t) for n, t in enumerate(ARTICLE_20, start=1)]
    extra = {"设区的市": ARTICLE_21_CITY, "县级": ARTICLE_21_CITY, "乡镇": ARTICLE_21_TOWNSHIP}.get(level, ())
    items += [(f"21-{n}", "第二十一条", t) for n, t in enumerate(extra, start=1)]
    return items


def read_statutory(
    root: Path, level: str, categories: tuple[Category, ...], records: tuple[Record, ...]
) -> tuple[tuple[StatutoryItem, ...], list[Problem]]:
    """Return the 法定主动公开内容 tree for `level`, and the problems of statutory.yaml."""
    path = root / "statutory.yaml"
    items = items_for_level(level)
    known = {key for key, _, _ in items}
    mapping: dict[str, tuple[str, ...]] = {}
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    if not path.is_file():
        problems.append(warning(path, 1, "file", "缺少此文件：法定主动公开内容无法按主题分类归入条例第二十条各项"))
    else:
        located, found = read_yaml_file(path)
        problems += found
        value = located.value if located is not None else None
        if located is not None and value is not None and not isinstance(value, dict):
            problems.append(error(path, located.line_of(()), "file", "应为“项: [主题分类, …]”的映射，如 20-7: [财政、金融、审计/财政]"))
        elif located is not None and isinstance(value, dict):
            paths = {c.path for c in categories}
            for key, listed in value.items():
                line = located.line_of((key,))
                lines[key] = line
                if key not in known:
                    problems.append(error(path, line, key, f"“{key}”不是本级（{level}）法定主动公开内容的项；可用：{'、'.join(k for k, _, _ in items)}"))
                    continue
                listed = [listed] if isinstance(listed, str) else listed
                if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
                    problems.append(error(path, line, key, "应为主题分类路径的列表"))
                    continue
                for i, category in enumerate(listed):
                    if category not in paths:
                        problems.append(error(path, located.line_of((key, i)), f"{key}[{i}]", f"主题分类“{category}”不在 categories.yaml 中"))
                mapping[key] = tuple(listed)
    tree = []
    # what each item asks of a record, looked up once per record (not once per item and record)
    facts = [
        (r, r.meta.category, r.meta.genre is not None, POWER_ITEMS.get(getattr(r.meta, "power_type", None), ()))
        for r in records
    ]
    for key, article, title in items:
        chosen = mapping.get(key, ())
        exact, below = frozenset(chosen), tuple(f"{c}/" for c in chosen)
        members = tuple(
            r for r, category, has_genre, powers in facts
            if category in exact or category.startswith(below) or (key == GENRE_ITEM and has_genre) or key in powers
        )
        tree.append(StatutoryItem(key, article, title, chosen, members))
        if not members and path.is_file():
            problems.append(
                warning(path, lines.get(key, 1), key, f"{article}“{title}”没有任何记录；法定主动公开内容不应留空")
            )
    return tuple(tree), problems
