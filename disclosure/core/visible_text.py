"""What a reader sees of markup: the text the personal-data scan must look at; pure functions.

A number can be hidden from a scan of the raw file and still be read in full on the page:
`138**0013**8000` (emphasis), `138<span>0013</span>8000` (an inline tag), `1380013⏎8000`
(a line break inside a paragraph, shown as a space), `&#49;38…` (an entity), or escaped
HTML inside a feed that a feed reader decodes and renders. The rules, one for every format:

- inline tags (`<b>`, `<span>`, `<a>` …) vanish and join what is around them; `<br>`, line
  breaks and other whitespace inside a paragraph become one space (the scanner joins digit
  groups across a space, as a reader does);
- block tags and table cells (`<p>`, `<li>`, `<td>` …), any tag this module does not know
  and, in XML, every element boundary, become a line break, which the scanner never joins
  across: two numbers in two cells or two list items stay two numbers;
- entities are decoded; in XML (feeds) twice, as a feed reader decodes the escaped HTML;
- Markdown: emphasis marks and backslash escapes vanish; a line break joins unless the next
  line starts a block (blank line, list item, heading, quote, table row, fence) or the line
  is a heading or a table row.

Scanning a whole page through a Python tokenizer would cost seconds per build, so
`digit_regions` first finds, with one regex, the stretches of 11 or more digits joined by
nothing but markup and separators; only those that hold markup are rendered here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from disclosure.core.characters import SEPARATORS, ZERO_WIDTH

Mode = Literal["html", "xml", "markdown"]

INLINE_TAGS = frozenset(
    [
        # HTML's phrasing elements (the sanitiser keeps some, e.g. <ruby>, and strips the others to
        # their text, e.g. <label>): either way the reader sees their text run on with what surrounds it
        "acronym",
        "blink",
        "button",
        "label",
        "meter",
        "output",
        "progress",
        "rp",
        "rt",
        "rtc",
        "ruby",
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "big",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
        "nobr",
        "tspan",
    ]
)
SPACE_TAGS = frozenset({"br"})  # a line break inside a paragraph: read as a space
BREAK = "\n"  # what the scanner never joins across
BLOCK_MARK = " ｜ "  # how stored search text shows a break: visibly, never joining (not a separator)
_ELEMENT = "\x00"  # an XML element boundary, until the escaped HTML inside has been read
MAX_WINDOW = 20_000  # raw characters; overlapping windows are merged up to this
WINDOW = 48  # raw characters of context either side of a region (keywords, letter edges)

_DIGIT = r"(?:\d|&(?:amp;)?#(?:[0-9]{1,7}|[xX][0-9a-fA-F]{1,6});?)"
_ESCAPED_TAG = r"&(?:amp;)?lt;(?:[^<>&\n]|&(?:amp;)?(?:quot|#39|#x27|apos|amp);){0,300}?&(?:amp;)?gt;"
# Markdown link syntax shows only its text: [138](url)0013 8000 reads 13800138000
_LINK_MARK = r"\]\([^()\s]{0,300}\)|\]\[[^\[\]\n]{0,60}\]|!?\[|\]"
_GLUE = {
    "html": rf"(?:[{SEPARATORS}{ZERO_WIDTH}*\s]|<[^<>]{{0,300}}>|&[A-Za-z]{{2,8}};)",
    "xml": rf"(?:[{SEPARATORS}{ZERO_WIDTH}*\s]|<[^<>]{{0,300}}>|{_ESCAPED_TAG}|&(?:amp;)?[A-Za-z]{{2,8}};|<!\[CDATA\[|\]\]>)",
    "markdown": rf"(?:[{SEPARATORS}{ZERO_WIDTH}*_~`\\\s]|<[^<>]{{0,300}}>|&[A-Za-z]{{2,8}};|{_LINK_MARK})",
}
_X = r"[Xx\uff38\uff58]"
_REGION = {
    # (?<!\d): a region starting after a digit is part of the one starting before it
    mode: re.compile(rf"(?<!\d){_DIGIT}(?:{glue}{{0,16}}{_DIGIT}){{10,}}(?:{glue}{{0,16}}{_X})?")
    for mode, glue in _GLUE.items()
}
_INLINE_NAMES = "|".join(sorted(INLINE_TAGS | SPACE_TAGS, key=len, reverse=True))
_TEXT_BREAK = r"[^\s>;][ \t]*[\n\r\f\v]\s*[^\s<&]"  # a line break between two pieces of text
# markup that can join or hide digits (else a region's visible text is what the raw scan saw)
_JOINS: dict[str, re.Pattern[str]] = {
    "html": re.compile(
        rf"</?(?:[\w.-]+:)?(?:{_INLINE_NAMES})(?![\w:.-])|<!--|<!\[CDATA\[|&(?!(?:lt|gt|quot|amp|apos);)|{_TEXT_BREAK}"
    ),  # generated pages: the sanitiser and the templates write tag names in lower case
    "xml": re.compile(
        rf"(?:&(?:amp;)?lt;|<)/?(?:[\w.-]+:)?(?:{_INLINE_NAMES})(?![\w:.-])|&(?:amp;)?lt;!--|<!--|<!\[CDATA\[|\]\]>"
        rf"|&(?:amp;)?#|&(?:amp;)?(?!(?:lt|gt|quot|amp|apos);)[A-Za-z][A-Za-z0-9]*;|{_TEXT_BREAK}"
    ),
    "markdown": re.compile(r"[<&\n\r\t*_~`\\\u00a0\[\]]"),
}

_HTML_TOKEN = re.compile(
    r"<(/?)([A-Za-z][\w:.-]*)[^<>]*>|<!--.*?-->|<!\[CDATA\[|\]\]>|<[!?/][^<>]*>"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?|\s",
    re.DOTALL,
)
_MARKDOWN_TOKEN = re.compile(
    r"<(/?)([A-Za-z][\w:.-]*)[^<>]*>|<!--.*?-->"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});|\\(?=[!-/:-@\[-`{-~])|[*_~`]|" + _LINK_MARK + r"|\n|\s",
    re.DOTALL,
)
_BLOCK_LINE = re.compile(r"[ \t]*(?:\n|\Z|[-+*][ \t]|\d{1,9}[.)][ \t]|#|>|\||```|~~~)")
_FRAME_LINE = re.compile(r"[ \t]*(?:#|\||```|~~~)")


@dataclass(frozen=True, slots=True)
class Visible:
    """Visible text and, for each of its characters, the offset in the raw text it came from."""

    text: str
    origin: tuple[int, ...]

    def raw_offset(self, index: int) -> int:
        """Return the raw offset of visible character `index` (the end maps to the last one)."""
        if not self.origin:
            return 0
        return self.origin[min(index, len(self.origin) - 1)]


def render(raw: str, mode: Mode, base: int = 0) -> Visible:
    """Return what a reader sees of `raw` (a page, a feed, a Markdown body, or a piece of one)."""
    if mode == "xml":
        outer = _render_tokens(raw, base, _xml_token)
        inner = _render_tokens(outer.text, 0, _html_token)
        text = inner.text.replace(_ELEMENT, BREAK)  # the escaped HTML's whitespace joins, elements do not
        return Visible(text, tuple(outer.raw_offset(i) for i in inner.origin))
    if mode == "markdown":
        return _render_tokens(raw, base, _markdown_token)
    return _render_tokens(raw, base, _html_token)


_WHITESPACE = re.compile(r"\s+")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)  # in XML: text, here the HTML of a feed entry
_BREAKS = re.compile(r" *\n[\n ]*")
# the rules of the tokens below as four C-speed substitutions (`quick`): no offsets
_UNNAMED = re.compile(r"<!--.*?-->|<!\[CDATA\[|\]\]>|<[!?][^<>]*>|</(?![A-Za-z])[^<>]*>", re.DOTALL)
_INLINE_TAG = re.compile(
    r"</?(?:[\w.-]+:)?(?:" + "|".join(sorted(INLINE_TAGS, key=len, reverse=True)) + r")(?![\w:.-])[^<>]*>", re.IGNORECASE
)
_SPACE_TAG = re.compile(r"</?(?:[\w.-]+:)?(?:" + "|".join(SPACE_TAGS) + r")(?![\w:.-])[^<>]*>", re.IGNORECASE)
_NAMED_TAG = re.compile(r"</?[A-Za-z][\w:.-]*[^<>]*>")


def quick(raw: str, mode: Mode = "html") -> str:
    """Return the visible text of HTML or XML as `render` does (breaks as line breaks), without offsets."""
    if mode == "xml":
        raw = _CDATA.sub(lambda m: html.escape(m.group(1), quote=False), raw) if "<![CDATA[" in raw else raw
        outer = _NAMED_TAG.sub(_ELEMENT, _UNNAMED.sub("", raw))
        outer = html.unescape(_WHITESPACE.sub(" ", outer)) if "&" in outer else _WHITESPACE.sub(" ", outer)
        return quick(outer).replace(_ELEMENT, BREAK)
    text = _WHITESPACE.sub(" ", _UNNAMED.sub("", raw))
    text = _NAMED_TAG.sub(BREAK, _SPACE_TAG.sub(" ", _INLINE_TAG.sub("", text)))
    return html.unescape(text) if "&" in text else text


def text_of(fragment: str) -> str:
    """Return the visible text of sanitised HTML: the rules above, breaks as line breaks.

    What the search indexes store and show (snippets, leads): the same text the gate
    scans, so a snippet never joins what the page keeps apart.
    """
    return _BREAKS.sub(BREAK, quick(fragment)).strip()


def digit_regions(raw: str, mode: Mode) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of the raw text around every stretch of 11+ digits that markup joins or hides.

    Each window holds WINDOW raw characters of context either side, so that the scanner
    sees the words (卡号 …) and letters next to a number; a stretch with no markup in it is
    left to the plain scan of the raw text.
    """
    pending: tuple[int, int] | None = None
    for match in _REGION[mode].finditer(raw):
        start, end = match.span()
        if not _JOINS[mode].search(raw, start, end):
            continue
        left = max(0, start - WINDOW)
        opening, closing = raw.find("<", left, start), raw.find(">", left, start)
        if closing >= 0 and (opening < 0 or closing < opening):
            left = closing + 1  # the window began inside a tag
        right = min(len(raw), end + WINDOW)
        cut = raw.rfind("<", end, right)
        if cut >= 0 and raw.find(">", cut, right) < 0:
            right = cut
        if pending and left <= pending[1] and right - pending[0] <= MAX_WINDOW:
            pending = (pending[0], max(right, pending[1]))  # the rows of one table: one window
            continue
        if pending:
            yield pending
        pending = (left, right)
    if pending:
        yield pending


