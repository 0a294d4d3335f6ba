"""Incremental builds equal cold builds, whatever is edited (issue 15): a property test.

Random steps of one to three edits (a record added, changed, deleted, retitled or repealed; an
interpretation, a decision's basis or a case list's power moved to another record; an agency,
a category, the site's name or phone; a template) are applied to the sample content; after
every step the live site, rebuilt in place on two workers, must equal a cold build of the
same content byte for byte (bench/incremental_check.py). A few steps here; `make bench`
runs more (INCREMENTAL_STEPS / INCREMENTAL_SEED choose others here too).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
from datetime import date
from pathlib import Path

import pytest

from bench.incremental_check import REPO, Editor, build, differences, program_copy, run, small_sample
from disclosure.core.progress import Progress
from disclosure.pipeline import Settings, load_site
from disclosure.site.model import Site
from disclosure.site.reads import TrackedMapping, fingerprint, recording, tracking
from disclosure.web import freeze
from disclosure.web.freeze import freeze_pages

STEPS = int(os.environ.get("INCREMENTAL_STEPS", "4"))
SEED = int(os.environ.get("INCREMENTAL_SEED", "15"))
TODAY = date.today()  # once: both builds of a step see the same day
FIXTURE = Path(__file__).parent / "fixtures" / "interpretations"


def test_random_edits_rebuild_as_a_cold_build(tmp_path: Path) -> None:
    content = small_sample(tmp_path / "sample")
    check = run(content, STEPS, SEED, work=tmp_path, today=TODAY)
    print("\n".join(check.log))
    assert len(check.log) == STEPS
    assert check.refused < STEPS  # most steps are edits the build accepts, not taken back
    assert any(
        0 < n < check.rendered[0] + 200 for n in check.rendered
    )  # some step re-rendered only part of the site


def test_a_moved_interpretation_leaves_the_old_document(tmp_path: Path) -> None:
    """The case of issue 15: an interpretation moved to another document leaves the old one's page
    at once (its 政策解读 list read the model's links), and nothing else needs to know."""
    content = small_sample(tmp_path / "sample")
    log = run_edits(content, tmp_path, ["move_interpretation", "move_case"])
    assert all("→" in line for line in log), log


def run_edits(content: Path, work: Path, edits: list[str]) -> list[str]:
    """Apply the named edits one step each; fail on any difference from a cold build."""
    log: list[str] = []
    with program_copy(work) as templates:
        editor = Editor(random.Random(SEED), content, templates)
        live = work / "live"
        build(content, live, TODAY, workers=1)
        for name in edits:
            log.append(getattr(editor, name)() or f"{name}: nothing to edit")
            build(content, live, TODAY, workers=1)
            cold = work / "cold"
            build(content, cold, TODAY, workers=1)
            found = differences(live, cold)
            assert not found, [*log, *found[:20]]
            shutil.rmtree(cold)
    return log


def test_a_body_edit_links_the_manifest_it_leaves(tmp_path: Path) -> None:
    """A body edit changes no page's read set: `.build/pages.json` is the live one, hard-linked
    (the output gate does not read it again), and only the digests' file of the edited record's
    keys is written anew; the manifest is still a cold build's, byte for byte."""
    content = shutil.copytree(FIXTURE, tmp_path / "content")
    live, cold = tmp_path / "live", tmp_path / "cold"
    build(content, live, TODAY, workers=1)
    manifest, digests = live / ".build" / "pages.json", live / ".build" / "digests" / "0000.json"
    before = manifest.stat().st_ino, digests.stat().st_ino
    record = sorted((content / "documents").rglob("*.md"))[0]
    record.write_text(record.read_text(encoding="utf-8") + "\n又及：正文末尾补一句。\n", encoding="utf-8")
    assert build(content, live, TODAY, workers=1) > 0
    assert manifest.stat().st_ino == before[0]  # linked from the site it replaced
    assert digests.stat().st_ino != before[1]  # the edited body's digest: written anew
    build(content, cold, TODAY, workers=1)
    assert not differences(live, cold)


def fixture_site() -> Site:
    site, _ = load_site(Settings(FIXTURE, use_cache=False), Progress(enabled=False), read_only=True)
    return site


def test_a_page_records_what_it_read() -> None:
    """The recording itself: a record's field, a mapping's entry, a missing entry, a whole mapping."""
    site = fixture_site()
    record = site.records[0]
    with tracking():
        with recording() as reads:
            assert site.by_slug.get(record.slug) is record
            _ = record.meta.title
            assert site.by_slug.get("no-such-record") is None
            assert isinstance(site.facets, TrackedMapping)
            assert len(site.facets["year"]) >= 1
        assert record.meta.title  # between pages: nothing noted
    assert ("=", "by_slug", record.slug) in reads
    assert ("@", record.meta.index_number, "meta") in reads
    assert ("?", "by_slug", "no-such-record") in reads
    assert ("?", "facets", "year") in reads and ("=", "facets", "year") in reads
    assert not isinstance(site.facets, TrackedMapping)  # the classes are restored
    assert "facets" not in Site.__dict__


def test_a_fingerprint_counts_a_record_by_its_number_only() -> None:
    site = fixture_site()
    record = site.records[0]
    assert fingerprint((record,)) == fingerprint((record,))
    assert fingerprint((record,)) != fingerprint((site.records[1],))
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
    with pytest.raises(TypeError):
        fingerprint(object())  # an address is no fingerprint: refused, not hashed


def test_recording_changes_no_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages read the model through the noting descriptors and TrackedMapping: what they show
    must be what they show without them (every page of the sample, every kind)."""
    site, _ = load_site(Settings(REPO / "content", use_cache=False), Progress(enabled=False), read_only=True)
    freeze_pages(site, tmp_path / "tracked", Progress(enabled=False), workers=1)
    monkeypatch.setattr(freeze, "tracking", contextlib.nullcontext)
    freeze_pages(site, tmp_path / "plain", Progress(enabled=False), workers=1)
    found = differences(tmp_path / "tracked", tmp_path / "plain")
    assert "bytes differ: .build/pages.json" in found  # no reads noted: the manifest differs …
    assert all(": .build/" in line for line in found)  # … alone
