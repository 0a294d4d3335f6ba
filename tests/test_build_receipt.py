"""A build with nothing changed stops at the last build's receipt; every kind of change still builds.

The receipt (disclosure/outputs/build_receipt.py) is a stat fingerprint of what the site was
made from. These tests make each class of change a build must see — an edit that keeps the
size and the modification time, an added, deleted or renamed file, another day, a site
removed or replaced, the program — and check that a real build ran and wrote what a cold
build writes; and that a build with nothing changed touches no file and says what it said.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from disclosure.core.output_guard import cache_folder
from disclosure.outputs import build_receipt
from disclosure.outputs.build_receipt import RACY_NS, fingerprint, read_receipt, receipt_path
from tests.conftest import REPO, tree_digest

Run = Callable[..., tuple[int, str]]
WIDE_NS = 4 * RACY_NS  # a racy window no build of the fixture outlasts, even on a loaded machine


def settle(content: Path, program: Path = REPO) -> None:
    """Wait until every file a build's fingerprint covers (the content, the program) is older than
    the window in which a receipt is not trusted: until the fingerprint taken now is not a racy one.

    Only as long as the newest change needs (a fixed sleep of the whole window each time would
    cost seconds a test), and never less."""
    deadline = time.monotonic() + build_receipt.RACY_NS / 1e9 + 10
    while "~" in fingerprint(content, content, date(2000, 1, 1), False, program):
        assert time.monotonic() < deadline, "a file the fingerprint covers keeps changing"
        time.sleep(0.05)


def state(site: Path) -> dict[str, tuple[int, int]]:
    """Return every entry of `site` with its inode and modification time: what any write changes."""
    found = {".": (site.stat().st_ino, site.stat().st_mtime_ns)}
    for path in site.rglob("*"):
        st = path.lstat()
        found[str(path.relative_to(site))] = (st.st_ino, st.st_mtime_ns)
    return found


def build(run: Run, content: Path, site: Path, *extra: str) -> str:
    status, err = run("build", "--content", content, "--output", site, *extra)
    assert status == 0, err
    return err


def rebuilt(run: Run, content: Path, site: Path, *extra: str) -> bool:
    """Build; return whether the build swapped in a new site (a real build) rather than stopping."""
    before = site.stat().st_ino
    build(run, content, site, *extra)
    return site.stat().st_ino != before


def same_as_cold(run: Run, content: Path, site: Path, tmp_path: Path, *extra: str) -> None:
    cold = tmp_path / "cold" / "site"
    build(run, content, cold, *extra)
    ours, theirs = tree_digest(site), tree_digest(cold)
    whoosh = [name for name in ours | theirs if "/whoosh/" in f"/{name}"]  # randomly named segments
    for name in whoosh:
        ours.pop(name, None), theirs.pop(name, None)
    assert ours == theirs


def test_nothing_changed_touches_nothing_and_says_the_same(content: Path, tmp_path: Path, run: Run) -> None:
    (content / "说明.docx").write_bytes(b"stray")  # a warning (stray file) the second run must repeat
    site = tmp_path / "site"
    first = build(run, content, site)
    assert "说明.docx" in first and "警告" in first
    settle(content)
    build(run, content, site)  # the first receipt was taken right after the files were copied
    before = state(site)
    again = build(run, content, site)
    assert again == first
    assert state(site) == before  # no file written, linked, swapped or removed
    assert read_receipt(cache_folder(site)) is not None


@pytest.mark.parametrize("change", ["same size and time", "added", "deleted", "renamed", "config"])
def test_every_content_change_builds(change: str, content: Path, tmp_path: Path, run: Run) -> None:
    site = tmp_path / "site"
    stray = content / "documents" / "说明.txt"
    if change == "deleted":
        stray.write_text("多余的文件", "utf-8")
    build(run, content, site)
    record = sorted((content / "documents").rglob("*.md"))[0]
    if change == "same size and time":  # one character for another of the same length, time put back
        st = record.stat()
        text = record.read_text("utf-8")
        title = next(line for line in text.splitlines() if line.startswith("title:"))
        record.write_text(text.replace(title, title[:-1] + ("甲" if title[-1] != "甲" else "乙"), 1), "utf-8")
        os.utime(record, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert record.stat().st_size == st.st_size and record.stat().st_mtime_ns == st.st_mtime_ns
    elif change == "added":
        stray.write_text("新文件", "utf-8")
    elif change == "deleted":
        stray.unlink()
    elif change == "renamed":
        record.rename(record.with_name("renamed-" + record.name))
    else:
        site_yaml = content / "site.yaml"
        site_yaml.write_text(site_yaml.read_text("utf-8") + "\n", "utf-8")
    assert rebuilt(run, content, site)
    same_as_cold(run, content, site, tmp_path)


def test_an_edit_through_a_linked_content_folder_builds(content: Path, tmp_path: Path, run: Run) -> None:
    """`--content` may be a symbolic link to the folder: its entries are walked, not only the link."""
    link = tmp_path / "linked-content"
    link.symlink_to(content, target_is_directory=True)
    site = tmp_path / "site"
    settle(link)
    build(run, link, site)
    assert not rebuilt(run, link, site)
    record = sorted((content / "documents").rglob("*.md"))[0]
    saved = record.with_name(".saving.tmp")  # an editor's save: a new file renamed over the old one
    saved.write_text(record.read_text("utf-8").replace("title:", "title: 改", 1), "utf-8")
    os.replace(saved, record)
    settle(link)
    assert rebuilt(run, link, site)
    same_as_cold(run, link, site, tmp_path)


def test_another_day_builds(content: Path, tmp_path: Path, run: Run) -> None:
    site = tmp_path / "site"
    settle(content)
    build(run, content, site, "--today", "2026-06-01")
    assert not rebuilt(run, content, site, "--today", "2026-06-01")
    assert rebuilt(run, content, site, "--today", "2026-06-02")  # validity and timeliness depend on the day


def test_a_change_just_before_a_build_is_never_taken_for_no_change(
    content: Path, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    settle(content)
    # the second build below must start within the window after the change, so the window is
    # wider than a build of the fixture takes on a busy machine (tests run two at a time)
    monkeypatch.setattr(build_receipt, "RACY_NS", WIDE_NS)
    record = sorted((content / "documents").rglob("*.md"))[0]
    record.write_bytes(record.read_bytes())  # changed, then built at once: within one timestamp tick
    build(run, content, site)  # a second write in the same tick would leave the same stat …
    assert rebuilt(run, content, site)  # … so this receipt is not trusted
    receipt = read_receipt(cache_folder(site))
    assert receipt is not None and "~" in receipt.fingerprint, "the build took longer than the window"
    settle(content)
    assert rebuilt(run, content, site)  # taken within the window too (the last build just ran)
    settle(content)
    build(run, content, site)
    assert not rebuilt(run, content, site)


def test_a_site_removed_or_replaced_is_built_again(content: Path, tmp_path: Path, run: Run) -> None:
    site = tmp_path / "site"
    build(run, content, site)
    shutil.rmtree(site)
    build(run, content, site)
    assert (site / "index.html").is_file()
    other = tmp_path / "other" / "site"
    build(run, content, other)
    shutil.rmtree(site)
    shutil.copytree(other, site, symlinks=True)  # a site that is not the one the receipt names
    assert rebuilt(run, content, site)


def test_a_failed_build_leaves_no_receipt(content: Path, tmp_path: Path, run: Run) -> None:
    site = tmp_path / "site"
    build(run, content, site)
    assert receipt_path(cache_folder(site)).is_file()
    record = sorted((content / "documents").rglob("*.md"))[0]
    good = record.read_bytes()
    record.write_text("---\ntitle: [\n---\n", "utf-8")
    status, err = run("build", "--content", content, "--output", site)
    assert status == 1 and "未发布" in err
    assert not receipt_path(cache_folder(site)).exists()
    record.write_bytes(good)  # the very bytes the site was built from: still a real build
    assert rebuilt(run, content, site)


def test_the_program_is_part_of_the_fingerprint(content: Path, tmp_path: Path) -> None:
    program = tmp_path / "program"
    for name in ("templates", "build.py"):
        source = REPO / name
        shutil.copytree(source, program / name) if source.is_dir() else shutil.copyfile(
            source, program / name
        )
    site, day = tmp_path / "site", date(2026, 12, 1)
    settle(content, program)
    before = fingerprint(content, site, day, False, program)
    assert fingerprint(content, site, day, False, program) == before  # stable
    template = program / "templates" / "base.html"
    template.write_text(template.read_text("utf-8") + " ", "utf-8")
    settle(content, program)  # a settled fingerprint: it differs by what changed, not by the racy window
    assert "~" not in fingerprint(content, site, day, False, program)
    assert fingerprint(content, site, day, False, program) != before
    assert fingerprint(content, site, day, True, program) != fingerprint(content, site, day, False, program)
