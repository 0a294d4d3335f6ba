"""依申请公开 (/apply/): the channels from site.yaml, the 申请表 as a page and as a Word file, the links to it."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
from lxml import html as lxml_html
from pypdf import PdfReader
from rules_support import RULES, copy_site, edit, problems_of
from werkzeug.test import Client

from conftest import read_page, static_server
from disclosure.core.config import SiteConfig
from disclosure.core.problems import ContentInvalid
from disclosure.outputs.application_form import APPLICATION_FORM, FORM, SIGNATURE, application_form_docx
from disclosure.outputs.output_gate import check_output
from disclosure.pipeline import Settings, build_site
from search.service.app import create_search_app

CHANNELS = """apply:
  recipient: "保定市人民政府办公室<b>受理</b>窗口"
  address: "河北省保定市东风路 1 号 & 市民中心"
  postcode: "071051"
  hours: 工作日 8:30—17:30
  fax: "0312-7654321"
  email: ysq@example.gov.cn
  online: https://ysq.example.gov.cn/apply?from=site&step=1
"""
FIELDS = [row.label for section in FORM for group in section.groups for row in group.rows] + [r.label for r in SIGNATURE]


def build(root: Path, out: Path) -> Path:
    build_site(Settings(content_dir=root, output_dir=out, progress=False, use_cache=False))
    return out


def page(out: Path, url: str) -> str:
    return read_page(out / url.strip("/") / "index.html", out)


def channel_rows(html: str) -> dict[str, str]:
    """Return the 申请渠道 table of /apply/ as {heading: cell text}."""
    tree = lxml_html.fromstring(html)
    for br in tree.iter("br"):
        br.tail = " " + (br.tail or "")  # a line break reads as a break, not as joined text
    return {
        tr.xpath("string(th)"): " ".join(tr.xpath("string(td)").split())
        for tr in tree.xpath("//table[contains(@class, 'channels')]//tr")
    }


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The rules fixture site (a complete 指南) with an `apply` block of every channel."""
    root = copy_site(tmp_path, monkeypatch)
    with (root / "site.yaml").open("a", encoding="utf-8") as f:
        f.write(CHANNELS)
    return root


def test_the_page_shows_every_channel_from_site_yaml_escaped(site: Path, tmp_path: Path) -> None:
    out = build(site, tmp_path / "out")
    html = page(out, "/apply/")
    assert channel_rows(html) == {
        "受理机构": "保定市人民政府办公室<b>受理</b>窗口",
        "当面提交": "河北省保定市东风路 1 号 & 市民中心 受理时间：工作日 8:30—17:30 以提交之日为收到申请之日（条例第三十一条第一项）。",
        "邮寄": "河北省保定市东风路 1 号 & 市民中心 邮政编码：071051 收件单位：保定市人民政府办公室<b>受理</b>窗口 "
                "以签收之日为收到申请之日；平常信函等无需签收的，工作机构于收到当日与申请人确认，确认之日为收到申请之日（条例第三十一条第二项）。",
        "传真": "0312-7654321 以双方确认之日为收到申请之日（条例第三十一条第三项）。",
        "电子邮件": "ysq@example.gov.cn 以双方确认之日为收到申请之日（条例第三十一条第三项）。",
        "在线申请": "https://ysq.example.gov.cn/apply?from=site&step=1 以双方确认之日为收到申请之日（条例第三十一条第三项）。",
        "咨询电话": "0312-1234567 用于咨询；申请须以书面形式提出（条例第二十九条）。",
    }
    assert "保定市人民政府办公室&lt;b&gt;受理&lt;/b&gt;窗口" in html and "<b>受理</b>" not in html
    assert "东风路 1 号 &amp; 市民中心" in html
    assert '<a href="mailto:ysq@example.gov.cn">' in html
    assert '<a href="https://ysq.example.gov.cn/apply?from=site&amp;step=1" rel="noopener">' in html
    for text in ("第二十九条第二款", "20 个工作日</strong>内予以答复", "延长的期限最长不得超过 <strong>20 个工作日</strong>",
                 "第三十三条第二款", "<strong>7 个工作日</strong>内一次性告知申请人作出补正", "（条例第三十条）",
                 "<strong>不收取费用</strong>", "可以收取信息处理费", "（条例第四十二条；", "申请行政复议或者提起行政诉讼（条例第五十一条）"):
        assert text in html, text
    assert f'href="/{APPLICATION_FORM}"' in html and 'href="/apply/form/"' in html


def test_missing_channels_are_taken_from_the_guide_office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    with (root / "site.yaml").open("a", encoding="utf-8") as f:
        f.write('apply:\n  fax: "0312-7654321"\n')
    rows = channel_rows(page(build(root, tmp_path / "out"), "/apply/"))
    assert rows["受理机构"] == "保定市人民政府办公室政务公开科"  # guide.office.name
    assert rows["当面提交"].startswith("河北省保定市 受理时间：工作日 9:00—17:00 ")  # guide.office.address, hours
    assert rows["邮寄"].startswith("河北省保定市 收件单位：保定市人民政府办公室政务公开科 ")  # no postcode is guessed
    assert rows["传真"].startswith("0312-7654321 ")  # apply.fax, not guide.office.fax (0312-1234568)
    assert rows["电子邮件"].startswith("gk@example.gov.cn ")  # the address in guide.office.internet
    assert "在线申请" not in rows  # a link is never guessed


