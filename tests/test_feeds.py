"""Feeds: built for real from tests/fixtures/feeds, parsed back with feedparser."""

from __future__ import annotations

import html
import re
import shutil
from datetime import date
from pathlib import Path

import feedparser
import pytest
from lxml import etree

from disclosure.core.problems import ContentInvalid
from disclosure.kinds import KINDS
from disclosure.outputs.feeds import feed_specs
from disclosure.pipeline import Settings, build_site, check_site
from disclosure.site.model import Site

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "feeds"
HOSTILE = '"><script>alert(1)</script>{{ 7*7 }}'
POWER = "对未按期办理纳税申报的行政处罚"
DECISION = Path("decisions/2019/bus-fares.md")
RULES = Path("documents/2019/open-rules.md")


def build(content: Path, output: Path) -> Path:
    """Build `content` into `output` with the real pipeline; return the output folder."""
    build_site(Settings(content_dir=content, output_dir=output, today=date(2024, 1, 1), progress=False, use_cache=False))
    return output


def copy_fixture(tmp_path: Path) -> Path:
    """Return a private copy of the fixture content folder, safe to edit."""
    return Path(shutil.copytree(FIXTURE, tmp_path / "content"))


def feed_files(out: Path) -> list[Path]:
    return sorted(p for p in (out / "feeds").rglob("*") if p.suffix in (".xml", ".atom"))


def guids(out: Path, name: str = "all.xml") -> list[str]:
    return [e.id for e in parse(out / "feeds" / name).entries]


