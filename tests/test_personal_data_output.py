"""Personal data never reaches any output: what a reader sees is scanned (issue 10 §2).

A number split by markup or a line break used to be published when the record had a
summary: the page showed `138<strong>0013</strong>8000` (the gate scanned raw HTML, tags
in place), and the body's plain text, where the number is joined, went only into the
search index, which the gate did not read; the service then showed it in its snippets.
Without a summary the joined text also reached the home page's excerpts, which the gate
did read: that is why only records with a summary leaked.

Policy pinned here: inline tags, emphasis, entities, `<br>` and line breaks inside a
paragraph join (the reader reads one number); block tags, table cells, list items and
XML elements do not (two numbers stay two). Attachments: text by its real encoding,
Office/ODF, PDF and ZIP members are scanned; what cannot be read gets a warning naming it.
"""

from __future__ import annotations

import codecs
import html
import io
import re
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from werkzeug.test import Client

from disclosure.core.problems import ContentInvalid
from disclosure.core.visible_text import quick, render
from disclosure.outputs.output_gate import check_output
from disclosure.pipeline import Settings, build_site
from disclosure.rules import personal_data as pd
from disclosure.rules.personal_allow_list import AllowList
from disclosure.rules.personal_numbers import scan_text
from search.service.app import create_search_app

FIXTURES = Path(__file__).parent / "fixtures"
ARTICLE = "依《政府信息公开条例》第十五条不得公开；请打码或删除"
NOT_CHECKED = "无法提取文字，未能检查其中的个人信息；请人工核查后再发布"

RECORD = """---
title: "（测试）拆开的号码"
index_number: "000014349/2018-09{n:03d}"
agency: 国务院办公厅
written: 2018-06-24
published: 2018-06-28
category: 综合政务/政务公开
{summary}---
联系方式如下，请致电。

{body}
"""


def write_record(content: Path, name: str, body: str, n: int = 1, summary: bool = True) -> Path:
    """Write one document record into a content folder; return its path."""
    path = content / "documents" / "2018" / f"{name}.md"
    text = RECORD.format(n=n, body=body, summary='summary: "这是内容概述。"\n' if summary else "")
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the valid fixture site."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "valid", target)
    return target


def build(content: Path, output: Path) -> list[str]:
    """Build; return the printed problems of a refused build ([] when it was published)."""
    try:
        build_site(Settings(content_dir=content, output_dir=output, progress=False, use_cache=False))
    except ContentInvalid as refused:
        return [str(p) for p in refused.problems if p.is_error]
    return []


# ---------------------------------------------------------------- the source: reported at path:line

SPLIT_BODIES = [
    ("bold", "手机：138**0013**8000。", "mobile"),
    ("emphasis", "手机：138*0013*8000。", "mobile"),
    ("underscore", "手机：138__0013__8000。", "mobile"),
    ("span", "手机：138<span>0013</span>8000。", "mobile"),
    ("nested", '手机：138<span class="x"><b>0013</b></span>8000。', "mobile"),
    ("line-break", "手机：1380013\n8000。", "mobile"),
    ("hard-break", "手机：1380013  \n8000。", "mobile"),
    ("br", "手机：1380013<br>8000。", "mobile"),
    ("entity", "手机：138&#48;0138000。", "mobile"),
    ("hex-entity", "手机：138&#x30;0138000。", "mobile"),
    ("comment", "手机：138<!-- -->00138000。", "mobile"),
    ("escape", "手机：138\\*0013\\*8000。", "mobile"),
    ("code", "手机：`138`0013`8000`。", "mobile"),
    ("id-line-break", "身份证号：110105194912\n31002X。", "id"),
    ("id-bold", "身份证号：**110105**19491231**002X**。", "id"),
    ("list-continuation", "- 手机：1380013\n  8000", "mobile"),
    ("card", "银行卡号：6222<b>0212</b>34567890128", "card"),
]


@pytest.mark.parametrize(("name", "body", "kind"), SPLIT_BODIES, ids=[c[0] for c in SPLIT_BODIES])
def test_split_numbers_in_bodies_are_reported_at_their_source_line(content: Path, name: str, body: str, kind: str) -> None:
    from disclosure.kinds import KIND_BY_NAME
    from disclosure.site.content import validate_record_file

    path = write_record(content, name, body)
    _, problems = validate_record_file(path, KIND_BY_NAME["document"], r"^.+/\d{4}-\d+$")
    masked = {"mobile": "手机号码 138****8000", "id": "身份证号 110105********002X", "card": "银行卡号 6222***********0128"}[kind]
    found = [str(p) for p in problems if "未打码" in p.message]
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}:12: 正文（body）: 第 ")
    assert masked in found[0] and (pd.SPLIT in found[0] or "*" in body)  # a star hides no digit: found as written


