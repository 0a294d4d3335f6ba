"""Search (issue 4): the service and the static index, built from tests/fixtures/search."""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from werkzeug.test import Client

from disclosure.core.progress import Progress
from disclosure.pipeline import Settings, build_site, load_site
from disclosure.site.content import read_synonyms
from search.analysis import CJK, normalise, parse_query, terms
from search.index.body_index import body_keys
from search.index.stage import write_search_indexes
from search.index.static_query import StaticSite
from search.service.app import create_search_app
from search.stored import term_key

FIXTURE = Path(__file__).parent / "fixtures" / "search"

# query → slug of the record expected first, in both modes
FINDS = {
    "税": "000014349-2018-00301",  # one character
    "得税": "000014349-2018-00301",  # part of a word
    '"专项附加扣除"': "000014349-2018-00301",  # quoted phrase
    "个税": "000014349-2018-00301",  # synonym
    "個人所得稅": "000014349-2018-00301",  # Traditional characters
    "国发〔2018〕41号": "000014349-2018-00301",  # 文号, four bracket styles and full-width digits
    "国发(2018)41号": "000014349-2018-00301",
    "国发[2018]41号": "000014349-2018-00301",
    "国发【2018】41号": "000014349-2018-00301",
    "国发（２０１８）41号": "000014349-2018-00301",
    "000014349/2018-00204": "000014349-2018-00204",  # 索引号, and as in the URL
    "000014349-2018-00204": "000014349-2018-00204",
    "集约化": "000014349-2018-00204",
    "保定市人民政府 监控": "130600001-2009-00009",  # agency + topic
    "监控机制": "130600001-2009-00009",
    "放假": "000014349-2018-00185",
    "国务院 放假": "000014349-2018-00185",
    "无废": "000014349-2019-00003",
    "源头减量": "000014349-2019-00003",  # start of the body stands in for a missing summary
}
# only in the body text of documents/2009/permits.md, far past its start (not in any title,
# summary or keyword): the body index answers, in both modes
PERMITS = "130600001-2009-00010"
BODY_FINDS = {
    "鳄": PERMITS,  # one character
    "养鳄": PERMITS,  # part of a word
    '"受理行政许可申请之日起二十日内"': PERMITS,  # a phrase from the middle
    "第五条 二十日内": PERMITS,  # two parts, both in the body
    "保定市人民政府 鳄鱼": PERMITS,  # one part in the metadata (agency), one in the body
    "飼養鱷魚": PERMITS,  # Traditional characters, folded in the body too
}
NOTHING = ["所得税 集约化", "国发〔2018〕42号", "金融危机", "鳄鱼 集约化"]
ODD = [
    "*", "?", "政*", "*府", "*a*", "?????", "[a TO 龥]", "{a TO z}", "政府~2", "x~5", "title:x",
    "nosuchfield:x", "path:/internal", '"unbalanced', '"', "\\", "AND", "OR", "NOT", "ＡＮＤ", "(((", ")",
    "(" * 200, "^", "~", "。，、", "\x00", "\u202e税", "🙂", '" OR "', "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>', "a* OR b* OR c* OR d* OR e*", "税 " * 30,
]


