"""Generate a content folder of N realistic records from the corpus, for `make bench-scale` (issue 15).

    python bench/scale_records.py --out DIR [--records 100000] [--seed 15] [--corpus CORPUS]

The texts are the corpus's (bench/import_corpus.py reads it): each record's body is a run of
whole paragraphs of one corpus document, cut to a length drawn per kind (news short, documents
longer), so the site holds real Chinese text, not filler. Around it the generator invents what a
city's archive of twenty years has: the sample's 保定市 agencies and the gov.cn 主题分类 of the
sample's categories.yaml, distinct titles and 索引号 (`<agency code>/<year>-<serial>`), 发文字号
for the agencies that have a 代字, dates from 2006 to 2025 (published 0–10 days after written,
so within the 20 working days of 条例第二十六条), and the mix

    documents 75 %, interpretations 12 %, news 8 %, decisions 2 %, approval lists 1.5 %, power items 1.5 %

(decisions, approval lists and power items together 5 %). Interpretations explain a generated
document; decisions name one as their basis (a checked link). The same corpus, N and seed give
byte-identical output. Nothing here is checked by hand: `build.py check` must pass on the result
(tests/test_scale_records.py runs it at 200 records).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from import_corpus import (  # noqa: E402
    DEFAULT_CORPUS,
    SITE_NAME_LINE,
    Record,
    load_laws,
    load_state_council,
    replaceable,
    swap_in,
    write_text,
    yaml_str,
)

SAMPLE = REPO / "content"
FIRST_YEAR, LAST_YEAR = 2006, 2025  # twenty years
# kind → (share, folder, body length: median characters, longest)
MIX: dict[str, tuple[float, str, int, int]] = {
    "document": (0.75, "documents", 2400, 30000),
    "interpretation": (0.12, "interpretations", 1500, 6000),
    "news": (0.08, "news", 900, 3000),
    "decision": (0.02, "decisions", 1200, 6000),
    "approval": (0.015, "approvals", 600, 3000),
    "power": (0.015, "powers", 400, 2000),
}
DOCUMENT_TITLES = (
    "{a}关于贯彻落实《{t}》的实施意见",
    "{a}关于印发《{t}》实施细则的通知",
    "{a}关于做好{y}年《{t}》宣传贯彻工作的通知",
    "{a}关于开展《{t}》执行情况检查的通知",
    "{a}关于《{t}》配套措施的通知",
    "{a}关于进一步做好《{t}》实施工作的意见",
)
NEWS_TITLES = (
    "{a}召开《{t}》贯彻落实工作推进会",
    "{a}开展《{t}》集中宣传活动",
    "{a}组织《{t}》专题培训",
    "{a}部署{y}年《{t}》实施工作",
)
INTERPRETATION_TITLES = ("《{t}》政策解读", "《{t}》问答", "一图读懂《{t}》", "《{t}》解读")
DECISION_TITLES = ("{a}关于{t}的决策", "{a}关于制定{t}配套办法的决策")
APPROVAL_TITLES = (
    "{a}关于公布{y}年第{n}批行政审批事项清理结果的决定",
    "{a}关于取消和下放{y}年第{n}批行政审批事项的决定",
)
FORMS = ("文字解读", "问答", "图文解读", "文字解读", "新闻发布会")
POWER_TYPES = (
    "行政许可",
    "行政处罚",
    "行政强制",
    "行政检查",
    "行政确认",
    "行政给付",
    "行政奖励",
    "其他行政权力",
)
POWER_CODES = {
    "行政许可": "XK",
    "行政处罚": "CF",
    "行政强制": "QZ",
    "行政检查": "JC",
    "行政确认": "QR",
    "行政给付": "JF",
    "行政奖励": "JL",
    "其他行政权力": "QT",
}
ACTIONS = ("取消", "停止实施", "并联审批", "转变管理方式", "下放", "移交", "部分取消", "部分下放")
TO = {
    "并联审批": "由牵头部门一个窗口受理",
    "转变管理方式": "备案监管制",
    "下放": "各县（市、区）人民政府主管部门",
    "移交": "相关行业协会",
    "部分下放": "各区人民政府主管部门",
}
STEPS = (
    ("shouli", "受理", "窗口受理岗"),
    ("shencha", "审查", "业务科室承办人"),
    ("huishen", "集体会审", "局务会"),
    ("jueding", "决定", "分管负责人"),
    ("songda", "送达", "窗口送达岗"),
)
ITEM_WORDS = ("登记", "备案", "核准", "审查", "许可证核发", "资格认定", "年检", "验收", "证明出具", "审批")
ARTICLE_NUMBERS = "一二三四五六七八九十"
TOPIC_DROP = re.compile(
    r"^(?:中华人民共和国|国务院办公厅关于|国务院关于|最高人民法院关于|最高人民检察院关于)"
)
ORDINARY = re.compile(r"[《》“”\"]")


@dataclass(frozen=True)
class Source:
    """A corpus document the generated records borrow a topic and paragraphs from."""

    topic: str  # its title, shortened: 监狱法, 个人所得税专项附加扣除暂行办法
    paragraphs: tuple[str, ...]
    law: str  # the law's full title when it is one (power items cite it), else ""


@dataclass
class Agency:
    name: str
    code: str
    prefixes: tuple[str, ...]
    phone: str


@dataclass
class Made:
    """One generated record: where it goes and its front matter; `body` the Markdown after it."""

    kind: str
    path: str
    fields: list[tuple[str, str]]
    body: str
    index_number: str
    title: str
    published: date


def sources(corpus: Path) -> list[Source]:
    """Return the corpus documents as topics and paragraphs, in the importer's order."""
    out = []
    for record in load_laws(corpus, None) + load_state_council(corpus, None):
        out.append(source_of(record))
    return [s for s in out if s.paragraphs and s.topic]