APART_BODIES = [
    ("cells", "| 金额 | 年度 |\n| --- | --- |\n| 1500000 | 2019 |\n| 1380013 | 8000 |"),
    ("html-cells", "<table><tr><td>1380013</td><td>8000</td></tr></table>"),
    ("list-items", "- 1380013\n- 8000"),
    ("numbered", "1. 1380013\n2. 8000"),
    ("paragraphs", "第一段 1380013\n\n8000 第二段"),
    ("heading", "# 编号 1380013\n8000 元"),
    ("quote", "说明 1380013\n> 8000 元"),
    ("masked", "手机：138****8000，身份证号：110105********002X"),
    ("date-and-amount", "2019年6月28日**1500000**元"),
]


@pytest.mark.parametrize(("name", "body"), APART_BODIES, ids=[c[0] for c in APART_BODIES])
def test_numbers_kept_apart_by_blocks_are_not_joined(content: Path, tmp_path: Path, name: str, body: str) -> None:
    """Two numbers in two cells, items or paragraphs are two numbers: no error anywhere, build published."""
    write_record(content, name, body)
    assert build(content, tmp_path / "site") == []


def test_a_split_number_with_a_summary_is_refused_and_nothing_published(content: Path, tmp_path: Path) -> None:
    """The issue's case: a summary, and the body's number split three ways; each reported, nothing written."""
    for n, body in enumerate(["手机 138**0013**8000", "手机 138<span>0013</span>8000", "手机 1380013\n8000"], start=1):
        write_record(content, f"split-{n}", body, n)
    problems = build(content, tmp_path / "site")
    assert [p.split(": ")[0] for p in problems] == [f"{content}/documents/2018/split-{n}.md:12" for n in (1, 2, 3)]
    assert not (tmp_path / "site").exists()


# ---------------------------------------------------------------- the gate: every output type


GATE_CASES = [
    ("records/a/index.html", "<p>手机：138<strong>0013</strong>8000</p>\n"),
    ("records/b/index.html", "<html>\n<p>身份证号：110105194912\n31002X</p>"),
    ("records/c/index.html", "<p>138<span>0013</span>8000</p>"),
    ("feeds/all.xml", "<rss><item><description>&lt;p&gt;138&lt;b&gt;0013&lt;/b&gt;8000&lt;/p&gt;</description></item></rss>"),
    ("feeds/atom.xml", "<feed><entry><content type=\"html\">&lt;p&gt;1380013\n8000&lt;/p&gt;</content></entry></feed>"),
    ("feeds/double.xml", "<rss><item><description>138&amp;#48;0138000</description></item></rss>"),
    ("feeds/cdata.xml", "<rss><item><description><![CDATA[<p>138<em>0013</em>8000</p>]]></description></item></rss>"),
    ("data/records.json", '{\n "rows": [\n  {"body": "\\u0031\\u00338\\u00300138000"}\n ]\n}'),
    ("data/html.json", '{"body_html": "<p>138<b>0013</b>8000</p>"}'),
    ("data/records.csv", '\ufeff索引号,内容\nx,"1380013\n8000"\n'),
    ("search/data/d/0.js", 'YGSearch.docs(0,[["a","t","","","2018-06-28","138\\u00300138000"]]);\n'),
    ("static/flow.svg", "<svg><text><tspan>1380013</tspan><tspan>8000</tspan></text></svg>"),
    ("sitemap.xml", "<urlset><url><loc>https://x/records/1380013<!-- -->8000/</loc></url></urlset>"),
    # digits in other forms: the gate's quick test (could_hold_number) must count every one
    ("records/d/index.html", "<p>手机：¹³⁸⁰⁰¹³⁸⁰⁰⁰</p>"),
    ("records/e/index.html", "<p>手机：一三八〇〇一三八〇〇〇</p>"),
    ("records/f/index.html", "<p>手机：&sup1;38００１３８０００</p>"),
    ("records/g/index.html", "<p>手机：١٣٨٠٠١٣٨٠٠٠</p>"),
    ("search/data/b/0.js", 'YGSearch.body(0,{"万众":"lN+SjN","x":"\\u0031\\u00338\\u00300138000"});\n'),
]