def lead(fragment: str, chars: int) -> str:
    """Return the first `chars` characters or so a reader sees of HTML, one line, breaks as BLOCK_MARK.

    For leads and summaries made from a body (search results, feeds): it never joins two
    paragraphs or two cells into what looks like one number.
    """
    piece = fragment[: chars * 8]
    cut = piece.rfind("<")
    if cut > piece.rfind(">"):
        piece = piece[:cut]  # a tag cut in half is no text
    text = text_of(piece)[:chars]
    return BLOCK_MARK.join(line.strip() for line in text.split(BREAK) if line.strip())


# ---------------------------------------------------------------------------- tokens


_Tokens = tuple[re.Pattern[str], Callable[[re.Match[str], str], str]]


def _render_tokens(raw: str, base: int, tokens: _Tokens) -> Visible:
    """Return `raw` with every token replaced by what it shows, and the origin of each character."""
    pattern, replace = tokens
    out: list[str] = []
    origin: list[int] = []
    last = 0
    for match in pattern.finditer(raw):
        start = match.start()
        if start > last:
            out.append(raw[last:start])
            origin.extend(range(base + last, base + start))
        last = match.end()
        shown = replace(match, raw)
        if shown:
            out.append(shown)
            origin.extend([base + start] * len(shown))
    out.append(raw[last:])
    origin.extend(range(base + last, base + len(raw)))
    return Visible("".join(out), tuple(origin))