def source_of(record: Record) -> Source:
    """Return a record's topic (a title without the issuer's preface) and its prose paragraphs."""
    topic = TOPIC_DROP.sub("", record.title)
    topic = re.sub(r"的(?:通知|意见|决定|批复|复函)$", "", topic).removeprefix("印发")
    topic = ORDINARY.sub("", topic)[:60]
    blocks = [block.strip() for block in re.split(r"\n\s*\n", record.body)]
    # prose only: no headings, tables, lists, comments or HTML; their markup would need a whole
    paragraphs = tuple(b for b in blocks if b and b[0] not in "#|<>-*!" and "<" not in b and "|" not in b)
    law = record.title if record.title.endswith(("法", "条例")) and "·" not in record.title else ""
    return Source(topic, paragraphs, law)


def read_agencies(sample: Path) -> list[Agency]:
    """Return the sample's city agencies (国务院 and the 军委 left out: a city site publishes its own)."""
    entries = yaml.safe_load((sample / "agencies.yaml").read_text(encoding="utf-8"))
    out = []
    for entry in entries:
        if not str(entry["name"]).startswith("保定市"):
            continue
        prefixes = entry.get("doc_prefix") or ()
        prefixes = (prefixes,) if isinstance(prefixes, str) else tuple(prefixes)
        phone = str(entry.get("phone") or "0312-0000000（示例）")
        out.append(Agency(str(entry["name"]), str(entry["code"]), prefixes, phone))
    return out


def read_categories(sample: Path) -> list[str]:
    """Return every `一级/二级` path of the sample's categories.yaml."""
    tree = yaml.safe_load((sample / "categories.yaml").read_text(encoding="utf-8"))
    return [f"{node['name']}/{child}" for node in tree for child in node.get("children") or ()]


