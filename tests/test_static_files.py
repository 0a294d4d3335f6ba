"""Stylesheets are served without comments and layout whitespace, and mean the same (disclosure/web/static_files.py)."""

from __future__ import annotations

import re
from pathlib import Path

from disclosure.web.static_files import minify_css

STATIC = Path(__file__).resolve().parents[1] / "templates" / "static"


def test_minified_css_keeps_strings_combinators_and_media_queries() -> None:
    css = """/* a comment { with braces } */
@media (max-width: 720px) and (prefers-contrast: more) {
  [data-prefix] :is(a, button)  >  span::before { content: "当前位置：  a ; b" ; }
  .x { background: url("data:image/svg+xml,%3Csvg width='40' height='40'%3E") 3 2, auto; }
}"""
    assert minify_css(css) == (
        "@media (max-width:720px) and (prefers-contrast:more){"
        '[data-prefix] :is(a,button)>span::before{content:"当前位置：  a ; b";}'
        ".x{background:url(\"data:image/svg+xml,%3Csvg width='40' height='40'%3E\") 3 2,auto;}}"
    )


def test_every_stylesheet_loses_only_comments_and_whitespace() -> None:
    for css in STATIC.glob("*.css"):
        text = css.read_text(encoding="utf-8")
        small = minify_css(text)
        assert len(small) < len(text)
        assert small.count("{") == text.count("{") - _in_comments(text, "{")
        assert "/*" not in small


def _in_comments(text: str, char: str) -> int:
    return sum(c.count(char) for c in re.findall(r"/\*.*?\*/", text, re.S))


def test_the_frozen_stylesheet_is_the_minified_source(sample_site: Path) -> None:
    for name in ("site.css", "lists.css"):
        built = (sample_site / "static" / name).read_text(encoding="utf-8")
        assert built == minify_css((STATIC / name).read_text(encoding="utf-8"))
