"""A rebuild after a change of bodies writes only what the change touched, the same bytes as a cold build (issue 15)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from disclosure.core.progress import Progress
from disclosure.core.visible_text import text_of
from disclosure.pipeline import Settings, build_site, load_site
from search.index import body_index
from search.index.body_index import (
    BodyJob,
    body_keys,
    invert,
    keep_inverted,
    patch_postings,
    write_body_index,
)
from search.index.stage import write_search_indexes
from search.index.static_index import write_phrase_shards
from search.spelling import SERVICE_FILE

SAMPLE = Path(__file__).parent.parent / "content"
SEARCH = Path(__file__).parent / "fixtures" / "search"


def sample_bodies() -> list[str]:
    """Return the bodies of the sample site's records, as paragraphs."""
    return [
        "".join(f"<p>{line.strip()}</p>" for line in path.read_text("utf-8").split("---", 2)[-1].splitlines() if line.strip())
        for path in sorted(SAMPLE.rglob("*.md"))
    ]


def phrase_shards(bodies: list[str], out: Path, cache: Path | None, job_cache: Path | None) -> tuple[int, int]:
    items = [(hashlib.sha256(body.encode()).hexdigest(), body) for body in bodies]
    job = BodyJob(items, job_cache)
    computed, _ = job.collect()
    return write_phrase_shards(job.check_grams(computed), out, len(items), cache)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_changed_bodies_rewrite_only_their_check_gram_shards(tmp_path: Path) -> None:
    bodies = sample_bodies()
    cache, job_cache = tmp_path / "cache" / "static-phrase", tmp_path / "cache"
    shards, _ = phrase_shards(bodies, tmp_path / "first", cache, job_cache)
    assert shards > 20
    edited = list(bodies)
    edited[7] += "<p>本条例自发布之日起施行，原办法同时废止。</p>"  # a sentence added at the end
    edited[20] = edited[20].replace("。", "，并予公布。", 1)  # a change inside: later positions move
    edited[33] = bodies[34] + "<p>附：实施细则另行制定。</p>"  # another text entirely
    again, written = phrase_shards(edited, tmp_path / "warm", cache, job_cache)
    cold_shards, cold = phrase_shards(edited, tmp_path / "cold", None, None)
    # the size the shard count is made from, corrected by the touched buckets, is a cold build's
    phrase_shards(edited, tmp_path / "cold-kept", tmp_path / "other" / "static-phrase", None)
    sizes = [json.loads((c / "manifest.json").read_text("utf-8"))["size"] for c in (cache, tmp_path / "other" / "static-phrase")]
    assert sizes[0] == sizes[1]
    assert again == cold_shards
    assert 0 < written < cold  # only the shards of the buckets the edits touched
    warm = files(tmp_path / "warm" / "x")
    assert warm == files(tmp_path / "cold" / "x")
    # unchanged shards are the last build's files, linked; the rewritten ones were replaced, not written through
    same = [n for n in warm if os.path.samefile(tmp_path / "warm" / "x" / n, tmp_path / "first" / "x" / n)]
    assert 0 < len(same) < len(warm)
    for name in same:
        assert (tmp_path / "first" / "x" / name).read_bytes() == warm[name]
    # a record more or less: the numbers of the others move, every shard is written again
    _, grown = phrase_shards([*edited, bodies[0] + "<p>新增。</p>"], tmp_path / "grown", cache, job_cache)
    _, grown_cold = phrase_shards([*edited, bodies[0] + "<p>新增。</p>"], tmp_path / "grown-cold", None, None)
    assert grown == grown_cold
    assert files(tmp_path / "grown" / "x") == files(tmp_path / "grown-cold" / "x")


