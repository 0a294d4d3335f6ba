"""Incremental builds against cold builds: random edits to a real content folder, and after each
step the live site rebuilt in place must equal, byte for byte, a cold build of the same content.

The edits are those of a staff member and a developer: a record added (a copy of a document
under a new 索引号), changed (its body), deleted, retitled or repealed; a cross-link moved
(an interpretation's `interprets`, a decision's basis `ref`, a case list's `power`); an
agency, a category or the site's name or phone in agencies.yaml, categories.yaml and
site.yaml; a template. Templates live in the program, so the builds run in this process
over a copy of `templates/` (the code digest and the Flask app pointed at it): an edit of
the copy is a template change as the build sees it. An edit the build refuses (a deleted
power that case lists name) is taken back, as a staff member would, and the live site
must then be the one of the step before.

Used by tests/test_incremental_property.py (a few steps, in `make test`) and by
`bench/run.py --incremental-steps` (more steps).
"""

from __future__ import annotations

import filecmp
import os
import random
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from disclosure import pipeline
from disclosure.core import code_digest
from disclosure.core.output_guard import cache_folder
from disclosure.core.problems import ContentInvalid
from disclosure.pipeline import Settings, build_site
from disclosure.web import app as web_app
from disclosure.web import freeze

REPO = Path(__file__).resolve().parent.parent
# Files whose bytes differ between two builds of the same content (and only those): the Whoosh
# index of the search service names its segments at random and is updated in place, so an
# updated index and a new one hold the same documents in other files. What they hold is
# compared instead (`whoosh_differences`): every live document's stored fields, every term's
# postings with their weights, every field's lengths, the same in both.
VARYING = (".search/whoosh/",)
WHOOSH = ".search/whoosh"
RECORD_FOLDERS = ("documents", "decisions", "interpretations", "news", "approvals", "powers", "cases")


@dataclass
class Check:
    """One run: the steps applied, how many edits the build refused, the pages it re-rendered."""

    log: list[str] = field(default_factory=list)
    refused: int = 0
    rendered: list[int] = field(default_factory=list)


KEPT_CASES = (
    "-2026-01",
    "-2026-02",
    "qiangzhi-chafeng-2026",
    "queren-budongchan-2026",
    "jiancha-shipin-2026",
)


def small_sample(destination: Path) -> Path:
    """Copy the sample content with 8 of its 45 case lists (every kind, every cross-link, a
    faster build) to `destination`; return it."""
    shutil.copytree(REPO / "content", destination)
    for path in sorted((destination / "cases").rglob("*")):
        if path.is_file() and not any(path.stem.endswith(kept) for kept in KEPT_CASES):
            path.unlink()
    return destination


def differences(one: Path, other: Path) -> list[str]:
    """Return the files that differ between two output folders (missing on a side, or other bytes)."""
    found = []
    left, right = set(_files(one)), set(_files(other))
    found += [f"only in the incremental build: {f}" for f in sorted(left - right)]
    found += [f"only in the cold build: {f}" for f in sorted(right - left)]
    found += [
        f"bytes differ: {f}"
        for f in sorted(left & right)
        if not filecmp.cmp(one / f, other / f, shallow=False)
    ]
    if (one / WHOOSH).is_dir() or (other / WHOOSH).is_dir():
        found += whoosh_differences(one / WHOOSH, other / WHOOSH)
    return found


def whoosh_differences(one: Path, other: Path) -> list[str]:
    """Return how the Whoosh indexes in two folders differ in what they hold: the documents
    (by key, every stored field), each indexed term's postings (document keys, weights), each
    document's field lengths and each field's total length (what BM25 scores with). Document
    numbers and segment names are left out: they differ between an updated index and a new one."""
    try:
        left, right = _whoosh_contents(one), _whoosh_contents(other)
    except Exception as failure:  # an unreadable index is a difference, named
        return [f"Whoosh index unreadable: {type(failure).__name__}: {failure}"]
    found = []
    for part in sorted(left.keys() | right.keys()):
        a, b = left.get(part, {}), right.get(part, {})
        for name in sorted(a.keys() | b.keys(), key=repr):
            if a.get(name) != b.get(name):
                found.append(f"Whoosh {part} differ: {name!r}: incremental {a.get(name)!r} / cold {b.get(name)!r}"[:400])
    return found