def parse(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path.name}: {parsed.get('bozo_exception')}"
    for entry in parsed.entries:  # titles are escaped HTML (type="html"): compare what a reader shows
        entry["title"] = html.unescape(entry.title)
    return parsed


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content built once into a temporary site folder."""
    return build(FIXTURE, tmp_path_factory.mktemp("feeds") / "site")


@pytest.fixture(scope="module")
def site_model(site_dir: Path) -> Site:
    """The site model of the fixture content."""
    return check_site(Settings(content_dir=FIXTURE, progress=False, use_cache=False)).site


def test_every_feed_parses_with_feedparser(site_dir: Path) -> None:
    files = feed_files(site_dir)
    assert files
    for path in files:
        parsed = parse(path)
        assert parsed.version == ("rss20" if path.suffix == ".xml" else "atom10"), path
        etree.fromstring(path.read_bytes())  # well-formed for a strict parser too


def test_one_rss_and_one_atom_per_kind_agency_and_top_category(site_dir: Path, site_model: Site) -> None:
    expected = {"all"} | {f"kind/{k.name}" for k in KINDS}
    expected |= {feed.path for k in KINDS for feed in k.feeds(site_model.indexes.get(k.name))}  # 红牌
    expected |= {f"agency/{site_model.agency_key(a.name)}" for a in site_model.agencies}
    expected |= {f"category/{site_model.category_key(c.path)}" for c in site_model.categories if c.depth == 0}
    found = {p.relative_to(site_dir / "feeds").with_suffix("").as_posix() for p in feed_files(site_dir)}
    assert found == expected
    assert {s.path for s in feed_specs(site_model)} == expected
    for path in expected:
        assert (site_dir / "feeds" / f"{path}.xml").is_file()
        assert (site_dir / "feeds" / f"{path}.atom").is_file()


def test_entries_carry_full_text_author_categories_and_china_time(site_dir: Path) -> None:
    rss = parse(site_dir / "feeds" / "all.xml")
    atom = parse(site_dir / "feeds" / "all.atom")
    assert len(rss.entries) == len(atom.entries) > 0
    for entry in rss.entries + atom.entries:
        assert entry.id.startswith("tag:gk.example.gov.cn,")
        assert entry.link.startswith("https://gk.example.gov.cn/records/")
        assert entry.author
        assert entry.tags
        assert entry.summary
        assert entry.content[0].value
    rules = next(e for e in rss.entries if e.id.endswith("100000001/2019-00002/published"))
    assert rules.title == "测试市政府信息公开办法"
    assert rules.author == "测试市人民政府"
    assert "20个工作日内答复" in rules.content[0].value  # the whole body, not a teaser
    assert {t.term for t in rules.tags} == {"综合政务/政务公开", "政府文件"}
    raw_rss = (site_dir / "feeds" / "all.xml").read_text(encoding="utf-8")
    raw_atom = (site_dir / "feeds" / "all.atom").read_text(encoding="utf-8")
    dates = re.findall(r"<pubDate>([^<]+)</pubDate>", raw_rss)
    assert dates and all(d.endswith("00:00:00 +0800") for d in dates)
    stamps = re.findall(r"<(?:updated|published)>([^<]+)</", raw_atom)
    assert stamps and all(s.endswith("T00:00:00+08:00") for s in stamps)
    assert "<lastBuildDate>Wed, 12 Feb 2020 00:00:00 +0800</lastBuildDate>" in raw_rss


def test_entries_newest_first_with_self_link(site_dir: Path) -> None:
    for path in feed_files(site_dir):
        parsed = parse(path)
        times = [e.published_parsed for e in parsed.entries]
        assert times == sorted(times, reverse=True), path
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [f"https://gk.example.gov.cn/{path.relative_to(site_dir).as_posix()}"]


def test_events_publication_stages_changes_and_repeal(site_dir: Path) -> None:
    ids = set(guids(site_dir))
    prefix = "tag:gk.example.gov.cn,"
    assert ids == {
        prefix + "2018:100000001/2018-00001/published",
        prefix + "2018:100000001/2018-00001/repealed-2019-06-01",
        prefix + "2019:100000001/2019-00002/published",  # its “首次发布” change is the publication
        prefix + "2019:100000001/2019-00002/change-2019-07-01",
        prefix + "2019:100000001/2019-00003/published",  # the first stage is on the publication day
        prefix + "2019:100000001/2019-00003/stage-2019-09-20-hearing",
        prefix + "2019:100000001/2019-00003/stage-2019-10-15-collective-discussion",
        prefix + "2020:100000002/2020-00001/published",
        prefix + "2019:100000001/2019-00004/published",  # an approval-item list
        prefix + "2019:100000003/2019-00001/published",  # a power item
    }
    titles = {e.id.rpartition("/")[2]: e.title for e in parse(site_dir / "feeds" / "all.xml").entries}
    assert titles["repealed-2019-06-01"] == "【已废止】测试市政府信息公开暂行办法"
    assert titles["stage-2019-09-20-hearing"] == "【听证】测试市公交票价调整决策"


def test_scoped_feeds_hold_only_their_records(site_dir: Path, site_model: Site) -> None:
    decisions = parse(site_dir / "feeds" / "kind" / "decision.xml")
    assert {e.id.split(":")[2].rpartition("/")[0] for e in decisions.entries} == {"100000001/2019-00003"}
    tax = parse(site_dir / "feeds" / "agency" / f"{site_model.agency_key('测试市税务局')}.xml")
    assert [e.title for e in tax.entries] == [HOSTILE, POWER]  # a joint document is in each agency's feed
    finance = parse(site_dir / "feeds" / "category" / f"{site_model.category_key('财政、金融、审计')}.atom")
    assert [e.title for e in finance.entries] == [HOSTILE, POWER]
    powers = parse(site_dir / "feeds" / "kind" / "power.xml")
    assert [e.title for e in powers.entries] == [POWER]


def test_hostile_title_is_text_and_scripts_never_reach_a_feed(site_dir: Path) -> None:
    for path in feed_files(site_dir):
        raw = path.read_text(encoding="utf-8")
        assert "<script" not in raw, path
        assert "onerror" not in raw, path
    entry = next(e for e in parse(site_dir / "feeds" / "all.atom").entries if e.title == HOSTILE)
    assert "alert(2)" not in entry.content[0].value


def test_guids_and_bytes_equal_across_two_builds(site_dir: Path, tmp_path: Path) -> None:
    again = build(FIXTURE, tmp_path / "again")
    for path in feed_files(site_dir):
        twin = again / path.relative_to(site_dir)
        assert [e.id for e in parse(path).entries] == [e.id for e in parse(twin).entries]
        assert path.read_bytes() == twin.read_bytes(), path


def test_one_new_entry_after_one_new_decision_stage(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    out = build(content, tmp_path / "site")
    before = guids(out)
    edit(content / DECISION, "outcome: 尚在审议中。", "  - stage: 决策公布\n    date: 2020-03-01\n    summary: 公布调整方案。\noutcome: 尚在审议中。")
    build(content, out)
    after = guids(out)
    assert set(before) < set(after)
    new = [g for g in after if g not in before]
    assert new == ["tag:gk.example.gov.cn,2019:100000001/2019-00003/stage-2020-03-01-announcement"]
    assert after[0] == new[0]  # newest first
    assert len(guids(out, "kind/decision.xml")) == 4


def test_no_new_entry_after_a_typo_fix(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    out = build(content, tmp_path / "site")
    before = {p.name: [e.id for e in parse(p).entries] for p in feed_files(out)}
    edit(content / RULES, "第一条　为保障公民依法获取政府信息", "第一条　为保障公民、法人和其他组织依法获取政府信息")
    edit(content / RULES, "title: 测试市政府信息公开办法", "title: 测试市政府信息公开办法（修订）")
    edit(content / DECISION, "举行价格听证会。", "举行公交票价听证会。")
    build(content, out)
    after = {p.name: [e.id for e in parse(p).entries] for p in feed_files(out)}
    assert after == before


def test_one_new_entry_each_for_a_change_and_a_repeal(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    out = build(content, tmp_path / "site")
    before = guids(out)
    edit(content / RULES, "changes:\n", "changes:\n  - date: 2020-03-02\n    note: 更正第二条的时限表述。\n")
    edit(content / DECISION, "published: 2019-08-01\n", "published: 2019-08-01\nvalidity: 失效\nvalidity_date: 2020-05-01\n")
    build(content, out)
    new = [g for g in guids(out) if g not in before]
    assert new == [
        "tag:gk.example.gov.cn,2019:100000001/2019-00003/expired-2020-05-01",
        "tag:gk.example.gov.cn,2019:100000001/2019-00002/change-2020-03-02",
    ]


def test_feeds_are_capped_to_feed_limit(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    edit(content / "site.yaml", "feed_limit: 50", "feed_limit: 3")
    out = build(content, tmp_path / "site")
    full = guids(build(FIXTURE, tmp_path / "full"))
    assert guids(out) == full[:3]
    for path in feed_files(out):
        assert len(parse(path).entries) <= 3


@pytest.mark.parametrize("char", ["\x0b", "\x1b", "\ufffe", "\uffff", "\x08"])
def test_xml_illegal_character_in_body_is_a_problem_with_file_and_line(tmp_path: Path, char: str) -> None:
    content = copy_fixture(tmp_path)
    edit(content / RULES, "第二条　行政机关", f"第二条　行政{char}机关")
    with pytest.raises(ContentInvalid) as caught:
        check_site(Settings(content_dir=content, progress=False, use_cache=False))
    messages = [str(p) for p in caught.value.problems if p.is_error]
    lines = (content / RULES).read_text(encoding="utf-8").split("\n")
    line = next(n for n, text in enumerate(lines, start=1) if char in text)
    assert len(messages) == 1
    assert f"open-rules.md:{line}: 正文（body）: 正文含有不可见的控制字符" in messages[0]
    assert f"U+{ord(char):04X}" in messages[0]


def test_xml_illegal_character_in_title_is_refused(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    # written as a YAML escape: the YAML reader refuses the raw character itself
    edit(content / RULES, "title: 测试市政府信息公开办法", 'title: "测试市政府信息\\x1b公开办法"')
    with pytest.raises(ContentInvalid) as caught:
        check_site(Settings(content_dir=content, progress=False, use_cache=False))
    assert any("open-rules.md:2: 标题（title）" in str(p) for p in caught.value.problems)


def test_autodiscovery_on_every_page(site_dir: Path, site_model: Site) -> None:
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<link rel="alternate" type="application/rss+xml"' in html, page
        assert 'href="/feeds/all.xml"' in html and 'href="/feeds/all.atom"' in html, page
        for href in re.findall(r'<link rel="alternate" type="application/(?:rss|atom)\+xml" title="[^"]*" href="([^"]+)"', html):
            assert (site_dir / href.lstrip("/")).is_file(), (page, href)


def test_record_and_facet_pages_link_their_own_feeds(site_dir: Path, site_model: Site) -> None:
    record = (site_dir / "records" / "100000002-2020-00001" / "index.html").read_text(encoding="utf-8")
    for path in [
        "all",
        "kind/document",
        f"agency/{site_model.agency_key('测试市财政局')}",
        f"agency/{site_model.agency_key('测试市税务局')}",
        f"category/{site_model.category_key('财政、金融、审计')}",
    ]:
        assert f'href="/feeds/{path}.xml"' in record and f'href="/feeds/{path}.atom"' in record, path
    top = site_model.category_key("综合政务")
    sub = (site_dir / "catalog" / "category" / site_model.category_key("综合政务/政务公开") / "index.html").read_text(encoding="utf-8")
    assert f'href="/feeds/category/{top}.xml"' in sub
    kind = (site_dir / "catalog" / "kind" / "decision" / "index.html").read_text(encoding="utf-8")
    assert 'href="/feeds/kind/decision.xml"' in kind
    assert 'href="/feeds/kind/document.xml"' not in kind


def test_section_pages_link_their_kind_feed(site_dir: Path) -> None:
    for page, kind in [("approvals", "approval"), ("powers", "power"), ("risks", "power")]:
        html = (site_dir / page / "index.html").read_text(encoding="utf-8")
        assert f'href="/feeds/kind/{kind}.xml"' in html, page
        assert f'href="/feeds/kind/{kind}.atom"' in html, page


def test_feeds_page_lists_every_feed(site_dir: Path) -> None:
    page = (site_dir / "feeds" / "index.html").read_text(encoding="utf-8")
    assert "怎样订阅" in page
    for path in feed_files(site_dir):
        assert f'href="/{path.relative_to(site_dir).as_posix()}"' in page, path


def test_a_huge_body_is_cut_at_a_tag_and_stays_well_formed(tmp_path: Path) -> None:
    content = copy_fixture(tmp_path)
    paragraph = "第一条　" + "行政机关应当依法公开政府信息，" * 40 + "\n\n"
    edit(content / RULES, "第三条　", paragraph * 600 + "| 表头 | 说明 |\n|---|---|\n| 甲 | 乙 |\n\n第三条　")
    out = build(content, tmp_path / "site")
    for name in ("all.xml", "all.atom"):
        entry = next(e for e in parse(out / "feeds" / name).entries if e.id.endswith("2019-00002/published"))
        html = entry.content[0].value
        assert len(html) < 320_000
        assert "阅读全文" in html
        assert "第三条" not in html  # the tail was cut, not the head
        assert html.count("<p>") == html.count("</p>")
    assert "第三条" in (out / "records" / "100000001-2019-00002" / "index.html").read_text(encoding="utf-8")


def test_unchanged_feeds_are_linked_from_the_live_site(tmp_path) -> None:
    """A rebuild renders only the feeds whose entries changed; the others are the live files."""
    import shutil

    from conftest import FIXTURES, run_build

    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", content)
    out = tmp_path / "site"
    run_build(content, out)
    before = {p.relative_to(out): p.stat().st_ino for p in (out / "feeds").rglob("*.xml")}
    record = content / "documents" / "2018" / "guobanhan-2018-71.md"
    record.write_text(record.read_text(encoding="utf-8") + "\n补充一句。\n", encoding="utf-8")
    run_build(content, out)
    after = {p.relative_to(out): p.stat().st_ino for p in (out / "feeds").rglob("*.xml")}
    changed = {str(p) for p in before if before[p] != after.get(p)}
    assert "feeds/all.xml" in changed and "feeds/kind/document.xml" in changed
    assert "feeds/kind/decision.xml" not in changed
    assert len(changed) < len(before)


def test_a_joint_record_names_every_agency_in_one_rss_creator(site_dir: Path) -> None:
    """Feed readers (newsboat, Feedly) show the first dc:creator only: a joint document's agencies
    travel in one, lead first; Atom keeps one <author> each."""
    rss = (site_dir / "feeds" / "all.xml").read_text("utf-8")
    item = next(i for i in re.findall(r"<item>.*?</item>", rss, re.S) if "测试市税务局" in i)
    assert re.findall(r"<dc:creator>(.*?)</dc:creator>", item) == ["测试市财政局、测试市税务局"]
    atom = (site_dir / "feeds" / "all.atom").read_text("utf-8")
    entry = next(e for e in re.findall(r"<entry>.*?</entry>", atom, re.S) if "测试市税务局" in e)
    assert re.findall(r"<author>\s*<name>(.*?)</name>", entry) == ["测试市财政局", "测试市税务局"]