def test_without_any_channel_the_page_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    text = (root / "site.yaml").read_text(encoding="utf-8")
    (root / "site.yaml").write_text(text[: text.index("guide:")].replace("sample: false", "sample: true"), encoding="utf-8")
    html = page(build(root, tmp_path / "out"), "/apply/")
    assert channel_rows(html) == {}
    assert "本站尚未公布申请渠道，请查阅" in html


def test_bad_channels_are_named_with_file_line_label_and_key(site: Path) -> None:
    edit(site / "site.yaml", "  postcode: \"071051\"\n", "  postcode: \"07105\"\n")
    edit(site / "site.yaml", "  email: ysq@example.gov.cn\n", "  email: ysq.example.gov.cn\n")
    edit(site / "site.yaml", "  online: https://ysq.example.gov.cn/apply?from=site&step=1\n", "  online: javascript:alert(1)\n  phone: 110\n")
    problems = [p for p in problems_of(site) if p.startswith("site.yaml")]
    assert problems == [
        "site.yaml:27: 邮政编码（apply.postcode）: 邮政编码应为 6 位数字（实为“07105”）",
        "site.yaml:30: 电子邮箱（apply.email）: 应为电子邮箱地址，如 gkb@example.gov.cn（实为“ysq.example.gov.cn”）",
        "site.yaml:31: 在线申请网址（apply.online）: 应为完整网址，如 https://www.example.gov.cn（实为“javascript:alert(1)”）",
        "site.yaml:32: 电话（apply.phone）: 未知字段“phone”；可用的字段：recipient, address, postcode, hours, fax, email, online",
    ]


def test_an_online_system_must_be_http_or_https(site: Path) -> None:
    edit(site / "site.yaml", "  online: https://ysq.example.gov.cn/apply?from=site&step=1\n", "  online: ftp://ysq.example.gov.cn/\n")
    assert [p for p in problems_of(site) if p.startswith("site.yaml")] == [
        "site.yaml:31: 在线申请网址（apply.online）: 应为完整网址，如 https://www.example.gov.cn（实为“ftp://ysq.example.gov.cn/”）",
    ]


def test_the_form_page_is_a_blank_table_of_the_national_fields(site: Path, tmp_path: Path) -> None:
    html = page(build(site, tmp_path / "out"), "/apply/form/")
    tree = lxml_html.fromstring(html)
    table = tree.xpath("//table[@class='apply-form']")[0]
    assert [" ".join(th.text_content().split()) for th in table.xpath(".//th[@scope='row']")] == FIELDS
    assert [th.text_content() for th in table.xpath(".//th[@scope='rowgroup']")] == ["申请人信息", "公民", "法人或其他组织", "所需信息情况"]
    cells = [" ".join(td.text_content().split()) for td in table.xpath(".//td")]
    assert cells == [""] * 18 + ["□纸质 □电子文档 □光盘 □其他＿＿＿＿", "□邮寄 □电子邮件 □传真 □自行领取 □当场阅读、抄录", "", "年 月 日"]
    assert tree.xpath("//main//input | //main//textarea | //main//form") == []  # nothing is collected, nothing prefilled
    assert tree.xpath("string(//p[@class='form-heading'])") == "保定市人民政府办公室<b>受理</b>窗口"
    assert "当面提交或邮寄：河北省保定市东风路 1 号 &amp; 市民中心（邮政编码 071051），收件单位 保定市人民政府办公室&lt;b&gt;受理&lt;/b&gt;窗口" in html