def _whoosh_contents(folder: Path) -> dict[str, dict[object, object]]:
    from whoosh import index  # only where an output holds one

    with index.open_dir(str(folder)).reader() as reader:
        live = list(reader.all_doc_ids())
        key_of = {n: reader.stored_fields(n)["key"] for n in live}
        scored = [name for name, field in reader.schema.items() if field.scorable]
        documents: dict[object, object] = {key_of[n]: reader.stored_fields(n) for n in live}
        lengths: dict[object, object] = {
            (key_of[n], name): reader.doc_field_length(n, name) for n in live for name in scored
        }
        totals: dict[object, object] = {name: reader.field_length(name) for name in scored}
        totals["documents"] = reader.doc_count()
        postings: dict[object, object] = {}
        for name, term in reader.all_terms():
            matcher = reader.postings(name, term)
            found = []
            while matcher.is_active():
                if matcher.id() in key_of:
                    found.append((key_of[matcher.id()], matcher.weight()))
                matcher.next()
            if found:
                postings[(name, term)] = sorted(found)
    return {"documents": documents, "field lengths": lengths, "totals": totals, "postings": postings}


def _files(root: Path) -> Iterator[str]:
    for folder, _dirs, names in os.walk(root):
        for name in names:
            relative = str((Path(folder) / name).relative_to(root))
            if not relative.startswith(VARYING):
                yield relative


@contextmanager
def program_copy(work: Path) -> Iterator[Path]:
    """Point the build at a copy of the program's templates (the Python packages as they are);
    yield the copy's templates folder."""
    root = work / "program"
    root.mkdir()
    for package in code_digest.PACKAGES:
        (root / package).symlink_to(REPO / package, target_is_directory=True)
    shutil.copytree(REPO / "templates", root / "templates")
    saved = code_digest.ROOT, web_app.TEMPLATES
    code_digest.ROOT, web_app.TEMPLATES = root, root / "templates"
    try:
        yield root / "templates"
    finally:
        code_digest.ROOT, web_app.TEMPLATES = saved


@contextmanager
def parallel_freezing() -> Iterator[None]:
    """Freeze the incremental builds on two forked workers (the sample is under the threshold)."""
    saved = freeze.PARALLEL_THRESHOLD
    freeze.PARALLEL_THRESHOLD = 20
    try:
        yield
    finally:
        freeze.PARALLEL_THRESHOLD = saved


def run(content: Path, steps: int, seed: int, work: Path | None = None, today: date | None = None) -> Check:
    """Apply `steps` steps of one to three random edits to a copy of `content`; after each, check
    the incremental build against a cold one. Raise AssertionError naming the edits and files."""
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        work_dir = Path(tmp)
        site_content = work_dir / "content"
        shutil.copytree(content, site_content)
        today = today or date.today()
        check = Check()
        with program_copy(work_dir) as templates:
            editor = Editor(random.Random(seed), site_content, templates)
            live = work_dir / "live"
            build(site_content, live, today, workers=2)
            for step in range(1, steps + 1):
                snapshot = editor.snapshot()
                done = [editor.edit() for _ in range(editor.rng.randint(1, 3))]
                line = f"step {step}: " + "; ".join(d for d in done if d)
                try:
                    with parallel_freezing():
                        rendered = build(site_content, live, today, workers=2)
                except ContentInvalid:
                    check.refused += 1
                    editor.restore(snapshot)
                    line += " (refused, taken back)"
                    rendered = build(site_content, live, today, workers=2)
                check.log.append(line)
                check.rendered.append(rendered)
                cold = work_dir / f"cold-{step}"
                build(site_content, cold, today, workers=1)
                found = differences(live, cold)
                if found:
                    raise AssertionError("\n".join([*check.log, *found[:30]]))
                shutil.rmtree(cold)
                shutil.rmtree(cache_folder(cold), ignore_errors=True)
        return check


def build(content: Path, output: Path, today: date, workers: int) -> int:
    """Build `content` into `output` (incremental when it holds a site); return how many pages were rendered."""
    rendered: list[str] = []
    original = pipeline.freeze_pages

    def counted(*args: object, **kwargs: object) -> list[str]:
        found = original(*args, **kwargs)  # type: ignore[arg-type]  # passes freeze_pages' own arguments through
        rendered.extend(found)
        return found

    pipeline.freeze_pages = counted  # type: ignore[assignment]  # counts the pages the pipeline renders
    try:
        build_site(Settings(content, output, today=today, progress=False, workers=workers))
    finally:
        pipeline.freeze_pages = original
    return len(rendered)


