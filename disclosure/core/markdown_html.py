"""Staff Markdown → sanitised HTML and plain text.

Python-Markdown does not sanitise (its docs say so); nh3 (the Rust ammonia sanitiser)
runs on its output, so raw HTML, `<script>`, event handlers, `javascript:`/`data:`
URLs and comments never reach a page, a feed or the search index.
"""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import markdown
import nh3

from disclosure.core.problems import Problem, error, warning
from disclosure.core.validation import unfilled_body

EXTENSIONS = ["tables", "sane_lists", "fenced_code"]
URL_SCHEMES = {"http", "https", "mailto"}
# Landmarks and h1 belong to the page, not to a record's body.
# <bdo dir="rtl"> shows its text reversed: a number written backwards would read forwards
TAGS = set(nh3.ALLOWED_TAGS) - {"area", "map", "header", "footer", "nav", "article", "aside", "h1", "bdo"}
ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
}

_renderer: markdown.Markdown | None = None


def render(body: str) -> str:
    """Return sanitised HTML for a Markdown body."""
    return _REMOTE_IMAGE.sub(_image_to_link, sanitise(_outline(to_html(body))))


def to_html(body: str) -> str:
    """Return Python-Markdown's HTML for `body` (unsanitised).

    Most government documents are plain paragraphs and `#` headings; for those the
    output is produced directly — byte-identical to Python-Markdown's, which
    tests/test_markdown.py checks on real documents — at 1/50 of the cost (the corpus'
    58 MB take 0.6 s instead of 27 s). Anything else goes through Python-Markdown.
    """
    if is_plain(body):
        return plain_paragraphs(body)
    global _renderer
    if _renderer is None:
        _renderer = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    _renderer.reset()
    return _renderer.convert(body)


# Anything that could start Markdown or HTML syntax other than a paragraph or an ATX heading.
_SYNTAX = re.compile(r"[*_\[\]`\\<>!|&~={}\t]")
_BLOCK_START = re.compile(r"(?:[-+*]|\d+[.)])(?:\s|$)|[-=]{2,}$")
_ATX = re.compile(r"^(#{1,6})[ \t]*(.*?)[ \t]*#*[ \t]*$")


def is_plain(body: str) -> bool:
    """Return whether `body` holds only paragraphs and `#` headings, with no other syntax."""
    if _SYNTAX.search(body):
        return False
    for line in body.split("\n"):
        if line != line.strip() or _BLOCK_START.match(line):
            return False
        if line.startswith("#") and not _ATX.match(line):
            return False
    return True


def plain_paragraphs(body: str) -> str:
    """Return the HTML Python-Markdown gives a plain body: <p> per paragraph, <hN> per heading."""
    blocks: list[str] = []
    paragraph: list[str] = []
    for line in body.split("\n"):
        if line and not line.startswith("#"):
            paragraph.append(line)
            continue
        if paragraph:
            blocks.append("<p>" + "\n".join(paragraph) + "</p>")
            paragraph = []
        if line:
            found = _ATX.match(line)
            assert found is not None  # is_plain() checked
            level = len(found.group(1))
            blocks.append(f"<h{level}>{found.group(2)}</h{level}>")
    if paragraph:
        blocks.append("<p>" + "\n".join(paragraph) + "</p>")
    return "\n".join(blocks)


_HEADING = re.compile(r"<(/?)h([1-6])\b")
_REMOTE_IMAGE = re.compile(r"<img\b[^>]*\ssrc=\"((?:https?:)?//[^\"]*)\"[^>]*>", re.IGNORECASE)
_ALT = re.compile(r'\salt="([^"]*)"')


def _outline(fragment: str) -> str:
    """Return `fragment` with headings from h2 down and no level skipped (the page has the h1).

    The shallowest heading becomes h2; a heading never goes more than one level below
    the one before it, so screen-reader users can move through a body by its outline.
    """
    levels = [int(m.group(2)) for m in _HEADING.finditer(fragment) if not m.group(1)]
    if not levels:
        return fragment
    shift, previous = 2 - min(levels), 1
    opened: list[int] = []

    def renumber(match: re.Match[str]) -> str:
        nonlocal previous
        if match.group(1):  # a closing tag closes the latest opened heading
            return f"</h{opened.pop() if opened else previous}"
        level = min(int(match.group(2)) + shift, previous + 1, 6)
        previous = level
        opened.append(level)
        return f"<h{level}"

    return _HEADING.sub(renumber, fragment)