@pytest.fixture(scope="module")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture content built once, with its search indexes."""
    out = tmp_path_factory.mktemp("search") / "site"
    build_site(Settings(content_dir=FIXTURE, output_dir=out, progress=False))
    return out


@pytest.fixture(scope="module")
def client(site_dir: Path) -> Client:
    """A test client of the real WSGI search service over the built index."""
    return Client(create_search_app(site_dir / ".search"))


def api(client: Client, **args: str) -> tuple[int, dict]:
    response = client.get("/api/search", query_string=args)
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return response.status_code, json.loads(response.get_data(as_text=True))


@pytest.mark.parametrize(("q", "slug"), FINDS.items())
def test_the_service_finds_the_record_first(client: Client, q: str, slug: str) -> None:
    status, body = api(client, q=q)
    assert status == 200
    assert body["results"], q
    assert body["results"][0]["url"] == f"/records/{slug}/"


@pytest.mark.parametrize(("q", "slug"), FINDS.items())
def test_the_static_index_finds_the_same_records(site_dir: Path, client: Client, q: str, slug: str) -> None:
    found = StaticSite(site_dir).search(q)
    assert found and found[0]["slug"] == slug
    _, body = api(client, q=q, page_size="50")
    assert {f"/records/{r['slug']}/" for r in found} == {r["url"] for r in body["results"]}


@pytest.mark.parametrize(("q", "slug"), BODY_FINDS.items())
def test_both_modes_find_words_deep_in_a_body(site_dir: Path, client: Client, q: str, slug: str) -> None:
    status, body = api(client, q=q, page_size="50")
    assert status == 200
    assert [r["url"] for r in body["results"]] == [f"/records/{slug}/"]
    found = StaticSite(site_dir).search(q)
    assert [r["slug"] for r in found] == [slug]


def test_a_body_match_shows_the_body_around_it(client: Client) -> None:
    hit = api(client, q="鳄鱼")[1]["results"][0]
    assert "<mark>鳄鱼</mark>" in hit["snippet"]
    assert hit["snippet"].startswith("…")  # from the middle of the body, not its start
    hit = api(client, q='"受理行政许可申请之日起二十日内"')[1]["results"][0]
    assert "<mark>受理行政许可申请之日起二十日内</mark>" in hit["snippet"]


def test_metadata_matches_rank_before_body_matches(site_dir: Path, client: Client) -> None:
    # 行政许可 is in the summary of permits.md; 许可 alone is also in bodies only
    urls = [r["url"] for r in api(client, q="行政许可")[1]["results"]]
    assert urls[0] == f"/records/{PERMITS}/"
    assert StaticSite(site_dir).search("行政许可")[0]["slug"] == PERMITS


def test_the_static_body_shards_hold_no_digits(site_dir: Path) -> None:
    # the output gate scans them for identity and bank card numbers
    shards = list((site_dir / "search" / "data" / "b").glob("*.js"))
    assert shards
    for shard in shards:
        text = shard.read_text("utf-8")
        assert not any(c.isdigit() for c in text.split("{", 1)[1]), shard.name


@pytest.mark.parametrize("q", NOTHING)
def test_parts_must_all_match(site_dir: Path, client: Client, q: str) -> None:
    assert api(client, q=q)[1]["total"] == 0
    assert StaticSite(site_dir).search(q) == []


def test_the_answer_has_the_documented_shape(client: Client) -> None:
    status, body = api(client, q="个人所得税")
    assert status == 200
    assert set(body) == {"query", "total", "page", "page_size", "results"}
    assert (body["query"], body["total"], body["page"], body["page_size"]) == ("个人所得税", 1, 1, 10)
    hit = body["results"][0]
    assert set(hit) >= {"url", "title", "index_number", "doc_number", "agency", "published", "kind", "snippet"}
    assert (hit["doc_number"], hit["agency"], hit["published"], hit["kind"]) == ("国发〔2018〕41号", "国务院", "2018-12-22", "document")
    assert "<mark>个人所得税</mark>" in hit["snippet"]


@pytest.mark.parametrize("q", ODD)
def test_odd_queries_are_answered_200_or_400_quickly(client: Client, q: str) -> None:
    for path in ("/api/search", "/search/"):
        started = time.perf_counter()
        response = client.get(path, query_string={"q": q})
        assert response.status_code in (200, 400), (q, response.status_code)
        assert time.perf_counter() - started < 0.5
        text = response.get_data(as_text=True)
        assert "Traceback" not in text
        assert "<script>alert" not in text and "<img src=x" not in text


@pytest.mark.parametrize(
    "args",
    [
        {"q": "税" * 65},
        {"q": "x" * 5000},
        {"q": "税", "page_size": "51"},
        {"q": "税", "page_size": "0"},
        {"q": "税", "page": "0"},
        {"q": "税", "page": "-1"},
        {"q": "税", "page": "1e9"},
        {"q": "税", "page": "abc"},
        {"q": "税", "page": "999"},
        {"q": "税", "sort": "title"},
        {"q": "税", "kind": "政府文件"},
        {"q": "税", "year": "20x8"},
        {"q": "一 二 三 四 五 六 七 八 九"},
    ],
)
def test_bad_requests_get_400_with_a_short_message(client: Client, args: dict[str, str]) -> None:
    status, body = api(client, **args)
    assert status == 400
    assert body["error"] and len(body["error"]) < 60


def test_a_repeated_parameter_is_refused(client: Client) -> None:
    assert client.get("/api/search?q=a&q=b").status_code == 400


def test_filters_and_sort(client: Client, site_dir: Path) -> None:
    _, everything = api(client, q="国务院", page_size="50")
    assert everything["total"] == 4
    assert api(client, q="国务院", year="2019")[1]["total"] == 1
    assert api(client, q="国务院", agency="国务院办公厅")[1]["total"] == 3
    assert api(client, q="国务院", category="综合政务")[1]["total"] == 2
    assert api(client, q="国务院", kind="decision")[1]["total"] == 0
    assert api(client, q="国务院", validity="失效")[1]["total"] == 0
    dates = [r["published"] for r in api(client, q="国务院", sort="date")[1]["results"]]
    assert dates == sorted(dates, reverse=True)
    static = StaticSite(site_dir)
    assert len(static.search("国务院", {"year": "2019"})) == 1
    assert len(static.search("国务院", {"agency": "国务院办公厅"})) == 3
    assert len(static.search("国务院", {"category": "综合政务"})) == 2
    assert [r["published"] for r in static.search("国务院", sort="date")] == dates


def test_pages(client: Client) -> None:
    first = api(client, q="国务院", page_size="3")[1]
    second = api(client, q="国务院", page_size="3", page="2")[1]
    assert (first["total"], len(first["results"]), len(second["results"])) == (4, 3, 1)
    assert not {r["url"] for r in first["results"]} & {r["url"] for r in second["results"]}


def test_the_html_page_needs_no_javascript(client: Client) -> None:
    response = client.get("/search/", query_string={"q": "个税", "page_size": "2"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'value="个税"' in page
    assert "共找到 <strong>1</strong> 条信息" in page
    assert '<a href="/records/000014349-2018-00301/">' in page
    assert "<mark>" in page
    assert 'data-source="server"' in page and 'data-source="static"' not in page
    assert "检索政府信息" in page  # the frozen page is the frame


def test_the_html_page_keeps_filters_and_links_the_next_page(client: Client) -> None:
    page = client.get("/search/", query_string={"q": "国务院", "page_size": "3", "kind": "document"}).get_data(as_text=True)
    assert '<option value="document" selected>' in page
    assert "下一页" in page and "page=2" in page and "kind=document" in page


def test_hostile_queries_are_escaped_in_the_page(client: Client) -> None:
    page = client.get("/search/", query_string={"q": '"><script>alert(1)</script>'}).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page or "&#34;&gt;&lt;script" in page


def test_a_missing_index_is_503(tmp_path: Path) -> None:
    client = Client(create_search_app(tmp_path / "nothing"))
    response = client.get("/api/search", query_string={"q": "税"})
    assert response.status_code == 503
    assert client.get("/search/", query_string={"q": "税"}).status_code == 503


def test_only_get(client: Client) -> None:
    assert client.post("/api/search", data={"q": "税"}).status_code == 400


def test_rebuild_reindexes_only_changed_records(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "site"
    build_site(Settings(content_dir=content, output_dir=out, progress=False))
    record = content / "documents" / "2019" / "waste.md"
    record.write_text(record.read_text("utf-8").replace("最大限度减少填埋量", "最大限度减少填埋量，推进绿色矿山"), "utf-8")
    (content / "documents" / "2018" / "holidays.md").unlink()
    permits = content / "documents" / "2009" / "permits.md"
    permits.write_text(permits.read_text("utf-8").replace("饲养鳄鱼", "饲养蜥蜴"), "utf-8")
    settings = Settings(content_dir=content, output_dir=out, progress=False)
    site, _ = load_site(settings, Progress(enabled=False))
    staging = tmp_path / "staging"
    counts = write_search_indexes(site, staging, settings.cache_dir, Progress(enabled=False))
    # Whoosh: the changed lead of waste.md and the deleted record; permits.md's body edit changes
    # no field Whoosh holds (its lead is its 内容概述), so its document stays; both bodies recomputed
    assert (counts["added"], counts["deleted"], counts["bodies_computed"]) == (1, 2, 2)
    # the live copy is a copy: no file is shared with the cache by a hard link
    assert all(p.stat().st_nlink == 1 for p in (staging / ".search" / "whoosh").iterdir())
    build_site(settings)
    client = Client(create_search_app(out / ".search"))
    assert api(client, q="放假")[1]["total"] == 0
    assert api(client, q="无废")[1]["total"] == 1
    assert api(client, q="绿色矿山")[1]["total"] == 1  # the edited body
    assert api(client, q="鳄鱼")[1]["total"] == 0 and api(client, q="蜥蜴")[1]["total"] == 1
    static = StaticSite(out)
    assert static.search("鳄鱼") == [] and [r["slug"] for r in static.search("蜥蜴")] == [PERMITS]
    assert [r["slug"] for r in static.search("绿色矿山")] == ["000014349-2019-00003"]


def test_a_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    out = tmp_path / "site"
    settings = Settings(content_dir=FIXTURE, output_dir=out, progress=False)
    build_site(settings)
    for file in (settings.cache_dir / "search" / "whoosh").glob("*.toc"):
        file.write_bytes(b"broken")
    build_site(settings)
    assert api(Client(create_search_app(out / ".search")), q="税")[1]["total"] == 1


def test_a_failed_build_leaves_the_live_index_alone(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = tmp_path / "site"
    build_site(Settings(content_dir=content, output_dir=out, progress=False))
    before = {p.name: p.read_bytes() for p in (out / ".search" / "whoosh").iterdir()}
    (content / "documents" / "2018" / "tax.md").write_text("---\ntitle: [\n---\n", "utf-8")
    with pytest.raises(Exception):  # noqa: B017 - any failure of the build
        build_site(Settings(content_dir=content, output_dir=out, progress=False))
    assert {p.name: p.read_bytes() for p in (out / ".search" / "whoosh").iterdir()} == before


def test_the_static_index_is_small_per_query(site_dir: Path) -> None:
    static = StaticSite(site_dir)
    static.search("个人所得税")
    assert sum(static.loaded.values()) < 300_000
    assert all(name.endswith(".js") for name in static.loaded)


def test_synonyms_are_read_strictly(tmp_path: Path) -> None:
    (tmp_path / "synonyms.yaml").write_text("个税: [个人所得税]\n社保: {a: b}\n", "utf-8")
    table, problems = read_synonyms(tmp_path)
    assert table == {"个税": ("个人所得税",)}
    assert [(p.line, p.key) for p in problems] == [(2, "社保")]


def test_the_analyzer_rule() -> None:
    assert terms("个人所得税") >= {"税", "得税", "个人", "所得"}
    assert terms("GB/T 9704") >= {"gb", "t", "9704"}
    part = parse_query("國發（2018）41號").parts[0]
    assert part.alternatives[0].doc_number == "国发201841"
    assert parse_query("*").empty


def test_the_service_reopens_a_swapped_index(tmp_path: Path) -> None:
    out = tmp_path / "site"
    settings = Settings(content_dir=FIXTURE, output_dir=out, progress=False)
    build_site(settings)
    app = create_search_app(out / ".search")
    client = Client(app)
    assert api(client, q="税")[1]["total"] == 1
    build_site(settings)  # swaps a new site (and index) into place
    os.utime(out / ".search")
    app.index._checked = 0.0  # skip the one-second recheck interval
    assert api(client, q="税")[1]["total"] == 1


def test_the_app_takes_the_site_folder_too(site_dir: Path) -> None:
    client = Client(create_search_app(site_dir))
    assert api(client, q="税")[1]["total"] == 1
    assert client.get("/api/other").status_code == 400


def test_an_incremental_build_writes_the_body_shards_of_a_cold_one(tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    settings = Settings(content_dir=content, output_dir=tmp_path / "site", progress=False)
    build_site(settings)
    permits = content / "documents" / "2009" / "permits.md"
    permits.write_text(permits.read_text("utf-8").replace("饲养鳄鱼", "饲养蜥蜴"), "utf-8")
    site, _ = load_site(settings, Progress(enabled=False))
    counts = write_search_indexes(site, tmp_path / "warm", settings.cache_dir, Progress(enabled=False))
    cold = write_search_indexes(site, tmp_path / "cold", None, Progress(enabled=False))
    # only the shards of the keys of the old and new body: the fixture's four shards all hold one
    # of the changed trigrams, so all are written; the bench's one-record rebuild shows the saving
    assert 0 < counts["body_bytes"] <= cold["body_bytes"]
    shards = sorted(p.name for p in (tmp_path / "cold" / "search" / "data" / "b").iterdir())
    warm = tmp_path / "warm" / "search" / "data" / "b"
    assert sorted(p.name for p in warm.iterdir()) == shards
    for name in shards:
        assert (warm / name).read_bytes() == (tmp_path / "cold" / "search" / "data" / "b" / name).read_bytes(), name
    assert [r["slug"] for r in StaticSite(tmp_path / "warm").search("蜥蜴")] == [PERMITS]
    assert StaticSite(tmp_path / "warm").search("鳄鱼") == []


@pytest.mark.parametrize(
    "text",
    [
        "第五条 除可以当场作出行政许可决定的外，行政机关应当自受理行政许可申请之日起二十日内作出决定。",
        "個人所得稅專項附加扣除（繁體）",
        "兼容汉字豈更車，部首⼈⼤⺟，圈字㈠㊀㊎，全角ＡＢＣ１２３，扩展𠀀𪚥，组合é",
        "",
        "abc 123",
    ],
)
def test_the_body_keys_follow_the_analyzer_rule(text: str) -> None:
    # the body index's fast path (numpy, NFKC only where it matters) = normalise() + every gram a
    # query can ask (analysis.body_grams): characters, bigrams, trigrams, prefixes of words
    expected: set[int | None] = set()
    for run in re.findall(f"[{CJK}]+|[0-9a-z]+", normalise(text)):
        if run.isascii():
            expected |= {term_key(run[:n]) for n in range(1, min(len(run), 32) + 1)}
        else:
            expected |= {term_key(run[i : i + n]) for n in (1, 2, 3) for i in range(len(run) - n + 1)}
    assert {int(k) for k in body_keys(text)} == expected - {None}
