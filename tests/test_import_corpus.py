"""Tests for bench/import_corpus.py on a small copy of the shared corpus (tests/fixtures/corpus)."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from types import ModuleType

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "bench" / "import_corpus.py"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "corpus"
REQUIRED = {"title", "index_number", "agency", "written", "published", "category", "validity"}
ALLOWED = REQUIRED | {"doc_number", "summary", "validity_date"}


def load_importer() -> ModuleType:
    """Return the importer script loaded as a module."""
    spec = importlib.util.spec_from_file_location("import_corpus", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


importer = load_importer()


def front_matter(path: Path) -> tuple[dict, str]:
    """Return a record's front matter (parsed with yaml.safe_load) and its body."""
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[0] == "---", path
    end = lines.index("---", 1)
    return yaml.safe_load("\n".join(lines[1:end])), "\n".join(lines[end + 1 :])


def read_output(out: Path) -> dict:
    """Return the imported content: agencies by name, category paths and records by title."""
    agencies = yaml.safe_load((out / "agencies.yaml").read_text(encoding="utf-8"))
    paths: set[str] = set()

    def walk(nodes: list[dict], prefix: str) -> None:
        for node in nodes:
            path = f"{prefix}/{node['name']}" if prefix else node["name"]
            paths.add(path)
            walk(node["children"], path)

    walk(yaml.safe_load((out / "categories.yaml").read_text(encoding="utf-8")), "")
    records = {}
    for file in sorted((out / "documents").rglob("*.md")):
        meta, body = front_matter(file)
        records[meta["title"]] = {**meta, "_body": body, "_file": file.relative_to(out).as_posix()}
    return {"agencies": {a["name"]: a for a in agencies}, "categories": paths, "records": records}


def run_import(corpus: Path, out: Path, *extra: str) -> dict:
    """Run the importer's main() on ``corpus`` into ``out``; return read_output(out)."""
    assert importer.main(["--corpus", str(corpus), "--out", str(out), *extra]) == 0
    return read_output(out)


@pytest.fixture
def result(tmp_path: Path) -> dict:
    """Return the import of the whole fixture corpus."""
    return run_import(FIXTURE, tmp_path / "content")


def by_prefix(records: dict, prefix: str) -> dict:
    """Return the one record whose title starts with ``prefix``."""
    [title] = [t for t in records if t.startswith(prefix)]
    return records[title]


def test_every_record_is_valid(result: dict) -> None:
    records, agencies = result["records"], result["agencies"]
    assert len(records) == 6
    numbers = [r["index_number"] for r in records.values()]
    assert len(set(numbers)) == len(numbers)
    for record in records.values():
        keys = {k for k in record if not k.startswith("_")}
        assert REQUIRED <= keys <= ALLOWED, record["_file"]
        assert re.fullmatch(r"documents/(laws(/[a-z-]+)+|state-council)/\d{4}\.md", record["_file"])
        assert re.fullmatch(r"\d{9}/\d{4}-\d{5}", record["index_number"])
        names = record["agency"] if isinstance(record["agency"], list) else [record["agency"]]
        assert all(name in agencies for name in names)
        assert record["category"] in result["categories"]
        written, published = (date.fromisoformat(record[k]) for k in ("written", "published"))
        assert written <= published
    assert set(agencies) == {
        "河南省人民代表大会常务委员会",
        "国务院",
        "最高人民法院",
        "国务院办公厅",
        "中央军事委员会",
    }
    for agency in agencies.values():
        assert re.fullmatch(r"\d{9}", agency["code"]) and agency["sample"] is True


def test_site_and_categories(result: dict, tmp_path: Path) -> None:
    site = yaml.safe_load((tmp_path / "content" / "site.yaml").read_text(encoding="utf-8"))
    assert site["name"] == "语料基准站" and site["sample"] is True
    assert site["site_code"] == "0000000000" and site["contact"]["postcode"] == "100000"
    assert result["categories"] == {
        "司法解释",
        "地方性法规",
        "地方性法规/河南",
        "行政法规",
        "国防",
        "国防/国防建设",
        "卫生、体育",
        "卫生、体育/体育",
    }


def test_local_regulation_with_full_width_dates(result: dict) -> None:
    record = by_prefix(result["records"], "洛阳市人民代表大会及其常务委员会")
    assert record["agency"] == "河南省人民代表大会常务委员会"
    assert (record["written"], record["published"]) == ("2001-03-01", "2001-04-18")
    code = result["agencies"][record["agency"]]["code"]
    assert record["index_number"] == f"{code}/2001-00001"
    assert record["category"] == "地方性法规/河南"
    assert record["validity"] == "有效" and "doc_number" not in record
    assert record["summary"].startswith("第一条")
    assert record["_body"].lstrip().startswith("2001年3月１日 洛阳市第十一届人民代表大会")


