"""Open data under /data/ and JSON-LD on record pages, built for real from tests/fixtures/feeds."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest

from disclosure.kinds.approval import ApprovalListMeta, items_of
from disclosure.kinds.decision import DecisionMeta
from disclosure.kinds.power import PowerMeta
from disclosure.outputs.open_data import RECORD_FIELDS, data_tables
from disclosure.pipeline import Settings, build_site, check_site
from disclosure.site.model import Site

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "feeds"
HOSTILE = '"><script>alert(1)</script>{{ 7*7 }}'
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.DOTALL)


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content built once into a temporary site folder."""
    out = tmp_path_factory.mktemp("data") / "site"
    build_site(Settings(content_dir=FIXTURE, output_dir=out, today=date(2024, 1, 1), progress=False, use_cache=False))
    return out


@pytest.fixture(scope="module")
def site_model(site_dir: Path) -> Site:
    """The site model of the fixture content."""
    return check_site(Settings(content_dir=FIXTURE, progress=False, use_cache=False)).site


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), f"{path.name} has no BOM: Excel would garble it"
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def expected_counts(site: Site) -> dict[str, int]:
    """Return what each table must hold, counted from the site model, not from the exporter."""
    decisions = [r.meta for r in site.records if isinstance(r.meta, DecisionMeta)]
    powers = [r.meta for r in site.records if isinstance(r.meta, PowerMeta)]
    return {
        "approval-items": sum(len(items_of(r)) for r in site.records if isinstance(r.meta, ApprovalListMeta)),
        "power-items": len(powers),
        "power-steps": sum(len(m.steps) for m in powers),
        "power-risks": sum(len(step.risks) for m in powers for step in m.steps),
        "records": len(site.records),
        "record-changes": sum(len(r.meta.changes) for r in site.records),
        "decisions": len(decisions),
        "decision-stages": sum(len(m.stages) for m in decisions),
        "decision-basis": sum(len(m.basis) for m in decisions),
    }


def test_every_data_file_parses_and_counts_match_the_site(site_dir: Path, site_model: Site) -> None:
    expected = expected_counts(site_model)
    files = sorted((site_dir / "data").glob("*.*"))
    names = {p.stem for p in files if p.suffix in (".json", ".csv")} - {"index"}
    assert names == {t.name for t in data_tables()}
    assert set(expected) <= names
    for table in data_tables():
        document = read_json(site_dir / "data" / f"{table.name}.json")
        header, rows = read_csv(site_dir / "data" / f"{table.name}.csv")
        assert document["count"] == len(document["rows"]) == len(rows), table.name
        assert header == list(table.fields) == list(document["fields"]), table.name
        assert all(set(row) == set(table.fields) for row in document["rows"]), table.name
        if table.name in expected:
            assert len(rows) == expected[table.name], table.name


def test_records_table_matches_the_site(site_dir: Path, site_model: Site) -> None:
    document = read_json(site_dir / "data" / "records.json")
    _, rows = read_csv(site_dir / "data" / "records.csv")
    assert [r["index_number"] for r in document["rows"]] == [r.meta.index_number for r in site_model.records]
    assert [r["index_number"] for r in rows] == [r.meta.index_number for r in site_model.records]
    assert list(document["fields"]) == list(RECORD_FIELDS)
    by_number = {r["index_number"]: r for r in document["rows"]}
    hostile = by_number["100000002/2020-00001"]
    assert hostile["title"] == HOSTILE
    assert hostile["agencies"] == ["测试市财政局", "测试市税务局"]
    old = by_number["100000001/2018-00001"]
    assert (old["validity"], old["validity_date"], old["repealed_by"]) == ("废止", "2019-06-01", "100000001/2019-00002")
    rules = by_number["100000001/2019-00002"]
    assert rules["url"] == "https://gk.example.gov.cn/records/100000001-2019-00002/"
    assert rules["attachments"] == ["https://gk.example.gov.cn/records/100000001-2019-00002/open-rules-form.csv"]
    for url in rules["attachments"]:
        assert (site_dir / url.removeprefix("https://gk.example.gov.cn/")).is_file()
    csv_rules = next(r for r in rows if r["index_number"] == "100000001/2019-00002")
    assert csv_rules["keywords"] == "政府信息公开；依申请公开"
    assert csv_rules["written"] == "2019-05-20"