def test_the_word_form_has_the_fields_and_the_office_and_the_same_bytes_every_build(site: Path, tmp_path: Path) -> None:
    out = build(site, tmp_path / "out")
    first = (out / APPLICATION_FORM).read_bytes()
    document = docx.Document(io.BytesIO(first))
    assert [p.text for p in document.paragraphs[:2]] == ["保定市人民政府办公室<b>受理</b>窗口", "政府信息公开申请表"]
    table = document.tables[0]
    labels = [cell.text for row in table.rows for cell in row.cells]
    assert all(label in labels for label in FIELDS)
    rows = {row.cells[2].text: row.cells[3].text for row in table.rows}
    assert rows["提供信息的载体"] == "□纸质　□电子文档　□光盘　□其他＿＿＿＿"
    assert all(rows[label] == "" for label in ("姓名", "证件号码", "联系电话", "统一社会信用代码", "所需信息的名称"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "传真：0312-7654321" in text and "电子邮件：ysq@example.gov.cn" in text
    assert document.core_properties.created is not None and document.core_properties.created.date().isoformat() == "2019-06-28"
    build(site, out)  # rebuilt in place (incremental)
    build(site, tmp_path / "again")  # and from nothing
    assert (out / APPLICATION_FORM).read_bytes() == first
    assert (tmp_path / "again" / APPLICATION_FORM).read_bytes() == first
    edit(site / "site.yaml", '  fax: "0312-7654321"\n', '  fax: "0312-7654320"\n')
    assert (build(site, tmp_path / "changed") / APPLICATION_FORM).read_bytes() != first


def test_the_guide_the_section_the_footer_the_sitemap_and_no_result_searches_link_to_it(site: Path, tmp_path: Path) -> None:
    out = build(site, tmp_path / "out")
    for url in ("/guide/", "/disclosure/"):
        assert '<a href="/apply/">依申请公开</a>' in page(out, url), url
    for url in ("/", "/catalog/", "/apply/form/"):
        footer = lxml_html.fromstring(page(out, url)).xpath("//footer//a[@href='/apply/']/text()")
        assert footer == ["依申请公开"], url
    assert "<loc>https://rules.example.gov.cn/apply/</loc>" in (out / "sitemap.xml").read_text(encoding="utf-8")
    service = Client(create_search_app(out / ".search")).get("/search/", query_string={"q": "查无此词"})
    assert service.status_code == 200
    assert '可以<a href="/apply/">申请政府信息公开</a>' in service.get_data(as_text=True)


def test_mode_copies_have_the_pages_and_link_the_one_word_file(site: Path, tmp_path: Path) -> None:
    out = build(site, tmp_path / "out")
    for mode in ("care", "a11y"):
        html = page(out, f"/{mode}/apply/")
        # document-relative: read at /care/apply/ it is /care/apply/form/, at /a11y/apply/ /a11y/apply/form/
        assert f'href="/{mode}/apply/form/"' in html and f'href="/{APPLICATION_FORM}"' in html
        assert (out / mode / "apply" / "form" / "index.html").is_file()
        assert os.path.samefile(out / mode / APPLICATION_FORM, out / APPLICATION_FORM)  # one file, in every mode


def test_the_output_gate_reads_the_word_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_site(tmp_path, monkeypatch)
    config = SiteConfig.model_validate({"name": "测试站", "base_url": "https://t.example.gov.cn", "apply": {"fax": "13800138000"}})
    staging = tmp_path / "staging"
    (staging / "apply").mkdir(parents=True)
    (staging / APPLICATION_FORM).write_bytes(application_form_docx(config))
    with pytest.raises(ContentInvalid) as invalid:
        check_output(staging, tmp_path / "live", root)
    assert [str(p) for p in invalid.value.problems] == [
        f"{tmp_path / 'live' / APPLICATION_FORM}:1: 文件（file）: 生成结果（word/document.xml）有未打码的手机号码 138****8000，"
        "依《政府信息公开条例》第十五条不得公开；源文件检查未发现，可能由模板拼接或转义产生；本次未发布"
    ]


# --------------------------------------------------------------------------- in Chromium


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The rules fixture site with every channel, built and served on a loopback port."""
    root = tmp_path_factory.mktemp("apply") / "content"
    shutil.copytree(RULES / "site", root)
    with (root / "site.yaml").open("a", encoding="utf-8") as f:
        f.write(CHANNELS)
    out = build(root, root.parent / "site")

    with static_server(out) as address:
        yield address


def test_the_form_prints_on_one_a4_page_without_the_site_header(browser: Any, host: str) -> None:
    page = browser.new_page()
    page.goto(f"{host}/apply/form/")
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['.site-header', '.form-intro', '.print-url', '.site-footer']
        .map(s => getComputedStyle(document.querySelector(s)).display)""")
    assert hidden == ["none"] * 4
    assert page.is_visible("table.apply-form") and page.is_visible("h1")
    assert len(PdfReader(io.BytesIO(page.pdf(format="A4"))).pages) == 1
    page.close()


def test_a_search_that_finds_nothing_offers_to_apply(browser: Any, host: str) -> None:
    page = browser.new_page()
    page.goto(f"{host}/search/?q=" + "查无此词")
    page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
    found = links(page)  # beside them: 订阅此检索 (something may be published later)
    assert found[:2] == [(f"{host}/catalog/", "政府信息公开目录"), (f"{host}/apply/", "申请政府信息公开")], found
    page.goto(f"{host}/care/search/?q=" + "查无此词")
    page.wait_for_selector('#search-results[data-state="done"]', timeout=10_000)
    assert (f"{host}/care/apply/", "申请政府信息公开") in links(page)
    page.close()



def links(page: Any) -> list[tuple[str, str]]:
    """Return (href, text) of every link in the search results area."""
    found = page.eval_on_selector_all("#search-results a", "els => els.map(e => [e.getAttribute('href'), e.textContent])")
    return [(href, text) for href, text in found]
