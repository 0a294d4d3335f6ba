"""Records → search documents: what is searchable, displayed and filtered, for both indexes.

Searchable text is the 标题 (own field, ranked first) and, in one `text` field, 发文字号,
索引号, 发布机构, 主题分类, 主题词, 内容概述, what the record's page shows beyond them
(`Kind.search_text`: approval items, a decision's basis, stages and outcome, a power's steps
and risks …), the attachments' titles and the start of their text (`search.index.attachments`)
and the start of the body (`LEAD_CHARS`): a match in any of them is a 著录项 match. The places
a result can point to (`Kind.search_parts`: an approval item, a step; and each attachment)
are kept with the document (`parts`) for the snippet and the link's fragment
(`search.parts`). The whole body is not put into Whoosh (its character bigrams
would cost minutes per build: ~15 µs per posting, 7.3 M postings for the 58 MB corpus);
`search.index.body_index` indexes it without Whoosh, and docs/search.md says more.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import rjieba

from disclosure.core.records import Record
from disclosure.core.visible_text import lead as visible_lead
from disclosure.kinds import KIND_BY_NAME
from search.analysis import body_grams, doc_number_key, index_number_key, normalise, terms
from search.index.attachments import AttachmentTexts
from search.parts import PagePart

LEAD_CHARS = 160
SNIPPET_SOURCE_CHARS = 300
# Mixed into a document's digest: bump when what a document holds changes without the record
# changing (the Whoosh cache then re-adds every document). 2: the page's parts and attachments;
# 3: the trigrams of the metadata text.
DOC_VERSION = "3"


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One record as both search indexes see it."""

    key: str  # 索引号 as written
    digest: str
    slug: str
    title: str
    doc_number: str
    agency: tuple[str, ...]
    category: str
    published: str  # YYYY-MM-DD
    year: str
    kind: str
    validity: str
    lead: str  # shown as the snippet: 内容概述, else the start of the body
    title_terms: tuple[str, ...]
    text_terms: tuple[str, ...]
    doc_number_key: str
    index_number_key: str
    words: tuple[str, ...]
    parts: tuple[PagePart, ...] = ()  # the places of its page a match can point to (search.parts)
    # the trigrams of its metadata text (title aside): the static index's exact-phrase check
    text_trigrams: tuple[str, ...] = ()

    @property
    def categories(self) -> tuple[str, ...]:
        """Return the category path and all its ancestors (a filter on 法律 finds 法律/民法)."""
        parts = self.category.split("/")
        return tuple("/".join(parts[: i + 1]) for i in range(len(parts)))


def search_document(record: Record, attachments: AttachmentTexts | None = None) -> SearchDoc:
    """Return what the indexes hold for `record` (attachment texts read through `attachments`)."""
    meta = record.meta
    # The start of the body only stands in for a missing 内容概述: as a reader sees the page
    # (disclosure.core.visible_text), so that a lead never joins what the page keeps apart.
    start = "" if meta.summary else visible_lead(record.body_html, SNIPPET_SOURCE_CHARS)
    body_lead = start[:LEAD_CHARS]
    kind = KIND_BY_NAME.get(record.kind)
    extra = list(kind.search_text(record)) if kind else []
    parts = [PagePart(p.anchor, p.label, p.text, p.detail) for p in kind.search_parts(record)] if kind else []
    digest = hashlib.sha256(f"{DOC_VERSION}\0{record.digest}".encode())
    reader = attachments or AttachmentTexts()
    for number, attachment in enumerate(record.attachments, start=1):
        content, text = reader.read(attachment)
        digest.update(f"\0{attachment.title}\0{attachment.name}\0{content}".encode())
        extra += [attachment.title, text]
        parts.append(PagePart(f"attachment-{number}", "附件", attachment.title, text))
    text = " ".join(
        [
            meta.doc_number or "",
            meta.index_number,
            *meta.keywords,
            meta.summary or "",
            *extra,
            body_lead,
        ]
    )
    title_terms = terms(meta.title)
    lead = " ".join(meta.summary.split()) if meta.summary else start
    return SearchDoc(
        key=meta.index_number,
        digest=digest.hexdigest(),
        slug=record.slug,
        title=meta.title,
        doc_number=meta.doc_number or "",
        agency=tuple(meta.agency),
        category=meta.category,
        published=meta.published.isoformat(),
        year=str(meta.published.year),
        kind=record.kind,
        validity=meta.validity,
        lead=lead[:SNIPPET_SOURCE_CHARS],
        title_terms=tuple(sorted(title_terms)),
        text_terms=tuple(sorted(terms(text) - title_terms)),
        doc_number_key=doc_number_key(meta.doc_number) if meta.doc_number else "",
        index_number_key=index_number_key(meta.index_number),
        words=title_words(meta.title),
        parts=tuple(parts),
        text_trigrams=tuple(sorted(trigrams(text))),
    )


def trigrams(text: str) -> set[str]:
    """Return the trigrams of the Chinese runs of `text` (normalised as queries are)."""
    return {g for g in body_grams(normalise(text)) if len(g) == 3 and g[0] >= "\u3400"}


def title_words(title: str) -> tuple[str, ...]:
    """Return the words of a title (rjieba, search mode): whole-word matches rank higher."""
    return tuple(sorted({w for w in rjieba.cut_for_search(normalise(title)) if w.strip() and len(w) > 1}))