class Editor:
    """Random edits of a content folder, as text edits of its files."""

    def __init__(self, rng: random.Random, content: Path, templates: Path) -> None:
        self.rng = rng
        self.content = content
        self.templates = templates
        self.count = 0
        self.edits: list[Callable[[], str | None]] = [
            self.change_body,
            self.change_body,
            self.retitle,
            self.add,
            self.add,
            self.delete,
            self.repeal,
            self.move_interpretation,
            self.move_basis,
            self.move_case,
            self.agencies,
            self.categories,
            self.site_yaml,
            self.template,
        ]

    # ---- taking an edit back ----

    def snapshot(self) -> dict[Path, bytes]:
        files = [p for p in self.content.rglob("*") if p.is_file()] + [
            p for p in self.templates.rglob("*") if p.is_file()
        ]
        return {p: p.read_bytes() for p in files}

    def restore(self, snapshot: dict[Path, bytes]) -> None:
        for path in [p for p in self.content.rglob("*") if p.is_file()] + [
            p for p in self.templates.rglob("*") if p.is_file()
        ]:
            if path not in snapshot:
                path.unlink()
        for path, data in snapshot.items():
            if not path.exists() or path.read_bytes() != data:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)

    # ---- the edits ----

    def edit(self) -> str | None:
        self.count += 1
        for _ in range(5):  # an edit with nothing to edit (no interpretation left): another
            done = self.rng.choice(self.edits)()
            if done:
                return done
        return None

    def records(self, *folders: str) -> list[Path]:
        return sorted(p for f in folders or RECORD_FOLDERS for p in (self.content / f).rglob("*.md"))

    def pick(self, *folders: str) -> Path | None:
        found = self.records(*folders)
        return self.rng.choice(found) if found else None

    def field_values(self, key: str, *folders: str) -> list[str]:
        values = []
        for path in self.records(*folders):
            found = re.search(rf"^{key}: *\"?([^\"\n]+)\"?\s*$", path.read_text(encoding="utf-8"), re.M)
            if found:
                values.append(found.group(1).strip())
        return values

    def name(self, path: Path) -> str:
        return str(path.relative_to(self.content))

    def change_body(self) -> str | None:
        path = self.pick()
        if path is None:
            return None
        with path.open("a", encoding="utf-8") as out:
            out.write(f"\n\n第{self.count}次修改的一段正文。\n")
        return f"body of {self.name(path)}"

    def retitle(self) -> str | None:
        path = self.pick()
        if path is None:
            return None
        text = path.read_text(encoding="utf-8")
        new = re.sub(
            r'^(title: *"?)([^"\n]+)',
            lambda m: f"{m.group(1)}{m.group(2).rstrip()}（改{self.count}）",
            text,
            count=1,
            flags=re.M,
        )
        path.write_text(new, encoding="utf-8")
        return f"title of {self.name(path)}"

    def add(self) -> str | None:
        path = self.pick("documents", "news", "interpretations")
        if path is None:
            return None
        text = path.read_text(encoding="utf-8")
        number = f"{self.count:05d}"
        text = re.sub(
            r'^(index_number: *"?[^/"\n]+/\d{4}-)\d+',
            lambda m: f"{m.group(1)}9{number[-4:]}",
            text,
            count=1,
            flags=re.M,
        )
        text = re.sub(
            r'^(title: *"?)([^"\n]+)',
            lambda m: f"{m.group(1)}新增{self.count}：{m.group(2).rstrip()}",
            text,
            count=1,
            flags=re.M,
        )
        text = re.sub(r"^(doc_number|repealed_by|validity_date):.*\n", "", text, flags=re.M)
        text = re.sub(r"^validity:.*$", "validity: 有效", text, flags=re.M)
        text = re.sub(r"^attachments:\n(?:[ -].*\n)*", "", text, flags=re.M)
        target = path.with_name(f"added-{self.count}.md")
        target.write_text(text, encoding="utf-8")
        return f"added {self.name(target)} (from {path.name})"

    def delete(self) -> str | None:
        path = self.pick()
        if path is None:
            return None
        path.unlink()
        return f"deleted {self.name(path)}"

    def repeal(self) -> str | None:
        path = self.pick("documents")
        numbers = self.field_values("index_number", "documents")
        if path is None or len(numbers) < 2:
            return None
        text = path.read_text(encoding="utf-8")
        if "repealed_by:" in text:
            return None
        own = re.search(r'^index_number: *"?([^"\n]+)', text, re.M)
        by = self.rng.choice([n for n in numbers if own is None or n != own.group(1).strip()])
        text = re.sub(r"^validity(_date)?:.*\n", "", text, flags=re.M)
        text = re.sub(
            r"^(index_number:.*\n)",
            lambda m: f'{m.group(1)}validity: 废止\nvalidity_date: 2025-12-31\nrepealed_by: "{by}"\n',
            text,
            count=1,
            flags=re.M,
        )
        path.write_text(text, encoding="utf-8")
        return f"repealed {self.name(path)} by {by}"

    def move_link(self, folder: str, key: str, targets: list[str], indent: str = "") -> str | None:
        files = [
            p
            for p in self.records(folder)
            if re.search(rf"^{indent}{key}: ", p.read_text(encoding="utf-8"), re.M)
        ]
        if not files or not targets:
            return None
        path = self.rng.choice(files)
        to = self.rng.choice(targets)
        text = re.sub(
            rf"^({indent}{key}: ).*$",
            lambda m: f'{m.group(1)}"{to}"',
            path.read_text(encoding="utf-8"),
            count=1,
            flags=re.M,
        )
        path.write_text(text, encoding="utf-8")
        return f"{key} of {self.name(path)} → {to}"

    def move_interpretation(self) -> str | None:
        return self.move_link(
            "interpretations", "interprets", self.field_values("index_number", "documents", "decisions")
        )

    def move_basis(self) -> str | None:
        return self.move_link(
            "decisions", "ref", self.field_values("index_number", "documents"), indent="    "
        )

    def move_case(self) -> str | None:
        """Move a case list to another power: its `power`, and cases in that power's steps (those of
        the other power's list of the same month, under case numbers of their own)."""
        lists = {
            p: re.search(r'^power: *"?([^"\n]+)', p.read_text(encoding="utf-8"), re.M)
            for p in self.records("cases")
        }
        pairs = [
            (a, b)
            for a in lists
            for b in lists
            if lists[a] and lists[b] and lists[a].group(1) != lists[b].group(1) and a.stem[-7:] == b.stem[-7:]
        ]
        if not pairs:
            return None
        moved, model = self.rng.choice(pairs)
        power = lists[model].group(1).strip()  # type: ignore[union-attr]  # pairs hold only lists whose power matched
        text = re.sub(
            r"^power: .*$", f'power: "{power}"', moved.read_text(encoding="utf-8"), count=1, flags=re.M
        )
        moved.write_text(text, encoding="utf-8")
        rows = model.with_suffix(".csv").read_text(encoding="utf-8").splitlines()
        renumbered = [rows[0]] + [
            re.sub(r"-\d+,", f"-9{self.count % 100:02d}{i:02d},", row, count=1)
            for i, row in enumerate(rows[1:])
        ]
        moved.with_suffix(".csv").write_text("\n".join(renumbered) + "\n", encoding="utf-8")
        return f"power of {self.name(moved)} → {power} (with cases in its steps)"

    def agencies(self) -> str | None:
        path = self.content / "agencies.yaml"
        text = path.read_text(encoding="utf-8")
        if self.rng.random() < 0.5 and "short_name:" in text:
            text = re.sub(
                r"^(\s*short_name: *)(\S+)",
                lambda m: f"{m.group(1)}{m.group(2)}{self.count}",
                text,
                count=1,
                flags=re.M,
            )
            what = "short_name changed"
        else:
            text = text.rstrip("\n") + f'\n- name: 新增机构{self.count}\n  code: "99{self.count:07d}"\n'
            what = "agency added"
        path.write_text(text, encoding="utf-8")
        return f"agencies.yaml: {what}"

    def categories(self) -> str | None:
        path = self.content / "categories.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").rstrip("\n") + f"\n- 新增分类{self.count}\n", encoding="utf-8"
        )
        return "categories.yaml: category added"

    def site_yaml(self) -> str | None:
        path = self.content / "site.yaml"
        text = path.read_text(encoding="utf-8")
        if self.rng.random() < 0.5:
            text = re.sub(
                r"^(name: *)(.+)$",
                lambda m: f"{m.group(1)}{m.group(2).strip()}{self.count}",
                text,
                count=1,
                flags=re.M,
            )
            what = "name"
        else:
            text = re.sub(
                r'(phone: *"?)(\d{4}-\d+)',
                lambda m: f"{m.group(1)}{m.group(2)[:-1]}{self.count % 10}",
                text,
                count=1,
            )
            what = "phone"
        path.write_text(text, encoding="utf-8")
        return f"site.yaml: {what}"

    def template(self) -> str | None:
        path = self.templates / "base.html"
        text = path.read_text(encoding="utf-8")
        path.write_text(
            text.replace("</body>", f"<!-- 模板修改 {self.count} -->\n</body>", 1), encoding="utf-8"
        )
        return "template base.html changed"
