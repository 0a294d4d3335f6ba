"""The real build end to end: pages parsed back, every URL frozen, output swapped atomically."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import warnings
from datetime import date
from pathlib import Path

import pytest
from lxml import html

from conftest import REPO, read_page, tree_digest
from disclosure.core.output_guard import mark
from disclosure.core.progress import Progress
from disclosure.outputs.publish import staging_directory
from disclosure.pipeline import Settings, load_site
from disclosure.web.freeze import make_freezer


def parse(path: Path) -> html.HtmlElement:
    return html.fromstring(read_page(path))


def text_of(doc: html.HtmlElement, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in doc.xpath(xpath)]


def metadata(doc: html.HtmlElement) -> dict[str, str]:
    """Return the metadata table as label → value."""
    cells = doc.xpath("//table[contains(@class,'metadata')]//tr/*")
    pairs = {}
    for th, td in zip(cells[::2], cells[1::2], strict=False):
        pairs[" ".join(th.text_content().split()).replace("　", "")] = " ".join(td.text_content().split())
    return pairs


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample content/ built once for this module."""
    out = tmp_path_factory.mktemp("sample") / "site"
    result = subprocess.run(
        [sys.executable, "build.py", "build", "--content", "content", "--output", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return out


def test_sample_site_home_catalog_and_founding_decision(sample_site: Path) -> None:
    home = parse(sample_site / "index.html")
    assert home.xpath("/html/@lang") == ["zh-CN"]
    assert "不是官方发布" in text_of(home, "//*[contains(@class,'sample-banner')]")[0]
    assert home.xpath("//form[@role='search']/@action")[0] == "/search/"
    assert len(home.xpath("//h1")) == 1

    founding = parse(sample_site / "records" / "130600001-2009-00009" / "index.html")
    meta = metadata(founding)
    assert meta["发文字号"] == "保发〔2009〕9号"
    assert meta["成文日期"] == "2009年4月3日"
    assert meta["发布机构"] == "中共保定市委、保定市人民政府"
    assert meta["有效性"] == "有效" and meta["公开方式"] == "主动公开"
    assert set(meta) >= {"索引号", "主题分类", "发布机构", "成文日期", "发文字号", "发布日期", "有效性", "公开方式", "主题词"}
    headings = text_of(founding, "//h2")
    assert "决策事项" in headings and "决策依据" in headings
    assert any(h.startswith("决策过程") for h in headings)
    assert "冀发〔2009〕1号" in founding.text_content()

    catalog = parse(sample_site / "catalog" / "index.html")
    header = text_of(catalog, "//table[contains(@class,'catalog')]//th")
    assert header[:4] == ["索引号", "名称", "内容概述", "生成日期"]
    rows = catalog.xpath("//table[contains(@class,'catalog')]/tbody/tr")
    records = list((REPO / "content").glob("*/**/*.md"))
    assert 0 < len(rows) <= 50
    assert len(records) >= 12
    assert (sample_site / "sitemap.xml").read_text(encoding="utf-8").count("<loc>") > len(rows)
    assert "Sitemap: https://" in (sample_site / "robots.txt").read_text(encoding="utf-8")
    assert "页面不存在" in (sample_site / "404.html").read_text(encoding="utf-8")


def test_repealed_record_and_its_repealing_record_link_each_other(content: Path, tmp_path: Path, run) -> None:
    out = tmp_path / "site"
    status, err = run("build", "--content", content, "--output", out)
    assert status == 0, err
    old = parse(out / "records" / "130600001-2010-00003" / "index.html")
    banner = old.xpath("//*[contains(@class,'validity-banner')]")[0]
    assert "本件已废止" in banner.text_content()
    assert banner.xpath(".//a/@href") == ["/records/130600001-2018-00012/"]
    new = parse(out / "records" / "130600001-2018-00012" / "index.html")
    assert "/records/130600001-2010-00003/" in new.xpath("//a/@href")
    annex = new.xpath("//section[contains(@class,'attachments')]//li")[0]
    assert "主动公开目录" in annex.text_content() and "CSV" in annex.text_content()
    assert (out / "records" / "130600001-2018-00012" / "new-rules-annex.csv").read_bytes().startswith("序号".encode())
    history = text_of(new, "//section[contains(@class,'changes')]//td")
    assert history == ["2018年12月10日", "更正附件中的一处错别字"]


def test_every_endpoint_of_the_sample_site_is_frozen(tmp_path: Path) -> None:
    settings = Settings(content_dir=REPO / "content", output_dir=tmp_path / "x", use_cache=False)
    site, _ = load_site(settings, Progress(enabled=False))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # MissingURLGeneratorWarning: an endpoint nobody freezes
        urls = {page.url for page in make_freezer(site, tmp_path / "frozen").freeze_yield()}
    assert "/records/130600001-2009-00009/" in urls


def test_every_internal_link_of_the_sample_site_resolves(sample_site: Path) -> None:
    broken = []
    for page in sample_site.rglob("*.html"):
        if page.name == "404.html" or ".search" in page.parts:
            continue  # served at any address; the search service's own frame
        for href in parse(page).xpath("//a/@href | //link/@href | //script/@src | //img/@src | //form/@action"):
            if href.startswith(("http://", "https://", "mailto:", "tel:", "#", "//")):
                continue
            path = href.split("#")[0].split("?")[0]
            target = (page.parent / path) if not path.startswith("/") else sample_site / path.lstrip("/")
            if not (target.is_file() or (target / "index.html").is_file()):
                broken.append(f"{page.relative_to(sample_site)} → {href}")
    assert broken == []


def test_hostile_fields_are_escaped_and_bodies_sanitised(content: Path, tmp_path: Path, run) -> None:
    hostile = '"><script>alert(1)</script>{{ 7*7 }}'
    (content / "documents" / "hostile.md").write_text(
        "---\n"
        f"title: {json.dumps(hostile)}\n"
        'index_number: "130600001/2020-00001"\n'
        "agency: 保定市人民政府\nwritten: 2020-01-02\npublished: 2020-01-03\ncategory: 综合政务/政务公开\n"
        f"summary: {json.dumps(hostile)}\n"
        "---\n"
        "正文<script>alert(1)</script><img src=x onerror=alert(1)>\n\n"
        "<!-- 内部意见：拟不予公开 -->\n\n<iframe src=//evil.example></iframe>\n",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    status, err = run("build", "--content", content, "--output", out)
    assert status == 0, err
    page = (out / "records" / "130600001-2020-00001" / "index.html").read_text(encoding="utf-8")
    doc = html.fromstring(page)
    assert doc.xpath("//h1")[0].text_content() == hostile
    assert doc.xpath("//title")[0].text_content().startswith(hostile)
    assert doc.xpath("//meta[@name='description']/@content") == [hostile]
    assert doc.xpath("//body//script[not(@type='application/ld+json')]") == []
    assert doc.xpath("//iframe") == [] and doc.xpath("//@onerror") == []
    assert "内部意见" not in page and "evil.example" not in page
    assert "{{ 7*7 }}" in doc.xpath("//h1")[0].text_content()
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    assert "<script>" not in sitemap


def test_content_error_leaves_previous_site_byte_for_byte(content: Path, tmp_path: Path, run) -> None:
    out = tmp_path / "site"
    assert run("build", "--content", content, "--output", out)[0] == 0
    before = tree_digest(out)
    (content / "documents" / "bad.md").write_text("---\ntitle: 坏\n---\n", encoding="utf-8")
    status, err = run("build", "--content", content, "--output", out)
    assert status == 1
    assert "未发布" in err
    assert tree_digest(out) == before
    assert [p.name for p in tmp_path.iterdir() if "staging" in p.name] == []


def test_exception_inside_staging_leaves_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    mark(out, "site")  # a site this tool made (a folder of user files is never replaced)
    (out / "index.html").write_text("旧", encoding="utf-8")
    with pytest.raises(RuntimeError), staging_directory(out) as staging:
        (staging / "index.html").write_text("新", encoding="utf-8")
        raise RuntimeError("第 N 页出错")
    assert (out / "index.html").read_text(encoding="utf-8") == "旧"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    with staging_directory(out) as staging:
        (staging / "index.html").write_text("新", encoding="utf-8")
    assert (out / "index.html").read_text(encoding="utf-8") == "新"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def _many_records(content: Path, count: int) -> None:
    for n in range(count):
        (content / "documents" / f"gen-{n:04d}.md").write_text(
            "---\n"
            f"title: 生成的测试文件第{n}号\n"
            f'index_number: "130600001/2021-{n + 1:05d}"\n'
            "agency: 保定市人民政府\nwritten: 2021-01-04\npublished: 2021-01-05\ncategory: 其他\n"
            "---\n" + "行政权力公开透明运行。\n\n" * 20,
            encoding="utf-8",
        )


def _without_whoosh(tree: dict[str, bytes]) -> dict[str, bytes]:
    """Drop the Whoosh index files: their names are random (tests/test_fault_injection.py compares documents)."""
    return {name: data for name, data in tree.items() if not name.startswith(".search/whoosh/")}


def test_killed_build_never_leaves_a_mixed_site(content: Path, tmp_path: Path) -> None:
    _many_records(content, 150)
    out = tmp_path / "site"
    command = [sys.executable, str(REPO / "build.py"), "build", "--content", str(content), "--output", str(out)]
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    old = _without_whoosh(tree_digest(out))
    victim = content / "documents" / "gen-0000.md"
    victim.write_text(victim.read_text(encoding="utf-8").replace("第0号", "第0号（修订）"), encoding="utf-8")
    killed, seen = 0, []
    for delay in (0.3, 0.6, 0.9, 1.2):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        killed += process.returncode == -signal.SIGKILL
        seen.append(_without_whoosh(tree_digest(out)))
    assert killed >= 1
    os.utime(victim)  # the next build clears the killed builds' staging folders once stale
    subprocess.run(command, check=True, capture_output=True, timeout=300)
    new = _without_whoosh(tree_digest(out))
    assert all(digest in (old, new) for digest in seen)  # a build that finished before the kill left the new site
    assert "（修订）" in (out / "records" / "130600001-2021-00001" / "index.html").read_text(encoding="utf-8")


def test_catalog_paginates_without_javascript(content: Path, tmp_path: Path, run) -> None:
    _many_records(content, 60)
    out = tmp_path / "site"
    assert run("build", "--content", content, "--output", out)[0] == 0
    second = parse(out / "catalog" / "page" / "2" / "index.html")
    assert len(second.xpath("//table[contains(@class,'catalog')]/tbody/tr")) == 64 - 50
    assert second.xpath("//a[@rel='prev']/@href") == ["/catalog/"]
    year = parse(out / "catalog" / "year" / "2021" / "page" / "2" / "index.html")
    assert len(year.xpath("//table[contains(@class,'catalog')]/tbody/tr")) == 10


def test_build_is_quiet_when_not_on_a_terminal(content: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--content", str(content), "--output", str(tmp_path / "s")],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0
    assert result.stdout == ""
    assert all(": 警告：" in line or line.startswith("共 ") for line in result.stderr.splitlines())


def test_progress_is_shown_on_a_terminal(tmp_path: Path) -> None:
    log = tmp_path / "progress.txt"
    with open(log, "w+", encoding="utf-8") as stream:
        progress = Progress(stream, enabled=True)
        progress.start("生成页面", 3)
        progress.update(3)
        progress.finish("完成")
    shown = log.read_text(encoding="utf-8")
    assert "生成页面… 3/3" in shown and "完成" in shown


def test_new_assigns_the_next_free_index_number(content: Path, run) -> None:
    status, _ = run("new", "document", "--agency", "保定市政府", "--content", content, "--date", "2018-06-01", "--title", "（示例）新文件")
    assert status == 0
    created = content / "documents" / "2018" / "130600001-2018-00013.md"
    text = created.read_text(encoding="utf-8")
    assert 'index_number: "130600001/2018-00013"' in text
    status, err = run("check", "--content", content)
    assert status == 1 and "正文（body）: 尚未填写" in err  # the body is still to be written (tests/test_scaffold.py)
    created.write_text(text.replace("【待填写：正文】", "新文件的正文。"), encoding="utf-8")
    assert run("check", "--content", content)[0] == 0
    status, err = run("new", "decision", "--agency", "不存在的局", "--content", content)
    assert status == 1 and "agencies.yaml 中没有“不存在的局”" in err


def test_schema_has_chinese_titles_for_every_kind(tmp_path: Path, run) -> None:
    target = tmp_path / "schema.json"
    assert run("schema", "--output", target)[0] == 0
    schema = json.loads(target.read_text(encoding="utf-8"))
    document = schema["$defs"]["document"]
    assert document["properties"]["index_number"]["title"] == "索引号"
    assert document["additionalProperties"] is False
    assert set(document["required"]) >= {"title", "index_number", "agency", "written", "published", "category"}
    assert schema["$defs"]["decision"]["properties"]["stages"]["title"] == "决策阶段"
    assert re.match(r"^#/\$defs/", schema["x-folders"]["decisions"])


def test_dates_render_without_leading_zeros() -> None:
    from disclosure.web.filters import cn_date

    assert cn_date(date(2009, 4, 3)) == "2009年4月3日"