class Generator:
    """Makes the records one by one; keeps what must stay distinct (titles, 索引号, 文号, codes)."""

    def __init__(self, pool: list[Source], agencies: list[Agency], categories: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.pool, self.agencies, self.categories = pool, agencies, categories
        # power items cite a law of the corpus (a small corpus without one: the 行政许可法)
        self.laws = [s for s in pool if s.law] or [
            Source(s.topic, s.paragraphs, "中华人民共和国行政许可法") for s in pool
        ]
        self.titles: set[str] = set()
        self.serials: Counter[tuple[str, int]] = Counter()
        self.doc_serials: Counter[tuple[str, int]] = Counter()
        self.power_serials: Counter[tuple[str, str]] = Counter()
        self.documents: list[Made] = []
        self.counts: Counter[str] = Counter()
        self.batches: Counter[int] = Counter()  # approval lists of each year: 第N批

    # ------------------------------------------------------------------ shared parts

    def day(self) -> date:
        start = date(FIRST_YEAR, 1, 1).toordinal()
        return date.fromordinal(self.rng.randrange(start, date(LAST_YEAR, 12, 20).toordinal()))

    def index_number(self, agency: Agency, year: int) -> str:
        self.serials[agency.code, year] += 1
        return f"{agency.code}/{year}-{self.serials[agency.code, year]:05d}"

    def doc_number(self, agency: Agency, year: int) -> str | None:
        if not agency.prefixes:
            return None
        prefix = self.rng.choice(agency.prefixes)
        self.doc_serials[prefix, year] += 1
        return f"{prefix}〔{year}〕{self.doc_serials[prefix, year]}号"

    def title(self, patterns: tuple[str, ...], agency: Agency, source: Source, year: int, n: int = 1) -> str:
        """Return a title no record has yet: a pattern, then a 第N批/（N） suffix when taken."""
        text = self.rng.choice(patterns).format(a=agency.name, t=source.topic, y=year, n=n)
        candidate, again = text, 1
        while candidate in self.titles:
            again += 1
            candidate = f"{text}（{again}）"
        self.titles.add(candidate)
        return candidate

    def body(self, source: Source, median: int, longest: int, lead: str = "") -> str:
        """Return whole paragraphs of `source` from a random start, about a drawn length long."""
        target = min(longest, max(120, int(self.rng.lognormvariate(0, 0.7) * median)))
        start = self.rng.randrange(len(source.paragraphs))
        chosen, size = [lead] if lead else [], len(lead)
        for paragraph in source.paragraphs[start:] + source.paragraphs[:start]:
            if size >= target:
                break
            chosen.append(paragraph)
            size += len(paragraph)
        return "\n\n".join(chosen)

    def summary(self, source: Source) -> str:
        text = " ".join(source.paragraphs[0].split())
        return text if len(text) <= 100 else text[:100] + "……"

    def common(
        self, kind: str, title: str, index: str, agency: Agency, written: date, published: date, category: str
    ) -> list[tuple[str, str]]:
        return [
            ("title", yaml_str(title)),
            ("index_number", yaml_str(index)),
            ("agency", yaml_str(agency.name)),
            ("written", written.isoformat()),
            ("published", published.isoformat()),
            ("category", yaml_str(category)),
        ]

    def made(
        self,
        kind: str,
        agency: Agency,
        index: str,
        fields: list[tuple[str, str]],
        body: str,
        title: str,
        published: date,
    ) -> Made:
        self.counts[kind] += 1
        folder = MIX[kind][1]
        serial = index.rsplit("-", 1)[1]
        path = f"{folder}/{published.year}/{agency.code}-{index.split('/')[1][:4]}-{serial}.md"
        return Made(kind, path, fields, body, index, title, published)

    def dates(self) -> tuple[date, date]:
        written = self.day()
        return written, written + timedelta(days=self.rng.randrange(0, 11))

    # ------------------------------------------------------------------ kinds

    def document(self) -> Made:
        agency, source = self.rng.choice(self.agencies), self.rng.choice(self.pool)
        written, published = self.dates()
        title = self.title(DOCUMENT_TITLES, agency, source, written.year)
        index = self.index_number(agency, written.year)
        fields = self.common(
            "document", title, index, agency, written, published, self.rng.choice(self.categories)
        )
        number = self.doc_number(agency, written.year)
        if number:
            fields.insert(3, ("doc_number", yaml_str(number)))
            if self.rng.random() < 0.3:
                fields.append(("genre", yaml_str("行政规范性文件")))
        fields.append(("summary", yaml_str(self.summary(source))))
        if self.rng.random() < 0.08:  # an archive of twenty years: some documents are no longer in force
            fields += [("validity", yaml_str("失效")), ("validity_date", yaml_str(published.isoformat()))]
        _, _, median, longest = MIX["document"]
        lead = "各县（市、区）人民政府，市政府各部门："
        record = self.made(
            "document", agency, index, fields, self.body(source, median, longest, lead), title, published
        )
        self.documents.append(record)
        return record

    def interpretation(self) -> Made:
        explained = self.rng.choice(self.documents)
        agency, source = self.rng.choice(self.agencies), self.rng.choice(self.pool)
        written = explained.published + timedelta(days=self.rng.randrange(0, 6))
        published = written + timedelta(days=self.rng.randrange(0, 4))
        topic = re.sub(r"^保定市[^关]*关于", "", explained.title)[:60]
        title = self.title(INTERPRETATION_TITLES, agency, Source(topic, (), ""), written.year)
        index = self.index_number(agency, written.year)
        fields = self.common(
            "interpretation", title, index, agency, written, published, self.rng.choice(self.categories)
        )
        fields += [
            ("interprets", yaml_str(explained.index_number)),
            ("form", yaml_str(self.rng.choice(FORMS))),
        ]
        _, _, median, longest = MIX["interpretation"]
        return self.made(
            "interpretation", agency, index, fields, self.body(source, median, longest), title, published
        )

    def news(self) -> Made:
        agency, source = self.rng.choice(self.agencies), self.rng.choice(self.pool)
        written, published = self.dates()
        published = written + timedelta(days=self.rng.randrange(0, 2))
        title = self.title(NEWS_TITLES, agency, source, written.year)
        index = self.index_number(agency, written.year)
        fields = self.common("news", title, index, agency, written, published, "综合政务/政务公开")
        _, _, median, longest = MIX["news"]
        lead = f"{written.month}月{written.day}日，{agency.name}召开会议，研究部署相关工作。"
        return self.made(
            "news", agency, index, fields, self.body(source, median, longest, lead), title, published
        )

    def decision(self) -> Made:
        basis = self.rng.choice(self.documents)
        agency, source = self.rng.choice(self.agencies), self.rng.choice(self.pool)
        written, published = self.dates()
        title = self.title(DECISION_TITLES, agency, source, written.year)
        index = self.index_number(agency, written.year)
        fields = self.common(
            "decision", title, index, agency, written, published, self.rng.choice(self.categories)
        )
        fields.append(("matter", yaml_str(f"拟订并实施{source.topic}的配套措施。")))
        fields.append(
            ("basis", f"\n  - title: {yaml_str(basis.title)}\n    ref: {yaml_str(basis.index_number)}")
        )
        day, stages = published, []
        for stage, gap, length in (
            ("征求意见", 0, 30),
            ("合法性审查", 40, 0),
            ("集体讨论", 15, 0),
            ("决策公布", 10, 0),
        ):
            day += timedelta(days=gap + self.rng.randrange(0, 5))
            end = f"\n    end: {(day + timedelta(days=length)).isoformat()}" if length else ""
            stages.append(
                f"\n  - stage: {stage}\n    date: {day.isoformat()}{end}\n    summary: {yaml_str(stage + '阶段情况在本栏目公开。')}"
            )
        fields += [("stages", "".join(stages)), ("outcome", yaml_str(f"决定实施{source.topic}的配套措施。"))]
        _, _, median, longest = MIX["decision"]
        return self.made(
            "decision", agency, index, fields, self.body(source, median, longest), title, published
        )

    def approval(self) -> Made:
        agency, source = self.rng.choice(self.agencies), self.rng.choice(self.pool)
        written, published = self.dates()
        self.batches[written.year] += 1
        title = self.title(APPROVAL_TITLES, agency, source, written.year, self.batches[written.year])
        index = self.index_number(agency, written.year)
        fields = self.common(
            "approval", title, index, agency, written, published, "国民经济管理、国有资产监管/经济体制改革"
        )
        number = self.doc_number(agency, written.year)
        if number:
            fields.insert(3, ("doc_number", yaml_str(number)))
        fields.insert(5, ("effective", (published + timedelta(days=self.rng.randrange(0, 30))).isoformat()))
        items = []
        for n in range(1, self.rng.randrange(3, 13)):
            action = self.rng.choice(ACTIONS)
            owner = self.rng.choice(self.agencies)
            name = f"{source.topic[:20]}{self.rng.choice(ITEM_WORDS)}"
            to = f"\n    to: {yaml_str(TO[action])}" if action in TO else ""
            items.append(
                f"\n  - number: {n}\n    name: {yaml_str(name)}\n    implementing_agency: {yaml_str(owner.name)}"
                f"\n    action: {action}{to}"
            )
        fields.append(("items", "".join(items)))
        _, _, median, longest = MIX["approval"]
        return self.made(
            "approval", agency, index, fields, self.body(source, median, longest), title, published
        )

    def power(self) -> Made:
        agency, law = self.rng.choice(self.agencies), self.rng.choice(self.laws)
        written, published = self.dates()
        power_type = self.rng.choice(POWER_TYPES)
        words = f"{law.topic[:30]}{self.rng.choice(ITEM_WORDS)}"
        title = self.title(
            (f"依据{{t}}的{power_type}：{words}",), agency, Source(law.law, (), ""), written.year
        )
        index = self.index_number(agency, written.year)
        fields = self.common(
            "power", title, index, agency, written, published, self.rng.choice(self.categories)
        )
        self.power_serials[agency.code, power_type] += 1
        code = f"{agency.code}-{POWER_CODES[power_type]}-{self.power_serials[agency.code, power_type]:03d}"
        article = f"第{self.rng.choice(ARTICLE_NUMBERS)}条"
        steps = []
        for step_id, name, post in STEPS[: self.rng.randrange(3, 6)]:
            steps.append(
                f"\n  - id: {step_id}\n    name: {name}\n    post: {yaml_str(post)}\n    limit_days: {self.rng.randrange(1, 6)}"
            )
            if self.rng.random() < 0.3:
                steps.append(
                    '\n    risks:\n      - point: "未按规定时限办理"\n        level: 中'
                    '\n        measures: ["办理时限电子监察"]\n        owner: "科室负责人"'
                )
        fields += [
            ("code", yaml_str(code)),
            ("power_type", power_type),
            ("basis", f"\n  - law: {yaml_str(law.law)}\n    article: {yaml_str(article)}"),
            ("fee", yaml_str("不收费")),
            ("supervision", f"\n  phone: {yaml_str(agency.phone)}"),
            ("steps", "".join(steps)),
        ]
        _, _, median, longest = MIX["power"]
        return self.made("power", agency, index, fields, self.body(law, median, longest), title, published)


def statutory_yaml(categories: list[str]) -> str:
    """Return a statutory.yaml that files every category under one item of 条例第二十条、第二十一条, in turn.

    第二十条第（一）项 is filled by the documents with a genre (行政规范性文件).
    """
    items = [f"20-{n}" for n in range(2, 16)] + [f"21-{n}" for n in range(1, 8)]
    filed: dict[str, list[str]] = {item: [] for item in items}
    for i, category in enumerate(categories):
        filed[items[i % len(items)]].append(category)
    lines = ["# 法定主动公开内容：生成的基准站把每个主题分类轮流归入一项（bench/scale_records.py）。"]
    lines += [f"{item}: [{', '.join(yaml_str(c) for c in filed[item])}]" for item in items]
    return "\n".join(lines) + "\n"


def plan(records: int) -> list[str]:
    """Return the kinds to make, in order: every kind's share of `records` (documents first)."""
    counts = {kind: round(records * share) for kind, (share, *_rest) in MIX.items() if kind != "document"}
    counts["document"] = records - sum(counts.values())
    order = ["document"] * counts["document"]
    for kind in ("interpretation", "news", "decision", "approval", "power"):
        order += [kind] * counts[kind]
    return order


def render(record: Made) -> str:
    """Return a generated record as Markdown with YAML front matter."""
    head = "\n".join(f"{key}: {value}" for key, value in record.fields)
    return f"---\n{head}\n---\n{record.body}\n"


def generate(
    out: Path, records: int, seed: int = 15, corpus: Path = DEFAULT_CORPUS, sample: Path = SAMPLE
) -> dict[str, int]:
    """Write a content folder of `records` generated records to `out`; return the count of each kind."""
    if not replaceable(out):
        raise SystemExit(f"refusing to overwrite {out}: not empty and not an earlier generated folder")
    pool = sources(corpus)
    if not pool:
        raise SystemExit(f"no documents found in {corpus}")
    generator = Generator(pool, read_agencies(sample), read_categories(sample), seed)
    staging = out.with_name(f".{out.name}.generating")
    if staging.exists():
        import shutil

        shutil.rmtree(staging)
    # the sample's site.yaml (guide, 依申请公开) under the importer's name, which marks a folder it may replace
    site = (sample / "site.yaml").read_text(encoding="utf-8").split("\n")
    write_text(
        staging / "site.yaml",
        "\n".join([SITE_NAME_LINE] + [line for line in site if not line.startswith(("#", "name:"))]),
    )
    write_text(staging / "statutory.yaml", statutory_yaml(generator.categories))
    for name in ("agencies.yaml", "categories.yaml", "synonyms.yaml", "holidays.yaml", "guide.md"):
        write_text(staging / name, (sample / name).read_text(encoding="utf-8"))
    makers = {kind: getattr(generator, kind) for kind in MIX}
    for kind in plan(records):
        record = makers[kind]()
        write_text(staging / record.path, render(record))
    swap_in(staging, out)
    return {kind: generator.counts[kind] for kind in MIX}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, required=True, help="content folder to write (replaced if an earlier one)"
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = generate(args.out.resolve(), args.records, args.seed, args.corpus)
    print(
        f"wrote {sum(counts.values())} records {counts} to {args.out} in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
