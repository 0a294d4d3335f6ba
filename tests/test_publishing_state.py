"""Publishing state (DESIGN §3.8), built for real from tests/fixtures/publishing.

The fixture holds a draft (`draft: true`) of every kind with a simple form — a document, a
decision, an interpretation, a news item, an approval list and a power item, their titles
all carrying 青鸾草稿 — and a news item scheduled for 2024-06-20 (白泽定时). Built as of
2024-06-14, neither the drafts nor the scheduled item is anywhere in the output: no file
under the output folder (pages and their /care/ and /a11y/ copies, feeds, open data,
sitemap, search indexes, .build manifests) holds a title, a 索引号 or a URL of theirs, and
neither search finds them. Built as of the scheduled day, the scheduled item is published;
the drafts never are.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from werkzeug.test import Client

from conftest import read_page
from disclosure.pipeline import Settings, build_site
from search.index.static_query import StaticSite
from search.service.app import create_search_app
from search.stored import SERVICE_FOLDER

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "publishing"
DAY = date(2024, 6, 14)
SCHEDULED_DAY = date(2024, 6, 20)
DRAFTS = {  # kind → (title, 索引号)
    "document": ("青鸾草稿文件保定市人民政府关于加强政务公开的通知", "130600001/2024-00902"),
    "decision": ("青鸾草稿决策保定市政务公开重大决策", "130600001/2024-00903"),
    "interpretation": ("青鸾草稿解读政府网站集约化试点解读", "130600001/2024-00904"),
    "news": ("青鸾草稿动态市政府开展政务公开检查", "130600001/2024-00901"),
    "approval": ("青鸾草稿清单保定市人民政府关于取消一批行政审批事项的决定", "130600001/2024-00905"),
    "power": ("青鸾草稿权力政府信息公开申请的答复", "130600001/2024-00906"),
}
SCHEDULED = ("白泽定时动态市政府召开政务公开推进会", "130600001/2024-00910")
DRAFT_WARNING = "草稿（draft）: 警告：草稿：本条不发布（不进入任何页面、目录、订阅、检索和开放数据）；定稿后删除此行或改为 draft: false"
PUBLISHED = 6 + 5 + 1  # the interpretations fixture's records and the six news items published by DAY

Run = Callable[..., tuple[int, str]]


def build(content: Path, output: Path, today: date) -> Path:
    build_site(Settings(content_dir=content, output_dir=output, today=today, progress=False, use_cache=False))
    return output


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(FIXTURE, tmp_path_factory.mktemp("publishing") / "site", DAY)


@pytest.fixture(scope="module")
def later_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(FIXTURE, tmp_path_factory.mktemp("publishing-later") / "site", SCHEDULED_DAY)


def needles(title: str, index_number: str) -> list[bytes]:
    """Return every form the record could take in a file: its title (as written and as a JSON
    \\u escape), its 索引号 and the slug of its URL."""
    escaped = json.dumps(title)[1:-1]  # ensure_ascii: \u9752\u9e3e…
    return [title.encode(), escaped.encode(), escaped.lower().encode(), index_number.encode(),
            index_number.replace("/", "-").encode()]


def files_holding(root: Path, title: str, index_number: str) -> list[str]:
    """Return the files under `root` (every file: hidden folders, binary indexes) holding any form of the record."""
    found = []
    forms = needles(title, index_number)
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if any(form in data for form in forms):
                found.append(str(path.relative_to(root)))
    return found


def test_the_output_is_complete_enough_for_the_search_to_mean_something(site_dir: Path) -> None:
    # every channel the next tests search exists and holds the published records
    for channel in ("index.html", "care/index.html", "a11y/index.html", "news/index.html", "catalog/index.html",
                    "feeds/all.xml", "feeds/all.atom", "feeds/kind/news.xml", "data/records.json", "data/records.csv",
                    "data/news.csv", "sitemap.xml", "interpretations/index.html", "approvals/index.html",
                    "powers/index.html", "records/000014349-2018-00204/index.html"):
        assert (site_dir / channel).is_file(), channel
    assert (site_dir / SERVICE_FOLDER).is_dir() and (site_dir / "search").is_dir() and (site_dir / ".build").is_dir()
    assert files_holding(site_dir, "市政府召开第六次政务公开协调会", "130600001/2024-00106")  # the search can find


@pytest.mark.parametrize("kind", sorted(DRAFTS))
def test_a_draft_is_in_no_file_of_the_output(site_dir: Path, kind: str) -> None:
    assert files_holding(site_dir, *DRAFTS[kind]) == []
    assert files_holding(site_dir, "青鸾草稿", "QINGLUAN-QT-0001") == []  # body words, the power's 权力编码


def test_a_scheduled_record_is_in_no_file_of_the_output_before_its_day(site_dir: Path) -> None:
    assert files_holding(site_dir, *SCHEDULED) == []
    assert files_holding(site_dir, "白泽定时", "2024-06-20") == []


def test_neither_search_finds_drafts_or_scheduled_records(site_dir: Path) -> None:
    client = Client(create_search_app(site_dir / SERVICE_FOLDER))
    static = StaticSite(site_dir)
    for words in ("青鸾草稿", "白泽定时", "130600001/2024-00902", "130600001/2024-00910", "保政〔2024〕9号"):
        found = json.loads(client.get("/api/search", query_string={"q": words}).get_data(as_text=True))
        assert found["total"] == 0 and found["results"] == [], words
        assert static.search(words) == [], words
    # the same searches find a published record
    found = json.loads(client.get("/api/search", query_string={"q": "第六次政务公开协调会"}).get_data(as_text=True))
    assert [r["url"] for r in found["results"]] == ["/records/130600001-2024-00106/"]
    assert [r["slug"] for r in static.search("第六次政务公开协调会")] == ["130600001-2024-00106"]


def test_counts_and_lists_leave_drafts_out(site_dir: Path) -> None:
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    assert f"共 {PUBLISHED} 条" in home
    records = json.loads((site_dir / "data" / "records.json").read_text(encoding="utf-8"))
    assert records["count"] == PUBLISHED
    # the document the draft interpretation explains lists only the published one
    document = read_page(site_dir / "records" / "000014349-2018-00204" / "index.html")
    listed = re.findall(r'<section class="linked-from".*?</section>', document, re.S)
    assert len(listed) == 1 and re.findall(r'href="([^"]+)"', listed[0]) == ["/records/130600001-2019-00101/"]
    # no draft kind facet, page or table row left behind
    for table in ("approval-items", "power-items", "decisions", "interpretations", "news"):
        rows = json.loads((site_dir / "data" / f"{table}.json").read_text(encoding="utf-8"))["rows"]
        assert all(not r["index_number"].startswith("130600001/2024-009") for r in rows), table


def test_check_and_build_warn_about_each_draft_at_its_line(tmp_path: Path, run: Run) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    for command in (["check"], ["build", "--output", str(tmp_path / "site")]):
        status, err = run(*command, "--content", content, "--today", DAY.isoformat())
        assert status == 0, err
        for name, line in (("news", 10), ("documents", 12), ("decisions", 12), ("interpretations", 10),
                           ("approvals", 9), ("powers", 20)):
            assert f"{name}/2024/draft.md:{line}: {DRAFT_WARNING}" in err
        assert ("news/2024/scheduled.md:6: 发布日期（published）: 警告：发布日期 2024-06-20 晚于构建日期 2024-06-14："
                "本条暂不发布（定时发布），到期后重新构建即发布") in err


def test_a_draft_published_later_than_the_build_day_is_announced_as_a_draft_only(tmp_path: Path, run: Run) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    draft = content / "news" / "2024" / "draft.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("published: 2024-06-12", "published: 2024-06-30"), encoding="utf-8")
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 0, err
    assert f"news/2024/draft.md:10: {DRAFT_WARNING}" in err
    assert "draft.md:6: 发布日期（published）" not in err


def test_a_draft_is_still_validated(tmp_path: Path, run: Run) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    draft = content / "documents" / "2024" / "draft.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("written: 2024-06-03", "written: 2024-06-31"), encoding="utf-8")
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 1
    assert "documents/2024/draft.md:6: 成文日期（written）: 日期不存在：2024-06-31" in err


@pytest.mark.parametrize(("path", "key", "value"), [
    ("interpretations/2019/jiyuehua-wenda.md", "interprets", "130600001/2024-00902"),
    ("documents/2018/guobanhan-2018-71.md", "repealed_by", "130600001/2024-00902"),
])
def test_a_published_record_cannot_link_to_a_draft(tmp_path: Path, run: Run, path: str, key: str, value: str) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    record = content / path
    text = record.read_text(encoding="utf-8")
    if key == "interprets":
        text = text.replace('interprets: "000014349/2018-00204"', f'interprets: "{value}"')
    else:
        text = text.replace("category:", f'validity: 废止\nvalidity_date: 2024-06-05\nrepealed_by: "{value}"\ncategory:', 1)
    record.write_text(text, encoding="utf-8")
    status, err = run("check", "--content", content, "--today", DAY.isoformat())
    assert status == 1
    lines = [line for line in err.splitlines() if f"{path}:" in line and f"（{key}）" in line]
    expected = f"本站没有索引号为“{value}”的记录" if key == "interprets" else f"找不到索引号或标题为“{value}”的记录"
    assert len(lines) == 1 and lines[0].endswith(expected), err


def test_on_its_day_the_scheduled_record_is_published_and_the_drafts_still_are_not(later_dir: Path) -> None:
    slug = SCHEDULED[1].replace("/", "-")
    page = (later_dir / "records" / slug / "index.html").read_text(encoding="utf-8")
    assert SCHEDULED[0] in page
    holding = files_holding(later_dir, *SCHEDULED)
    for channel in ("index.html", "care/index.html", "a11y/index.html", "news/index.html", "feeds/all.xml",
                    "feeds/kind/news.xml", "data/records.json", "data/news.csv", "sitemap.xml"):
        assert channel in holding, channel
    client = Client(create_search_app(later_dir / SERVICE_FOLDER))
    found = json.loads(client.get("/api/search", query_string={"q": "白泽定时"}).get_data(as_text=True))
    assert [r["url"] for r in found["results"]] == [f"/records/{slug}/"]
    assert [r["slug"] for r in StaticSite(later_dir).search("白泽定时")] == [slug]
    for kind in DRAFTS:
        assert files_holding(later_dir, *DRAFTS[kind]) == [], kind


def test_a_published_record_made_a_draft_leaves_the_site_and_its_caches(tmp_path: Path) -> None:
    content = Path(shutil.copytree(FIXTURE, tmp_path / "content"))
    output = tmp_path / "site"
    settings = Settings(content_dir=content, output_dir=output, today=DAY, progress=False, use_cache=True)
    build_site(settings)
    title, index_number = "市政府召开第六次政务公开协调会", "130600001/2024-00106"
    assert files_holding(output, title, index_number)
    item = content / "news" / "2024" / "n6.md"
    item.write_text(item.read_text(encoding="utf-8").replace("category:", "draft: true\ncategory:"), encoding="utf-8")
    build_site(settings)  # incremental: the live site, the page manifest and the search cache are reused
    assert files_holding(output, title, index_number) == []
    found = json.loads(Client(create_search_app(output / SERVICE_FOLDER)).get(
        "/api/search", query_string={"q": "第六次政务公开协调会"}).get_data(as_text=True))
    assert found["total"] == 0
    assert StaticSite(output).search("第六次政务公开协调会") == []