@pytest.mark.parametrize(("relative", "text"), GATE_CASES, ids=[c[0] for c in GATE_CASES])
def test_gate_reads_every_output_type_as_its_reader_does(tmp_path: Path, relative: str, text: str) -> None:
    staging = tmp_path / "staging"
    (staging / relative).parent.mkdir(parents=True)
    (staging / relative).write_text(text, encoding="utf-8")
    with pytest.raises(ContentInvalid) as caught:
        check_output(staging, Path("site"), FIXTURES / "valid")
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 1 and messages[0].startswith(f"site/{relative}:"), messages
    assert "138****8000" in messages[0] or "110105********002X" in messages[0]
    assert not re.search(r"\d{11}", messages[0])


GATE_APART = [
    ("records/a/index.html", "<table><tr><td>1380013</td><td>8000</td></tr>\n<tr><td>1500000</td>\n<td>2019</td></tr></table>"),
    ("records/b/index.html", "<ul><li>1380013</li>\n<li>8000</li></ul><h2>1380013</h2><p>8000</p>"),
    ("feeds/all.xml", "<rss><item><title>1380013</title><link>8000</link><pubDate>20190101</pubDate></item></rss>"),
    ("feeds/escaped.xml", "<rss><item><description>&lt;td&gt;1380013&lt;/td&gt;&lt;td&gt;8000&lt;/td&gt;</description></item></rss>"),
    ("data/records.csv", "a,b\n1380013,8000\n1500000,2019\n"),
    ("data/records.json", '{"a": "1380013", "b": "8000", "c": [1500000, 2019]}'),
]


@pytest.mark.parametrize(("relative", "text"), GATE_APART, ids=[c[0] for c in GATE_APART])
def test_gate_keeps_cells_items_and_elements_apart(tmp_path: Path, relative: str, text: str) -> None:
    staging = tmp_path / "staging"
    (staging / relative).parent.mkdir(parents=True)
    (staging / relative).write_text(text, encoding="utf-8")
    check_output(staging, Path("site"), FIXTURES / "valid")


def test_quick_and_exact_renderings_agree() -> None:
    """The C-speed rendering (the gate's first look) and the one with offsets read markup alike."""
    samples = [raw for _, raw in GATE_CASES + GATE_APART if not raw.startswith(("{", "a,", "\ufeff", "YG"))]
    samples += ["<p>a&nbsp;1<br/>2 <i>3</i>\n4</p><td>5</td>", "<!DOCTYPE html><?xml x?><p>1<!-- c -->2</p>"]
    for raw in samples:
        for mode in ("html", "xml"):
            assert quick(raw, mode) == render(raw, mode).text, (raw, mode)


def test_gate_reads_the_search_service_stored_fields(content: Path, tmp_path: Path) -> None:
    """The Whoosh documents' stored fields (the service's titles and snippets) pass the same gate."""
    from whoosh import index

    site = tmp_path / "site"
    assert build(content, site) == []
    staging = tmp_path / "staging"
    shutil.copytree(site / ".search", staging / ".search")
    ix = index.open_dir(str(staging / ".search" / "whoosh"))
    with ix.writer() as writer:
        writer.add_document(key="x/1", digest="d", doc={"title": "t", "lead": "联系 13800138000"})
    ix.close()
    with pytest.raises(ContentInvalid) as caught:
        check_output(staging, tmp_path / "none", content)
    assert [p.message.split("）")[0] for p in caught.value.problems] == ["生成结果（检索索引 x/1 的 [doc][lead]"]


# ---------------------------------------------------------------- the search service end to end


def _snippets(site: Path, queries: list[str]) -> list[str]:
    client = Client(create_search_app(site))
    out = []
    for query in queries:
        response = client.get("/api/search", query_string={"q": query})
        assert response.status_code == 200
        out += [hit["snippet"] for hit in response.get_json()["results"]]
        page = client.get("/search/", query_string={"q": query})
        assert page.status_code == 200
        out.append(page.get_data(as_text=True))
    return out