def _image_to_link(match: re.Match[str]) -> str:
    """Return a link in place of an image on another host: pages make no third-party requests."""
    alt = _ALT.search(match.group(0))
    label = alt.group(1).strip() if alt and alt.group(1).strip() else "图片"
    return f'<a href="{match.group(1)}" rel="noopener noreferrer">［{label}（外部图片）］</a>'


def sanitise(fragment: str) -> str:
    """Return `fragment` with everything outside the allow-list removed, URLs as browsers read them."""
    return nh3.clean(
        fragment,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_filter_attribute,
    )


URL_ATTRIBUTES = {"href", "src", "cite"}
SPECIAL_SCHEMES = {"http", "https", "ftp", "ws", "wss", "file"}
_C0_OR_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def normalise_url(value: str) -> str | None:
    """Return `value` as a browser reads it (WHATWG URL parsing), or None when it must go.

    Browsers strip leading and trailing C0 controls and spaces, drop tabs and newlines
    anywhere, lowercase the scheme and, for http(s) and relative URLs (the page is
    http(s)), read a backslash as a slash: `/\\evil.example`, `\\\\evil.example` and
    `https:\\\\evil.example` all go to another host. Deciding "local or remote" and
    "allowed scheme" on the raw text is what let them through (issue 10).
    """
    url = _TAB_OR_NEWLINE.sub("", value.strip(_C0_OR_SPACE))
    found = _SCHEME.match(url)
    scheme = found.group(1).lower() if found else None
    if scheme is not None:
        if scheme not in URL_SCHEMES:
            return None
        url = scheme + url[len(scheme) :]
    if scheme is None or scheme in SPECIAL_SCHEMES:
        cut = min((i for i in (url.find("?"), url.find("#")) if i >= 0), default=len(url))
        url = url[:cut].replace("\\", "/") + url[cut:]
    if scheme in SPECIAL_SCHEMES:  # `https:evil.example`, `https:/evil` reach a host too: write it so
        url = f"{scheme}://" + url[len(scheme) + 1 :].lstrip("/")
    return url


def _filter_attribute(element: str, attribute: str, value: str) -> str | None:
    """Return the attribute's value with URLs normalised (`normalise_url`); None drops it."""
    return normalise_url(value) if attribute in URL_ATTRIBUTES else value


