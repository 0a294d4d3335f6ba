"""Only files under content/ are ever published (issue 10, §3).

Every test runs the real command line on a real content folder in tmp_path: symlinks that
leave the folder, attachment names that climb out or mean something else in a URL, names
one in Unicode normalisation, 索引号 that would leave /records/, and a full hostile build
whose output is checked file by file against content/ and against a secret outside it.
"""

from __future__ import annotations

import json
import os
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from disclosure.core.sources import confined, escapes, read_bytes, walk_files
from tests.conftest import tree_digest

SECRET = b"SECRET-7f3a9c-root:x:0:0:root:/root:/bin/bash"
DOCS = Path("documents") / "2018"
RECORD = """---
title: 测试记录
index_number: {index}
agency: 保定市人民政府
written: 2018-11-20
published: 2018-11-26
category: 综合政务/政务公开
{extra}---
正文。
"""


def write_record(content: Path, extra: str = "", name: str = "x.md", index: str = "130600001/2018-00099") -> Path:
    """Write a valid document record at documents/2018/`name`; `extra` goes in its front matter (line 8 on)."""
    path = content / DOCS / name
    path.write_text(RECORD.format(index=json.dumps(index), extra=extra), encoding="utf-8")
    return path


def attachments(*names: str) -> str:
    """Return front-matter lines listing `names` as attachments (the first `file` is on line 9)."""
    return "attachments:\n" + "".join(f"  - {{file: {json.dumps(n, ensure_ascii=False)}, title: 附件}}\n" for n in names)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A server file outside the content folder that must never be read into the site."""
    path = tmp_path / "outside" / "passwd"
    path.parent.mkdir()
    path.write_bytes(SECRET + b"\n")
    return path


def _outside_copy(secret: Path, name: str, text: str) -> Path:
    """Return a file beside `secret` (outside content/) holding `text` and the secret."""
    path = secret.parent / name
    path.write_text(text.replace("SECRET", SECRET.decode()), encoding="utf-8")
    return path


def _leak_record(secret: Path, name: str = "leak.md", index: str = "130600001/2018-00077") -> Path:
    return _outside_copy(secret, name, RECORD.format(index=json.dumps(index), extra="summary: SECRET\n") + "SECRET\n")


def _config(content: Path, secret: Path, name: str) -> None:
    target = _outside_copy(secret, name, (content / name).read_text(encoding="utf-8") + "# SECRET\n")
    (content / name).unlink()
    (content / name).symlink_to(target)


def _link_record(content: Path, secret: Path) -> None:
    (content / DOCS / "leak.md").symlink_to(_leak_record(secret))


def _link_attachment(content: Path, secret: Path) -> None:
    (content / DOCS / "a.txt").symlink_to(secret)
    write_record(content, attachments("a.txt"))


def _link_chain(content: Path, secret: Path) -> None:
    # a.txt -> inner.txt (inside) -> the secret (outside): resolved fully, it leaves
    (content / DOCS / "inner.txt").symlink_to(secret)
    (content / DOCS / "a.txt").symlink_to("inner.txt")
    write_record(content, attachments("a.txt"))


def _link_relative(content: Path, secret: Path) -> None:
    (content / DOCS / "a.txt").symlink_to(os.path.relpath(secret, content / DOCS))
    write_record(content, attachments("a.txt"))


def _link_page(content: Path, secret: Path) -> None:
    (content / "pages" / "leak.md").symlink_to(_outside_copy(secret, "page.md", "---\ntitle: SECRET\n---\nSECRET\n"))


def _link_middle_folder(content: Path, secret: Path) -> None:
    folder = secret.parent / "2019"
    folder.mkdir()
    (folder / "leak.md").write_text(_leak_record(secret).read_text(encoding="utf-8"), encoding="utf-8")
    (content / "documents" / "2019").symlink_to(folder, target_is_directory=True)


def _link_kind_folder(content: Path, secret: Path) -> None:
    folder = secret.parent / "news"
    folder.mkdir()
    (folder / "leak.md").write_text(_leak_record(secret).read_text(encoding="utf-8"), encoding="utf-8")
    (content / "news").symlink_to(folder, target_is_directory=True)


def _link_items_csv(content: Path, secret: Path) -> None:
    folder = content / "approvals" / "2018"
    folder.mkdir(parents=True)
    (folder / "items.csv").symlink_to(_outside_copy(secret, "items.csv", "序号,项目名称\n1,SECRET\n"))
    (folder / "list.md").write_text(
        RECORD.format(index='"130600001/2018-00098"', extra="effective: 2018-12-01\nitems_csv: items.csv\n"),
        encoding="utf-8",
    )


def _link_unnamed_csv(content: Path, secret: Path) -> None:
    (content / DOCS / "z.csv").symlink_to(secret)


def _link_loop(content: Path, secret: Path) -> None:
    (content / DOCS / "loop.md").symlink_to("loop.md")


def _link_guide(content: Path, secret: Path) -> None:
    (content / "guide.md").symlink_to(_outside_copy(secret, "guide.md", "---\ntitle: SECRET\n---\nSECRET\n"))


def _link_reports(content: Path, secret: Path) -> None:
    (content / "reports").mkdir(exist_ok=True)
    (content / "reports" / "2020.yaml").symlink_to(secret)


def _link_allow_list(content: Path, secret: Path) -> None:
    (content / "personal_data_allow.yaml").symlink_to(secret)


ATTACHMENT_LINE = "documents/2018/x.md:9: 附件文件（attachments[0].file）: 附件“a.txt”指向内容目录之外（符号链接），已拒绝"
OUTSIDE = "文件（file）: 文件或目录指向内容目录之外（符号链接），已拒绝"
LINKS = {
    "record file": (_link_record, f"documents/2018/leak.md:1: {OUTSIDE}"),
    "attachment": (_link_attachment, ATTACHMENT_LINE),
    "attachment via an inside link": (_link_chain, ATTACHMENT_LINE),
    "attachment, relative ../ link": (_link_relative, ATTACHMENT_LINE),
    "site.yaml": (lambda c, s: _config(c, s, "site.yaml"), f"site.yaml:1: {OUTSIDE}"),
    "agencies.yaml": (lambda c, s: _config(c, s, "agencies.yaml"), f"agencies.yaml:1: {OUTSIDE}"),
    "categories.yaml": (lambda c, s: _config(c, s, "categories.yaml"), f"categories.yaml:1: {OUTSIDE}"),
    "fixed page": (_link_page, f"pages/leak.md:1: {OUTSIDE}"),
    "folder in the middle of a path": (_link_middle_folder, f"documents/2019:1: {OUTSIDE}"),
    "a whole kind folder": (_link_kind_folder, f"news:1: {OUTSIDE}"),
    "items_csv": (_link_items_csv, "approvals/2018/list.md:9: 事项表（CSV）（items_csv）: CSV 文件“items.csv”指向内容目录之外"),
    "CSV nobody names": (_link_unnamed_csv, f"documents/2018/z.csv:1: {OUTSIDE}"),
    "symlink loop": (_link_loop, f"documents/2018/loop.md:1: {OUTSIDE}"),
    "guide.md": (_link_guide, f"guide.md:1: {OUTSIDE}"),
    "annual report data": (_link_reports, f"reports/2020.yaml:1: {OUTSIDE}"),
    "personal-data allow-list": (_link_allow_list, f"personal_data_allow.yaml:1: {OUTSIDE}"),
}


@pytest.mark.parametrize("case", LINKS)
def test_symlink_leaving_content_is_refused_at_its_line(case: str, content: Path, secret: Path, run, monkeypatch) -> None:
    make, expected = LINKS[case]
    make(content, secret)
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    lines = [line for line in err.splitlines() if "指向内容目录之外" in line]
    chained = case == "attachment via an inside link"  # inner.txt is reported as well
    assert len(lines) == 1 + chained and any(line.startswith(expected) for line in lines), err
    assert SECRET.decode() not in err  # the file was never read, so nothing of it is quoted


def test_symlinks_inside_content_are_followed_and_linked_folders_warned(content: Path, tmp_path: Path, run, monkeypatch) -> None:
    shared = content / "documents" / "shared.txt"
    shared.write_bytes(b"shared annex\n")
    (content / DOCS / "a.txt").symlink_to(os.path.relpath(shared, content / DOCS))
    write_record(content, attachments("a.txt"))
    (content / "documents" / "alias").symlink_to("2018", target_is_directory=True)
    monkeypatch.chdir(content)
    status, err = run("build", "--content", ".", "--output", tmp_path / "site")
    assert status == 0, err
    assert "documents/alias:1: 文件（file）: 警告：这是指向目录的符号链接，其中的文件不会被读取" in err
    assert (tmp_path / "site" / "records" / "130600001-2018-00099" / "a.txt").read_bytes() == b"shared annex\n"


REFUSED_NAMES = {
    "../secret.txt": "必须是与本文件同一目录下的文件名，不能含路径",
    "../../../../etc/passwd.txt": "必须是与本文件同一目录下的文件名，不能含路径",
    "/etc/passwd.txt": "必须是与本文件同一目录下的文件名，不能含路径",
    "C:\\Windows\\win.txt": "必须是与本文件同一目录下的文件名，不能含路径",
    "C:win.txt": "必须是与本文件同一目录下的文件名，不能含路径",
    "\\\\server\\share\\a.txt": "必须是与本文件同一目录下的文件名，不能含路径",
    "sub\\a.txt": "必须是与本文件同一目录下的文件名，不能含路径",
    "sub//a.txt": "必须是与本文件同一目录下的文件名，不能含路径",
    "sub/a.txt": "必须是与本文件同一目录下的文件名，不能含路径",
    "..": "必须是与本文件同一目录下的文件名，不能含路径",
    ".hidden.txt": "以 . 开头",
    "a#b.txt": "含有字符 #",
    "a?b.txt": "含有字符 ?",
    "a%41.txt": "含有字符 %",
    "100%.txt": "含有字符 %",
    'say "hi".txt': '含有字符 "',
    "a<b>.txt": "含有字符 < >",
    "a|b.txt": "含有字符 |",
    "a*b.txt": "含有字符 *",
    "a:b.txt": "必须是与本文件同一目录下的文件名，不能含路径",  # C:name is a drive-relative path on Windows
    "a：b.txt and:colon.txt": "含有字符 :",
    "tab\there.txt": "U+0009",
    "new\nline.txt": "U+000A",
    "bidi\u202etxt.exe.txt": "U+202E",
    "zero\u200bwidth.txt": "U+200B",
    "trailing.txt.": "结尾",
    "NUL.txt": "保留设备名",
}


@pytest.mark.parametrize("name", REFUSED_NAMES)
def test_attachment_names_that_climb_out_or_break_urls_are_refused(name: str, content: Path, run, monkeypatch) -> None:
    write_record(content, attachments(name))
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    expected = "documents/2018/x.md:9: 附件文件（attachments[0].file）: "
    lines = [line for line in err.splitlines() if line.startswith(expected)]
    assert lines and REFUSED_NAMES[name] in lines[0], err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (unicodedata.normalize("NFC", "é.txt"), unicodedata.normalize("NFD", "é.txt")),
        (unicodedata.normalize("NFD", "附件ｅ́.txt"), unicodedata.normalize("NFC", "附件ｅ́.txt")),
        ("Report.txt", "report.TXT"),
        ("same.txt", "same.txt"),
    ],
    ids=["NFC then NFD", "NFD then NFC", "case only", "listed twice"],
)
def test_names_one_after_normalisation_collide(first: str, second: str, content: Path, run, monkeypatch) -> None:
    for name, data in ((first, b"one"), (second, b"two")):
        (content / DOCS / name).write_bytes(data)
    write_record(content, attachments(first, second))
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    collision = [line for line in err.splitlines() if "只差 Unicode 规范化形式或大小写" in line]
    assert len(collision) == 1, err
    assert collision[0].startswith("documents/2018/x.md:10: 附件文件（attachments[1].file）")
    assert "第 9 行的 attachments[0].file" in collision[0]


def test_nfd_file_is_published_under_its_nfc_name(content: Path, tmp_path: Path, run) -> None:
    nfc, nfd = unicodedata.normalize("NFC", "通知é.txt"), unicodedata.normalize("NFD", "通知é.txt")
    (content / DOCS / nfd).write_bytes(b"annex bytes\n")  # as macOS stores it
    write_record(content, attachments(nfc))  # as the editor typed it
    status, err = run("build", "--content", content, "--output", tmp_path / "site")
    assert status == 0, err
    folder = tmp_path / "site" / "records" / "130600001-2018-00099"
    assert [p.name for p in folder.iterdir() if p.suffix == ".txt"] == [nfc]
    assert (folder / nfc).read_bytes() == b"annex bytes\n"


# names that are odd but safe: each is percent-encoded in every URL and still serves its bytes
ODD_NAMES = [
    "附件 1 名单（草案）.txt",
    "a'b&c+d;e=f,g.txt",
    "[1] 表~!@$^().txt",
    "全角＃？％＂＜＞.txt",
    "表情😀.txt",
    "全角\u3000空格.txt",
]


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hrefs += [v for k, v in attrs if tag == "a" and k == "href" and v]


def test_odd_attachment_names_link_to_their_own_bytes(content: Path, tmp_path: Path, run) -> None:
    for n, name in enumerate(ODD_NAMES):
        (content / DOCS / name).write_bytes(f"bytes of annex {n}\n".encode())
    write_record(content, attachments(*ODD_NAMES))
    site = tmp_path / "site"
    status, err = run("build", "--content", content, "--output", site)
    assert status == 0, err
    expected = {unicodedata.normalize("NFC", n): f"bytes of annex {i}\n".encode() for i, n in enumerate(ODD_NAMES)}
    parser = _Links()
    parser.feed((site / "records" / "130600001-2018-00099" / "index.html").read_text(encoding="utf-8"))
    hrefs = [h for h in parser.hrefs if h.startswith("/records/130600001-2018-00099/") and not h.endswith("/")]
    data = json.loads((site / "data" / "records.json").read_text(encoding="utf-8"))
    published = [u for r in data["rows"] if r["index_number"] == "130600001/2018-00099" for u in r["attachments"]]
    for channel, urls in (("record page", hrefs), ("open data", [urlsplit(u).path for u in published])):
        assert len(urls) == len(ODD_NAMES), (channel, urls)
        for url in urls:
            assert not set(url) & set(" #?\"<>"), (channel, url)  # every URL is percent-encoded
            file = site / unquote(url).lstrip("/")
            assert file.read_bytes() == expected[file.name], (channel, url)


ESCAPING_INDEX_NUMBERS = [
    "..",
    ".",
    "a/..",
    "../130600001-2018-00001",
    "130600001/../../etc",
    "130600001//2018-00001",
    "/130600001/2018-00001",
    "130600001/2018-00001/",
    "130600001/.hidden",
    "130600001/2018.",
    "130600001\\2018-00001",
    "130600001/2018%2F00001",
    "%2e%2e",
    "130600001/2018?00001",
    "130600001/2018#00001",
    "130600001/2018 00001",
    "130600001/2018\u300000001",
    "保定/2018-00001",
    "１３０６/2018-00001",
    "130600001/2018-" + "0" * 100,
]


@pytest.mark.parametrize("value", ESCAPING_INDEX_NUMBERS)
def test_index_number_that_is_no_safe_url_segment_is_refused(value: str, content: Path, run, monkeypatch) -> None:
    site_yaml = content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "index_number_pattern: '.*'\n", encoding="utf-8")
    write_record(content, index=value)
    monkeypatch.chdir(content)
    status, err = run("check", "--content", ".")
    assert status == 1
    line = next(x for x in err.splitlines() if x.startswith("documents/2018/x.md:3: 索引号（index_number）"))
    assert "不能用作网址" in line
    assert "Traceback" not in err


def _hostile_but_valid(content: Path, secret: Path) -> None:
    """Odd names, NFD on disk, an inside symlink, dot files: everything that is allowed."""
    for n, name in enumerate(ODD_NAMES):
        (content / DOCS / name).write_bytes(f"annex {n}\n".encode())
    (content / DOCS / unicodedata.normalize("NFD", "é.txt")).write_bytes(b"accented\n")
    (content / DOCS / "inside.txt").symlink_to("new-rules-annex.csv")
    write_record(content, attachments(*ODD_NAMES, unicodedata.normalize("NFC", "é.txt"), "inside.txt"))
    (content / ".hidden").mkdir()
    (content / ".hidden" / "secret.md").symlink_to(_leak_record(secret, "hidden.md", "130600001/2018-00066"))


def _files_outside(root: Path, skip: tuple[Path, ...]) -> dict[str, bytes]:
    return {k: v for k, v in tree_digest(root).items() if not any((root / k).is_relative_to(s) for s in skip)}


def test_hostile_build_publishes_only_content_and_generated_files(content: Path, secret: Path, tmp_path: Path, run) -> None:
    _hostile_but_valid(content, secret)
    site = tmp_path / "out" / "site"
    site.parent.mkdir()
    before = _files_outside(tmp_path, (tmp_path / "out",))
    status, err = run("build", "--content", content, "--output", site)
    assert status == 0, err
    assert _files_outside(tmp_path, (tmp_path / "out",)) == before  # nothing written beside or into content/
    for path in site.rglob("*"):
        assert path.resolve().is_relative_to(site.resolve()), path
        assert path.name not in (".", ".."), path
    files = tree_digest(site)
    assert not [name for name, data in files.items() if SECRET in data]
    # every file of a record folder is its page, its flowchart or one of its attachments, byte for byte
    sources = {p.name: p.read_bytes() for p in (content / "documents").rglob("*") if p.is_file()}
    sources.update({unicodedata.normalize("NFC", k): v for k, v in sources.items()})
    for name, data in files.items():
        parts = Path(name).parts
        if parts[0] == "records" and len(parts) == 3 and parts[2] not in ("index.html", "flowchart.svg"):
            assert data == sources[parts[2]], name


def test_hostile_build_with_an_outside_link_keeps_the_old_site(content: Path, secret: Path, tmp_path: Path, run) -> None:
    site = tmp_path / "site"
    status, err = run("build", "--content", content, "--output", site)
    assert status == 0, err
    old = tree_digest(site)
    _hostile_but_valid(content, secret)
    for make, _ in LINKS.values():
        make(content, secret) if make not in (_link_attachment, _link_chain, _link_relative) else None
    (content / DOCS / "b.txt").symlink_to(secret)
    write_record(content, attachments(*ODD_NAMES, "b.txt"), name="y.md", index="130600001/2018-00088")
    status, err = run("build", "--content", content, "--output", site)
    assert status == 1
    assert tree_digest(site) == old
    assert SECRET.decode() not in err


def test_a_hard_linked_attachment_is_refused_at_its_line(content: Path, secret: Path, tmp_path: Path, run) -> None:
    """A hard link carries another file's bytes under a content name (git never makes one): refused."""
    os.link(secret, content / DOCS / "hard.txt")
    path = write_record(content, attachments("hard.txt"))
    status, err = run("build", "--content", content, "--output", tmp_path / "site")
    assert status == 1 and "Traceback" not in err
    assert f"{path}:9: 附件文件（attachments[0].file）: 附件“hard.txt”是硬链接" in err
    assert not (tmp_path / "site").exists()
    status, err = run("check", "--content", content)
    assert status == 1 and "是硬链接" in err


def test_a_record_made_a_link_after_the_walk_is_still_refused(content: Path, secret: Path) -> None:
    """A file of a walked folder is taken as inside by one lstat (sources.escapes): a record
    replaced by a link out of content/ between finding and reading it is refused all the same,
    as is a way up from the walked root."""
    record = write_record(content)
    with confined(content) as root:
        found = walk_files(root / "documents", ".md")
        assert root / DOCS / record.name in found and not escapes(root / DOCS / record.name)
        (root / DOCS / record.name).unlink()
        (root / DOCS / record.name).symlink_to(_leak_record(secret))
        data, problems = read_bytes(root / DOCS / record.name)
        assert data is None and problems
        assert escapes(root / "..") and escapes(root / "documents" / ".." / "..")