def test_search_snippets_never_join_what_the_page_keeps_apart(content: Path, tmp_path: Path) -> None:
    """Cells, list items and paragraphs the gate accepts stay apart in snippets, leads and feeds.

    Before: the body index stored the body with every break collapsed to a space, so the
    service showed `1380013 8000` — what the scanner (and a reader) takes for a mobile.
    """
    body = "| 项目 | 金额 | 年度 |\n| --- | --- | --- |\n| 联系请致电 | 1500000 | 2019 |\n\n第一段 1380013\n\n8000 第二段联系请致电。"
    write_record(content, "apart-summary", body, 1, summary=True)
    write_record(content, "apart-plain", body, 2, summary=False)
    site = tmp_path / "site"
    assert build(content, site) == []
    shown = _snippets(site, ["联系请致电", "第二段"])
    assert len(shown) >= 4
    for text in shown:
        plain = html.unescape(re.sub(r"<[^>]*>", "", text))
        assert [f.masked for f in scan_text(plain)] == [], plain
    static = "".join(p.read_text("utf-8") for p in (site / "search" / "data").rglob("*.js"))
    feeds = "".join(p.read_text("utf-8") for p in (site / "feeds").rglob("*.xml"))
    for text in (static, html.unescape(feeds)):
        assert [f.masked for f in scan_text(text) if f.severity == "error"] == []


def test_search_snippet_of_a_split_number_is_never_published(content: Path, tmp_path: Path) -> None:
    """Before: the build succeeded and the service's snippet showed 13800138000 in full."""
    write_record(content, "split", "联系人手机：138<span>0013</span>8000，请致电。", 1)
    site = tmp_path / "site"
    assert build(content, site)
    assert not (site / ".search").exists()


# ---------------------------------------------------------------- attachments