_BLOCK = re.compile(
    r"</?(?:p|div|h[1-6]|li|ul|ol|dl|dt|dd|tr|table|thead|tbody|caption|blockquote|pre|br|hr"
    r"|figure|figcaption|details|summary)\b[^>]*>",
    re.IGNORECASE,
)
_CELL = re.compile(r"</?t[dh]\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLANKS = re.compile(r"\n\s*\n+")


def plain_text(fragment: str) -> str:
    """Return the readable text of sanitised HTML, paragraphs separated by one blank line."""
    text = _TAG.sub("", _CELL.sub(" ", _BLOCK.sub("\n", fragment)))
    text = html.unescape(text)
    text = _SPACE.sub(" ", text)
    return _BLANKS.sub("\n\n", text).strip()


_LINK_TARGET = re.compile(r"""(?:\]\(\s*<?|(?:href|src)[ \t]*=[ \t]*["']?)[ \t]*([^)\s"'>]+)""", re.IGNORECASE)
_ACTIVE = re.compile(r"<[ \t]*(script|iframe|object|embed|form|style|base|meta)\b|<[^<>\n]*\son[a-z]+[ \t]*=", re.IGNORECASE)
_UNSAFE_SCHEME = re.compile(r"^(?:javascript|vbscript|data|file):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


# What front matter refuses beyond XML's illegal characters (xml_text reports those):
# DEL and C1 controls, and the bidi embeddings, overrides and isolates that can make
# text read differently from what it says (CVE-2021-42574, "Trojan Source").
_DISGUISING = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def disguising_problems(body: str, path: str | Path, first_line: int) -> list[Problem]:
    """Return one problem per body line holding a bidi control or a DEL/C1 control character."""
    problems: list[Problem] = []
    decoded = html.unescape(body) if "&" in body else body  # `&#x202E;` reaches the page as U+202E
    if not _DISGUISING.search(decoded):
        return problems
    for offset, line in enumerate(body.split("\n")):
        found = _DISGUISING.search(html.unescape(line) if "&" in line else line)
        if found:
            char = found.group()
            name = unicodedata.name(char, "控制字符")
            problems.append(
                error(path, first_line + offset, "body",
                      f"正文含有不可见的控制字符 U+{ord(char):04X}（{name}），会使文字显示得与实际内容不同；请删除")
            )
    return problems


# Python-Markdown is linear but slow (about 60 µs a block and 5 µs a character of inline
# markup): 300,000 one-line emphasis paragraphs took 24 s. The largest real documents (the
# corpus's longest law: 108,000 characters in 1,878 blocks) are a tenth of these bounds, under
# which the worst body found renders in about 5 s.
MAX_BODY_CHARS = 1_000_000
MAX_BLOCKS = 20_000  # paragraphs, lists, tables, quotes and headings, split by blank lines
MAX_BLOCK_CHARS = 100_000  # one paragraph, list or table
# Inline markup costs most: a megabyte of "*a* _b_" paragraphs took 16 s. The corpus's most
# marked-up document has 1,742 of these characters; 50,000 render in about 2 s.
MAX_INLINE_MARKS = 50_000
INLINE_MARKS = "*_`[]<>&!~"
# Python-Markdown's inline parsing is quadratic in "[" within one run of text ("[" * 8,000
# took 8 s): the cost of a block is its brackets times its length (a table's per row).
# 20 million is about 2-3 s of rendering for the whole file.
MAX_BRACKET_COST = 20_000_000
_BLOCK_SPLIT = re.compile(r"\n[ \t]*\n")


def _bracket_cost(block: str) -> int:
    lines = block.split("\n")
    if len(lines) > 1 and all("|" in line for line in lines):  # a table: cells are parsed one by one
        return sum(line.count("[") * len(line) for line in lines)
    return block.count("[") * len(block)


def cost_problems(body: str, path: str | Path, first_line: int) -> list[Problem]:
    """Return errors for a body whose rendering could stall the build (issue 10: 280 s for one file)."""
    if len(body) > MAX_BODY_CHARS:
        return [error(path, first_line, "body", f"正文长达 {len(body):,} 个字符，超过上限 {MAX_BODY_CHARS:,}；请拆分为多个文件或改作附件")]
    marks = sum(body.count(mark) for mark in INLINE_MARKS)
    if marks > MAX_INLINE_MARKS:
        return [error(path, first_line, "body", f"正文含 {marks:,} 个标记符号（* _ ` [ ] < > & ! ~），超过上限 {MAX_INLINE_MARKS:,}，渲染会耗时过久；请删去多余的标记、拆分文件或改作附件")]
    blocks = _BLOCK_SPLIT.split(body)
    if len(blocks) > MAX_BLOCKS:
        return [error(path, first_line, "body", f"正文分为 {len(blocks):,} 段，超过上限 {MAX_BLOCKS:,}；请拆分为多个文件或改作附件")]
    problems: list[Problem] = []
    start = total = 0
    worst = (0, first_line)
    line = first_line
    for block in blocks:
        at = body.find(block, start)
        line += body.count("\n", start, at)  # counted from the last block only: linear in the body
        start = at + len(block)
        if len(block) > MAX_BLOCK_CHARS:
            problems.append(error(path, line, "body", f"此段长达 {len(block):,} 个字符，超过每段上限 {MAX_BLOCK_CHARS:,}；请用空行分段"))
            continue
        cost = _bracket_cost(block)
        total += cost
        worst = max(worst, (cost, line))
        line += block.count("\n")
    if total > MAX_BRACKET_COST:
        problems.append(error(path, worst[1], "body", "正文中的“[”过多（自此段起），渲染会耗时过久；请删去多余的方括号、分段或改作附件"))
    return problems


def lint(body: str, path: str | Path, first_line: int) -> list[Problem]:
    """Return problems for disguising characters, links that would be removed and markup that will be stripped."""
    problems = cost_problems(body, path, first_line) + disguising_problems(body, path, first_line)
    problems += unfilled_body(body, path, first_line)  # 【待填写：正文】 left by `build.py new`
    if "](" not in body and "<" not in body:  # most documents: plain text, nothing to find
        return problems
    for match in _LINK_TARGET.finditer(body):
        target = _INVISIBLE.sub("", html.unescape(match.group(1)))
        if _UNSAFE_SCHEME.match(target):
            scheme = target.split(":", 1)[0].lower()
            line = first_line + body.count("\n", 0, match.start())
            problems.append(
                error(path, line, "body", f"链接使用了不安全的协议“{scheme}:”，发布时会被移除；请改用 http(s) 链接")
            )
    reported: set[int] = set()
    for found in _ACTIVE.finditer(body):
        line = first_line + body.count("\n", 0, found.start())
        if line not in reported:
            reported.add(line)
            problems.append(
                warning(path, line, "body", f"正文里的“{found.group().strip()}”等脚本或事件属性不会发布，已自动移除")
            )
    return problems