def _tag_text(match: re.Match[str]) -> str:
    """Return what a tag shows: nothing (inline), a space (<br>) or a break (anything else)."""
    if not match.group(2):
        return ""  # a comment (the sanitiser removes it: what was around it joins), <!DOCTYPE, <?xml
    name = match.group(2).lower().rsplit(":", 1)[-1]
    if name in INLINE_TAGS:
        return ""
    if name in SPACE_TAGS:
        return " "
    return BREAK


def _html_replace(match: re.Match[str], raw: str) -> str:
    token = match.group()
    if token[0] == "<":
        return _tag_text(match)
    if token == "]]>":
        return ""
    if token[0] == "&":
        return html.unescape(token)
    return " "  # whitespace and line breaks inside text read as one space


def _xml_replace(match: re.Match[str], raw: str) -> str:
    token = match.group()
    if match.group("cdata") is not None:
        return match.group("cdata")  # HTML, read by the inner layer
    if token[0] == "<":
        return _ELEMENT if match.group("element") else ""  # an element boundary: <title>, <link> …; comments vanish
    if token[0] == "&":
        return html.unescape(token)
    return " "


def _markdown_replace(match: re.Match[str], raw: str) -> str:
    token = match.group()
    if token[0] == "<":
        return _tag_text(match)
    if token[0] == "&":
        return html.unescape(token)
    if token == "\n":
        line_start = raw.rfind("\n", 0, match.start()) + 1
        if _FRAME_LINE.match(raw, line_start) or _BLOCK_LINE.match(raw, match.end()):
            return BREAK
        return " "
    if token in "*_~`\\" or token[0] in "[]!":
        return ""  # emphasis, escapes and link syntax show nothing of themselves
    return " "


_html_token: _Tokens = (_HTML_TOKEN, _html_replace)
_XML_TOKEN = re.compile(
    r"<!\[CDATA\[(?P<cdata>.*?)\]\]>|<(?P<element>/?[A-Za-z][\w:.-]*)[^<>]*>|<!--.*?-->|<[!?/][^<>]*>"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?|\s",
    re.DOTALL,
)
_xml_token: _Tokens = (_XML_TOKEN, _xml_replace)
_markdown_token: _Tokens = (_MARKDOWN_TOKEN, _markdown_replace)