ID = "11010519491231002X"
MOBILE = "13800138000"


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _pdf(text: str | None) -> bytes:
    """Return a one-page PDF written by hand: a Helvetica text line, or no text layer at all."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode() if text else b"0 0 m 10 10 l S"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _encrypted_pdf() -> bytes:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(612, 792)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _odt(xml_body: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
        f"{xml_body}</office:text></office:body></office:document-content>"
    )
    return _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": content.encode()})


def _docx(xml_body: str) -> bytes:
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{xml_body}</w:body></w:document>"
    )
    return _zip({"word/document.xml": document.encode()})


ATTACHMENTS: list[tuple[str, bytes, str]] = [
    ("utf16le-bom.txt", codecs.BOM_UTF16_LE + f"联系人手机：{MOBILE}\n".encode("utf-16-le"), "error"),
    ("utf16be-bom.csv", codecs.BOM_UTF16_BE + f"姓名,手机\n张*,{MOBILE}\n".encode("utf-16-be"), "error"),
    ("utf16le-nobom.txt", f"身份证号：{ID}\n".encode("utf-16-le"), "error"),
    ("utf16be-nobom.txt", f"身份证号：{ID}\n".encode("utf-16-be"), "error"),
    ("gbk.csv", f"姓名,身份证号\n张*,{ID}\n".encode("gbk"), "error"),
    ("utf8-bom.csv", codecs.BOM_UTF8 + f"a,b\nx,{MOBILE}\n".encode(), "error"),
    ("split-cell.csv", b'a,b\nx,"1380013\n8000"\n', "error"),
    ("名单.zip", _zip({"名单.csv": f"a,{ID}\n".encode()}), "error"),
    ("nested.zip", _zip({"inner.zip": _zip({"deep/list.txt": f"手机 {MOBILE}".encode("utf-16")})}), "error"),
    ("zipped-pdf.zip", _zip({"a.pdf": _pdf(f"Tel {MOBILE}")}), "error"),
    ("text.pdf", _pdf(f"Tel {MOBILE}"), "error"),
    ("split.odt", _odt("<text:p>手机 138<text:span>0013</text:span>8000</text:p>"), "error"),
    ("split.docx", _docx("<w:p><w:r><w:t>手机 138</w:t></w:r><w:r><w:t>0013</w:t></w:r><w:r><w:t>8000</w:t></w:r></w:p>"), "error"),
    ("cells.ods", _odt("<table:table-cell><text:p>1380013</text:p></table:table-cell><table:table-cell><text:p>8000</text:p></table:table-cell>"), ""),
    ("headings.odt", _odt("<text:h>1380013</text:h><text:p>8000</text:p>"), ""),
    ("scan.pdf", _pdf(None), "warning"),
    ("locked.pdf", _encrypted_pdf(), "warning"),
    ("photo.jpg", b"\xff\xd8\xff\xe0fake", "warning"),
    ("photo.png", b"\x89PNG\r\n\x1a\nfake", "warning"),
    ("scan.tif", b"II*\x00fake", "warning"),
    ("文件.ofd", _zip({"OFD.xml": b"<ofd/>"}), "warning"),
    ("old.doc", b"\xd0\xcf\x11\xe0fake", "warning"),
    ("old.xls", b"\xd0\xcf\x11\xe0fake", "warning"),
    ("photos.zip", _zip({"a.jpg": b"\xff\xd8fake"}), "warning"),
    ("bomb.zip", _zip({"zeros.txt": b"0" * 20_000_000}), "warning"),
]


@pytest.mark.parametrize(("name", "data", "severity"), ATTACHMENTS, ids=[a[0] for a in ATTACHMENTS])
def test_attachments_are_read_or_named_for_review(tmp_path: Path, name: str, data: bytes, severity: str) -> None:
    (tmp_path / name).write_bytes(data)
    problems = pd.scan_other_files(tmp_path, AllowList(tmp_path))
    if not severity:
        assert problems == []
        return
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.path == str(tmp_path / name) and problem.line >= 1
    if severity == "error":
        assert problem.is_error and ("138****8000" in problem.message or "110105********002X" in problem.message)
    else:
        assert not problem.is_error and NOT_CHECKED in problem.message
    assert not re.search(r"\d{11}", str(problem))


def test_zip_members_are_bounded(tmp_path: Path) -> None:
    """A zip bomb, a forged member count or deep nesting costs a warning and well under a second."""
    members = {f"m{i}.txt": b"x" for i in range(2_100)}
    deep = _zip({"l.txt": MOBILE.encode()})
    for level in range(4):
        deep = _zip({f"l{level}.zip": deep})
    (tmp_path / "many.zip").write_bytes(_zip(members, zipfile.ZIP_STORED))
    (tmp_path / "deep.zip").write_bytes(deep)
    (tmp_path / "bomb.zip").write_bytes(_zip({f"z{i}.txt": b"\0" * 5_000_000 for i in range(8)}))
    started = time.process_time()
    problems = pd.scan_other_files(tmp_path, AllowList(tmp_path))
    assert time.process_time() - started < 3
    assert [(Path(p.path).name, p.is_error) for p in problems] == [("bomb.zip", False)] * 8 + [("deep.zip", False), ("many.zip", False)]
    assert "压缩包嵌套超过 3 层" in problems[8].message
    assert "成员超过 2000 个" in problems[9].message


def test_attachment_in_a_build_blocks_publishing(content: Path, tmp_path: Path) -> None:
    """A number inside a UTF-16 attachment of a record blocks the build like one in the body."""
    folder = content / "documents" / "2018"
    (folder / "名单.txt").write_bytes(codecs.BOM_UTF16_LE + f"手机 {MOBILE}".encode("utf-16-le"))
    (folder / "照片.jpg").write_bytes(b"\xff\xd8\xff\xe0fake")
    problems = build(content, tmp_path / "site")
    assert problems == [f"{folder}/名单.txt:1: 文件（file）: 第 4 列有未打码的手机号码 138****8000，{ARTICLE}"]


def test_gate_skips_files_that_cannot_hold_a_number_and_scans_large_sites_on_every_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from disclosure.outputs import output_gate

    staging = tmp_path / "staging"
    shard = staging / "search" / "data" / "b" / "0.js"
    shard.parent.mkdir(parents=True)
    shard.write_text('YGSearch.body(0,{"万众":"lN+SjNkblb$J(f","上人":"~IgACAB%ADYGl-BpDC"});\n', encoding="utf-8")
    scanned: list[str] = []
    original = output_gate.scan_text
    monkeypatch.setattr(output_gate, "scan_text", lambda text, *a, **k: scanned.append(text) or original(text, *a, **k))
    assert output_gate.output_findings(shard) == []
    assert scanned == []  # written without digits: nothing to read it for
    # a site of many files: the same problems in the same order from worker processes
    for n in range(40):
        page = staging / "records" / f"r{n:02}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>第{n}号，手机 1380013{8000 + n}</p>" if n % 7 == 3 else f"<p>第{n}号</p>", encoding="utf-8")
    with pytest.raises(ContentInvalid) as alone:
        check_output(staging, Path("site"), FIXTURES / "valid")
    monkeypatch.setattr(output_gate, "PARALLEL_THRESHOLD", 1)
    with pytest.raises(ContentInvalid) as pooled:
        check_output(staging, Path("site"), FIXTURES / "valid")
    assert [str(p) for p in pooled.value.problems] == [str(p) for p in alone.value.problems]
    assert [str(p).split(":")[0] for p in alone.value.problems] == [f"site/records/r{n:02}/index.html" for n in (3, 10, 17, 24, 31, 38)]