def test_administrative_regulation_gets_state_council_order(result: dict) -> None:
    record = by_prefix(result["records"], "国务院关于经营者集中申报标准的规定")
    assert record["agency"] == "国务院"
    assert record["doc_number"] == "国令第773号"
    assert (record["written"], record["published"]) == ("2008-08-03", "2024-01-22")
    code = result["agencies"]["国务院"]["code"]
    assert record["index_number"] == f"{code}/2024-00001"


def test_expired_judicial_interpretation(result: dict) -> None:
    record = by_prefix(result["records"], "最高人民法院关于审理涉及夫妻债务")
    assert record["agency"] == "最高人民法院"
    assert (record["written"], record["published"]) == ("2018-01-08", "2018-01-16")
    assert record["validity"] == "失效" and record["validity_date"] == "2018-01-16"
    code = result["agencies"]["最高人民法院"]["code"]
    assert record["index_number"] == f"{code}/2018-00001"


def test_judicial_reply_without_version_date(result: dict) -> None:
    record = by_prefix(result["records"], "最高人民法院关于知识产权侵权诉讼")
    assert record["doc_number"] == "法释〔2021〕11号"
    assert (record["written"], record["published"]) == ("2021-05-31", "2021-05-31")
    assert record["summary"].startswith("在知识产权侵权诉讼中")
    assert "2021年6月3日 施行" in record["_body"]


def test_state_council_documents_keep_their_metadata(result: dict) -> None:
    records = result["records"]
    joint = records["国务院、中央军委关于同意武警总部后勤部机关等迁址新建的批复"]
    assert joint["agency"] == ["国务院", "中央军事委员会"]
    assert joint["index_number"] == "000014349/1996-00073"
    assert joint["doc_number"] == "国函〔1996〕95号"
    assert (joint["written"], joint["published"]) == ("1996-11-05", "2018-12-03")
    assert joint["category"] == "国防/国防建设"
    reply = by_prefix(records, "国务院办公厅关于同意以深圳市名义申办")
    assert reply["agency"] == "国务院办公厅"
    assert result["agencies"]["国务院办公厅"]["code"] == "000014349"
    assert reply["index_number"] == "000014349/2004-00205"
    assert reply["category"] == "卫生、体育/体育"
    assert reply["_body"].rstrip().endswith("二〇〇四年十二月十七日")


def test_output_is_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    run_import(FIXTURE, first)
    run_import(FIXTURE, second)
    files = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert all((first / f).read_bytes() == (second / f).read_bytes() for f in files)


def test_corpus_without_state_council_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE, corpus)
    shutil.rmtree(corpus / "examples")
    records = run_import(corpus, tmp_path / "out")["records"]
    assert len(records) == 4
    assert all(r["_file"].startswith("documents/laws/") for r in records.values())


def test_corpus_with_state_council_documents_only(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE / "examples", corpus / "examples")
    records = run_import(corpus, tmp_path / "out")["records"]
    assert len(records) == 2


def test_laws_without_metadata_csv(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURE / "laws", corpus / "laws")
    records = run_import(corpus, tmp_path / "out")["records"]
    assert len(records) == 4
    record = by_prefix(records, "国务院关于经营者集中申报标准的规定")
    assert record["published"] == "2024-01-22"
    expired = by_prefix(records, "最高人民法院关于审理涉及夫妻债务")
    assert expired["validity"] == "有效"  # the expiry flag lives only in the CSV


def test_empty_corpus_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        importer.main(["--corpus", str(tmp_path), "--out", str(tmp_path / "out")])


def test_replaces_an_earlier_import_but_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "content"
    run_import(FIXTURE, out)
    records = run_import(FIXTURE, out, "--limit", "1")["records"]
    assert len(records) == 2  # one law and one State Council document
    other = tmp_path / "other"
    other.mkdir()
    (other / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SystemExit):
        importer.main(["--corpus", str(FIXTURE), "--out", str(other)])
    assert (other / "keep.txt").read_text(encoding="utf-8") == "mine"


def test_command_line_prints_a_summary(tmp_path: Path) -> None:
    command = [sys.executable, str(SCRIPT), "--corpus", str(FIXTURE), "--out", str(tmp_path / "o")]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    assert re.fullmatch(
        r"wrote 6 records \(4 laws, 2 State Council\), 5 agencies, 8 categories to \S+ in [\d.]+ s\n",
        done.stdout,
    )
