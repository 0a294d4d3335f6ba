"""The output gate reads every file of staging but the live site's own (issue 15: a rebuild reads what changed)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from whoosh import fields, index

from disclosure.core.problems import ContentInvalid
from disclosure.outputs.output_gate import check_output

VALID = Path(__file__).parent / "fixtures" / "valid"
NUMBER = "<p>手机：13800138000</p>\n"  # what the live site is taken to have passed with (an allowed number, say)


def test_the_live_sites_files_pass_and_every_other_file_is_read(tmp_path: Path) -> None:
    live, staging = tmp_path / "site", tmp_path / "staging"
    for name in ("linked/index.html", "copied/index.html", "changed/index.html", "deep/a/b/c.json"):
        (live / name).parent.mkdir(parents=True, exist_ok=True)
        (live / name).write_text(NUMBER, "utf-8")
    (staging / "linked").mkdir(parents=True)
    os.link(live / "linked" / "index.html", staging / "linked" / "index.html")  # the freezer's unchanged page
    shutil.copytree(live / "copied", staging / "copied")  # the same bytes, written again
    (staging / "changed").mkdir()
    (staging / "changed" / "index.html").write_text(NUMBER.replace("138", "139"), "utf-8")  # same size, other bytes
    (staging / "deep" / "a" / "b").mkdir(parents=True)
    (staging / "deep" / "a" / "b" / "c.json").write_text('{"t": "13800138000 "}', "utf-8")  # other size
    (staging / "new").mkdir()
    (staging / "new" / "index.html").write_text(NUMBER, "utf-8")  # no live file of that name
    (staging / "care" / "x").mkdir(parents=True)
    (staging / "care" / "x" / "index.html").write_text(NUMBER, "utf-8")  # a mode folder is no exception
    (staging / "care" / "new").symlink_to("../new")  # a mode's link to a folder: read under its own name, once
    (staging / "care" / "index.html").symlink_to("../new/index.html")  # … and to a file
    with pytest.raises(ContentInvalid) as caught:
        check_output(staging, live, VALID)
    shown = [str(p).split(":")[0] for p in caught.value.problems]
    assert shown == [str(live / n) for n in ("care/x/index.html", "changed/index.html", "deep/a/b/c.json", "new/index.html")]


def test_a_symlink_in_staging_is_read_like_a_file(tmp_path: Path) -> None:
    live, staging = tmp_path / "site", tmp_path / "staging"
    live.mkdir()
    (staging / "page").mkdir(parents=True)
    (tmp_path / "elsewhere.html").write_text(NUMBER, "utf-8")
    (staging / "page" / "index.html").symlink_to(tmp_path / "elsewhere.html")
    with pytest.raises(ContentInvalid):
        check_output(staging, live, VALID)


def test_a_whoosh_segment_of_the_live_index_is_not_read_again(tmp_path: Path) -> None:
    live, staging = tmp_path / "site" / ".search" / "whoosh", tmp_path / "staging" / ".search" / "whoosh"
    live.mkdir(parents=True)
    ix = index.create_in(str(live), fields.Schema(key=fields.ID(unique=True, stored=True), doc=fields.STORED))
    with ix.writer() as writer:
        writer.add_document(key="a", doc={"lead": "手机：13800138000"})  # passed when it was published
    ix.close()
    shutil.copytree(live, staging)
    check_output(tmp_path / "staging", tmp_path / "site", VALID)
    ix = index.open_dir(str(staging))
    writer = ix.writer()
    writer.add_document(key="b", doc={"lead": "电话：13900139000"})
    writer.commit(merge=False)  # a segment of its own beside the live one
    ix.close()
    with pytest.raises(ContentInvalid) as caught:
        check_output(tmp_path / "staging", tmp_path / "site", VALID)
    assert [("检索索引 b " in str(p), "检索索引 a " in str(p)) for p in caught.value.problems] == [(True, False)]
    ix = index.open_dir(str(staging))
    writer = ix.writer()
    writer.delete_by_term("key", "b")
    writer.commit(optimize=True)  # the live segment rewritten: a new id, read again
    ix.close()
    with pytest.raises(ContentInvalid) as caught:
        check_output(tmp_path / "staging", tmp_path / "site", VALID)
    assert ["检索索引 a " in str(p) for p in caught.value.problems] == [True]