def test_decision_stages_table(site_dir: Path) -> None:
    _, rows = read_csv(site_dir / "data" / "decision-stages.csv")
    assert [(r["sequence"], r["stage"], r["date"], r["end"]) for r in rows] == [
        ("1", "征求意见", "2019-08-01", "2019-09-05"),
        ("2", "听证", "2019-09-20", ""),
        ("3", "集体讨论", "2019-10-15", ""),
    ]


def test_approval_and_power_tables(site_dir: Path) -> None:
    _, items = read_csv(site_dir / "data" / "approval-items.csv")
    assert [(r["index_number"], r["number"], r["action"], r["to"]) for r in items] == [
        ("100000001/2019-00004", "1", "取消", ""),
        ("100000001/2019-00004", "2", "下放", "各县（市、区）卫生健康主管部门"),
    ]
    _, steps = read_csv(site_dir / "data" / "power-steps.csv")
    assert [(r["sequence"], r["step_id"], r["limit_days"]) for r in steps] == [
        ("1", "lian", "5"), ("2", "diaocha", "30"), ("3", "jueding", "10")
    ]
    risks = read_json(site_dir / "data" / "power-risks.json")["rows"]
    assert [(r["step_id"], r["level"], r["measures"]) for r in risks] == [
        ("lian", "中", ["立案标准公开", "集体研究"]),
        ("jueding", "高", ["执行处罚裁量基准"]),
    ]
    (power,) = read_json(site_dir / "data" / "power-items.json")["rows"]
    assert (power["code"], power["basis"], power["risks_count"]) == (
        "100000003-XZCF-0001", ["中华人民共和国税收征收管理法第六十二条"], 2
    )


def test_index_json_lists_every_table_with_counts(site_dir: Path) -> None:
    index = read_json(site_dir / "data" / "index.json")
    assert [t["table"] for t in index["tables"]] == [t.name for t in data_tables()]
    for entry in index["tables"]:
        local = site_dir / entry["json"].removeprefix("https://gk.example.gov.cn/")
        assert read_json(local)["count"] == entry["count"]
        assert (site_dir / entry["csv"].removeprefix("https://gk.example.gov.cn/")).is_file()


def test_data_page_links_every_file(site_dir: Path) -> None:
    page = (site_dir / "data" / "index.html").read_text(encoding="utf-8")
    for table in data_tables():
        assert f'href="/data/{table.name}.json"' in page
        assert f'href="/data/{table.name}.csv"' in page


def test_one_json_ld_block_per_record_page(site_dir: Path, site_model: Site) -> None:
    for record in site_model.records:
        html = (site_dir / "records" / record.slug / "index.html").read_text(encoding="utf-8")
        blocks = JSON_LD.findall(html)
        assert len(blocks) == 1, record.slug
        data = json.loads(blocks[0])
        assert data["@context"] == "https://schema.org"
        assert data["name"] == record.meta.title
        assert data["identifier"] == record.meta.index_number
        assert data["datePublished"] == record.meta.published.isoformat()
        assert data["publisher"]
    for page in (site_dir / "catalog").rglob("*.html"):
        assert not JSON_LD.search(page.read_text(encoding="utf-8"))


def test_json_ld_survives_a_hostile_title(site_dir: Path) -> None:
    html = (site_dir / "records" / "100000002-2020-00001" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;{{ 7*7 }}</h1>" in html  # text, never evaluated
    (block,) = JSON_LD.findall(html)
    assert "<" not in block and ">" not in block and "&" not in block and "'" not in block
    data = json.loads(block)
    assert data["name"] == HOSTILE
    assert data["@type"] == "Legislation"
    assert [a["name"] for a in data["author"]] == ["测试市财政局", "测试市税务局"]
    assert "标题含 \"、<、>、&、' 与 {{ 模板 }}" in data["description"]


def test_json_ld_of_a_repealed_document(site_dir: Path) -> None:
    html = (site_dir / "records" / "100000001-2018-00001" / "index.html").read_text(encoding="utf-8")
    (block,) = JSON_LD.findall(html)
    data = json.loads(block)
    assert data["legislationLegalForce"] == "https://schema.org/NotInForce"
    assert data["legislationIdentifier"] == "测政发〔2018〕1号"
    assert data["expires"] == "2019-06-01"


def test_every_table_and_field_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 开放数据", 1)[1].split("\n## ", 1)[0]
    for table in data_tables():
        line = next((ln for ln in section.splitlines() if ln.startswith(f"- `{table.name}`")), None)
        assert line is not None, f"README 未说明数据表 {table.name}"
        for name, label in table.fields.items():
            assert f"`{name}` {label}" in line, f"README 未说明 {table.name}.{name}"