def test_the_forgiving_tables_and_terms_are_linked_after_a_change_of_bodies_only(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SEARCH, content)
    settings = Settings(content_dir=content, output_dir=tmp_path / "site", progress=False)
    build_site(settings)
    kept = settings.cache_dir / "search" / "forgiving" / "files" / ".search" / SERVICE_FILE
    permits = content / "documents" / "2009" / "permits.md"
    permits.write_text(permits.read_text("utf-8").replace("饲养鳄鱼", "饲养蜥蜴"), "utf-8")
    site, _ = load_site(settings, Progress(enabled=False))
    write_search_indexes(site, tmp_path / "warm", settings.cache_dir, Progress(enabled=False))
    write_search_indexes(site, tmp_path / "cold", None, Progress(enabled=False))
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    assert os.path.samefile(warm / ".search" / SERVICE_FILE, kept)  # the last build's, not made again
    terms = settings.cache_dir / "search" / "static-terms" / "files" / "t"
    assert all(os.path.samefile(p, terms / p.name) for p in (warm / "search" / "data" / "t").iterdir())
    for folder in ("p", "c", "g", "t"):
        assert files(warm / "search" / "data" / folder) == files(cold / "search" / "data" / folder)
    assert (warm / ".search" / SERVICE_FILE).read_bytes() == (cold / ".search" / SERVICE_FILE).read_bytes()
    # a title is what the tables are made of: changed, they are made again
    text = permits.read_text("utf-8")
    title = re.search(r"^title: (.+)$", text, re.M)
    assert title
    permits.write_text(text.replace(title.group(0), f"title: {title.group(1)}（修订）", 1), "utf-8")
    site, _ = load_site(settings, Progress(enabled=False))
    write_search_indexes(site, tmp_path / "retitled", settings.cache_dir, Progress(enabled=False))
    write_search_indexes(site, tmp_path / "retitled-cold", None, Progress(enabled=False))
    retitled = tmp_path / "retitled" / ".search" / SERVICE_FILE
    assert not os.path.samefile(retitled, warm / ".search" / SERVICE_FILE)
    assert retitled.read_bytes() == (tmp_path / "retitled-cold" / ".search" / SERVICE_FILE).read_bytes()
    assert "修订" in retitled.read_text("utf-8")
    retitled_terms = tmp_path / "retitled" / "search" / "data" / "t"
    assert (
        files(retitled_terms)
        == files(tmp_path / "retitled-cold" / "search" / "data" / "t")
        != files(warm / "search" / "data" / "t")
    )


def test_patched_body_postings_are_those_inverted_anew(tmp_path: Path) -> None:
    bodies = sample_bodies()
    keys = [body_keys(text_of(body)).tobytes() for body in bodies]
    rng = random.Random(15)
    base = invert(keys)
    for _ in range(30):
        now = list(keys)
        changes = {}
        for n in rng.sample(range(len(keys)), rng.randint(1, 4)):
            other = np.frombuffer(keys[rng.randrange(len(keys))], dtype=np.uint64)
            mine = np.frombuffer(keys[n], dtype=np.uint64)
            # another body, a body cut short, or one with keys of another added
            choice = rng.choice([other, mine[: len(mine) // 2], np.union1d(mine, other[::7])])
            now[n] = np.ascontiguousarray(choice, dtype=np.uint64).tobytes()
            changes[n] = (mine, np.frombuffer(now[n], dtype=np.uint64))
        patched = patch_postings(*base, changes)
        assert patched is not None
        for got, want in zip(patched, invert(now), strict=True):
            assert got.dtype == want.dtype and np.array_equal(got, want)
    # a body emptied, and a change the postings do not hold (a damaged cache): inverted anew
    empty = patch_postings(*base, {3: (np.frombuffer(keys[3], dtype=np.uint64), np.zeros(0, dtype=np.uint64))})
    assert empty is not None and np.array_equal(empty[2], invert([*keys[:3], b"", *keys[4:]])[2])
    assert patch_postings(*base, {3: (np.frombuffer(keys[4], dtype=np.uint64), np.zeros(0, dtype=np.uint64))}) is None


def test_a_rebuild_patches_the_kept_body_postings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bodies = sample_bodies()
    items = [(hashlib.sha256(body.encode()).hexdigest(), body) for body in bodies]
    job = BodyJob(items, tmp_path / "cache")
    first = job.inverted(job.collect()[0], tmp_path / "cache" / "kept")
    write_body_index(first, tmp_path / "first", [])
    keep_inverted(first, tmp_path / "first", tmp_path / "cache" / "kept")
    items[5] = (hashlib.sha256(b"new").hexdigest(), bodies[5] + "<p>新增一段：政府信息公开。</p>")
    job = BodyJob(items, tmp_path / "cache")
    computed, _ = job.collect()
    with monkeypatch.context() as patched:
        patched.setattr(body_index, "invert", None)  # not called: the kept postings are patched
        warm = job.inverted(computed, tmp_path / "cache" / "kept")
    cold = job.inverted(computed)
    for name in ("keys", "offsets", "records"):
        assert np.array_equal(getattr(warm, name), getattr(cold, name)) and getattr(warm, name).dtype == getattr(cold, name).dtype
