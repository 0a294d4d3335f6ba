"""Search quality and speed on the shared corpus (issue 4): recall@10 and MRR of the service
and of the static index (also of the queries only a body text answers), /api/search latency on one worker, a short loopback load test,
and the bytes a static query downloads.

    python bench/search_bench.py --site DIR [--content DIR]      (a site built from the corpus)
    python bench/search_bench.py --corpus ../shared/corpus          (imports and builds it first)

`run_search_bench(site_dir, content_dir)` returns the figures as a dict (bench/run.py).
Expected records are named by title (several versions of one law share a title; any of
them counts); 索引号 queries use the index number the build gave the titled record.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.test import Client  # noqa: E402

from search.index.static_query import StaticSite  # noqa: E402
from search.service.app import create_search_app  # noqa: E402

TAX = "国务院关于印发个人所得税专项附加扣除暂行办法的通知"
WASTE = "国务院办公厅关于印发“无废城市”建设试点工作方案的通知"
HOLIDAYS = "国务院办公厅关于2019年部分节假日安排的通知"
WEBSITES = "国务院办公厅关于印发《政府网站集约化试点工作方案》的通知"
ENFORCEMENT = "国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见"
MEDIA = "国务院办公厅关于推进政务新媒体健康有序发展的意见"
POVERTY = "国务院办公厅关于深入开展消费扶贫助力打赢脱贫攻坚战的指导意见"
RANDOM = "国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见"

# (what the query tests, query, expected title); a query "@index" is the record's 索引号
QUERIES: list[tuple[str, str, str]] = [
    ("单字", "狱", "中华人民共和国监狱法"),
    ("单字", "恤", "军人抚恤优待条例"),
    ("单字", "歌", "中华人民共和国国歌法"),
    ("单字", "榭", "宁波大榭开发区条例"),
    ("单字", "崂", "青岛市崂山风景区条例"),
    ("单字", "赃", "河南省赃物罚没物管理条例"),
    ("词的一部分", "得税专项", TAX),
    ("词的一部分", "约化试点", WEBSITES),
    ("词的一部分", "废城", WASTE),
    ("词的一部分", "召回管理", "缺陷汽车产品召回管理条例"),
    ("词的一部分", "乞讨人员", "城市生活无着的流浪乞讨人员救助管理办法"),
    ("词的一部分", "算法推", "互联网信息服务算法推荐管理规定"),
    ("短语", '"个人所得税专项附加扣除"', TAX),
    ("短语", '"政务新媒体"', MEDIA),
    ("短语", '"水利枢纽安全保卫"', "长江三峡水利枢纽安全保卫条例"),
    ("短语", '"世界博览会标志"', "世界博览会标志保护条例"),
    ("短语", '"计算机软件保护"', "计算机软件保护条例"),
    ("标题", "中华人民共和国监狱法", "中华人民共和国监狱法"),
    ("标题", "国家职业教育改革实施方案", "国务院关于印发国家职业教育改革实施方案的通知"),
    ("文号〔〕", "国发〔2018〕41号", TAX),
    ("文号()", "国办发(2018)128号", WASTE),
    ("文号[]", "国办发[2018]118号", ENFORCEMENT),
    ("文号【】", "国办函【2018】71号", WEBSITES),
    ("文号（）", "国办发明电（2018）15号", HOLIDAYS),
    ("文号全角数字", "国发〔２０１９〕５号", RANDOM),
    ("文号无括号", "国办发2018 123号", MEDIA),
    ("文号", "法释〔2021〕11号", "最高人民法院关于知识产权侵权诉讼中被告以原告滥用权利为由请求赔偿合理开支问题的批复"),
    ("索引号", "@index", TAX),
    ("索引号", "@index", "中华人民共和国国歌法"),
    ("索引号", "@index", WASTE),
    ("机构+主题", "国务院办公厅 节假日", HOLIDAYS),
    ("机构+主题", "国务院 个人所得税", TAX),
    ("机构+主题", "最高人民法院 名誉权", "最高人民法院关于审理名誉权案件若干问题的解答"),
    ("机构+主题", "国务院办公厅 消费扶贫", POVERTY),
    ("同义词", "个税 专项附加扣除", TAX),
    ("同义词", "执法公示 指导意见", ENFORCEMENT),
    ("同义词", "无废城市", WASTE),
    ("同义词", "国办 政务新媒体", MEDIA),
    ("繁体字", "個人所得稅專項附加扣除", TAX),
    ("繁体字", "監獄法", "中华人民共和国监狱法"),
    ("繁体字", "國歌法", "中华人民共和国国歌法"),
    ("繁体字", "計算機軟件保護條例", "计算机软件保护条例"),
    ("主题词", "双随机 一公开", RANDOM),
    ("主题词", "集约化", WEBSITES),
    # only in the body text (not in any title, 文号, keyword or summary)
    ("正文单字", "肪", "人体损伤程度鉴定标准"),
    ("正文单字", "驴", "菏泽市城镇容貌和环境卫生管理条例"),
    ("正文单字", "垩", "中华人民共和国矿产资源法实施细则"),
    ("正文词的一部分", "净菜上山", "泰山风景名胜区生态保护条例"),
    ("正文词的一部分", "区域去污", "核电厂核事故应急管理条例"),
    ("正文词的一部分", "纠纷综合协调", "广东省平安建设条例"),
    ("正文短语", '"涉嫌消防安全犯罪"', "广东省实施《中华人民共和国消防法》办法"),
    ("正文短语", '"完成论证和试验任务"', "民用运力国防动员条例"),
    ("正文短语", '"当场作出行政许可决定"', "中华人民共和国行政许可法"),
    ("正文短语", '"第四十二条 除可以当场作出行政许可决定的外"', "中华人民共和国行政许可法"),
]
LOAD_SECONDS = 5.0
LOAD_MAX_REQUESTS = 3000
LOAD_CONNECTIONS = 4


def _records(site_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """Return title → [(slug, 索引号)] from the static index (what the build published)."""
    static = StaticSite(site_dir)
    out: dict[str, list[tuple[str, str]]] = {}
    for number in range(static.meta["count"]):
        row = static.row(number)
        out.setdefault(row["title"], []).append((row["slug"], ""))
    return out


def query_set(site_dir: Path) -> list[tuple[str, str, set[str]]]:
    """Return (category, query, relevant slugs) with 索引号 queries filled in."""
    titles = _records(site_dir)
    out = []
    for category, q, title in QUERIES:
        slugs = {slug for slug, _ in titles.get(title, [])}
        if not slugs:
            raise SystemExit(f"the corpus has no record titled {title}")
        if q == "@index":
            slug = sorted(slugs)[0]
            head, year, serial = slug.rsplit("-", 2)
            q = f"{head}/{year}-{serial}"
            slugs = {slug}
        out.append((category, q, slugs))
    return out


def score(ranked: list[list[str]], relevant: list[set[str]]) -> dict[str, float]:
    hits, reciprocal = 0, 0.0
    for found, wanted in zip(ranked, relevant, strict=True):
        for rank, slug in enumerate(found[:10], start=1):
            if slug in wanted:
                hits += 1
                reciprocal += 1 / rank
                break
    return {"recall_at_10": round(hits / len(ranked), 3), "mrr": round(reciprocal / len(ranked), 3)}


def _slug(url: str) -> str:
    return url.strip("/").split("/")[-1]


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingServer(WSGIServer):
    daemon_threads = True

    def process_request(self, request: Any, client_address: Any) -> None:
        threading.Thread(target=self._handle, args=(request, client_address), daemon=True).start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        finally:
            self.shutdown_request(request)


def load_test(app: Any, queries: list[str]) -> dict[str, Any]:
    """Run a bounded loopback load test against `app` in one process; return the figures."""
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    statuses: dict[int, int] = {}
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + LOAD_SECONDS
    budget = [LOAD_MAX_REQUESTS]

    def worker(offset: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n = offset
        while time.perf_counter() < stop:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            q = queries[n % len(queries)]
            n += 1
            started = time.perf_counter()
            try:
                conn.request("GET", "/api/search?q=" + quote(q))
                response = conn.getresponse()
                response.read()
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    latencies.append(time.perf_counter() - started)
            except OSError:
                with lock:
                    errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i * 7,)) for i in range(LOAD_CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    server.shutdown()
    server.server_close()
    total = sum(statuses.values())
    return {
        "connections": LOAD_CONNECTIONS,
        "seconds": round(elapsed, 2),
        "requests": total,
        "throughput_per_s": round(total / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": errors + sum(v for k, v in statuses.items() if k >= 500),
        "p50_ms": round(_percentile(latencies, 50) * 1000, 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 95) * 1000, 1) if latencies else None,
    }


def run_search_bench(site_dir: Path, content_dir: Path | None = None) -> dict[str, Any]:
    """Return quality and speed figures of both search modes over a built site."""
    site_dir = Path(site_dir)
    queries = query_set(site_dir)
    app = create_search_app(site_dir)
    client = Client(app)

    service_ranked, service_totals, latencies, misses = [], [], [], []
    client.get("/api/search?q=" + quote("国务院"))  # open the index, warm up
    for _, q, _ in queries:
        response = client.get("/api/search", query_string={"q": q})
        body = json.loads(response.get_data(as_text=True))
        service_ranked.append([_slug(r["url"]) for r in body.get("results", [])])
        service_totals.append(body.get("total"))
    for _round in range(5):
        for _, q, _ in queries:
            started = time.perf_counter()
            client.get("/api/search", query_string={"q": q})
            latencies.append(time.perf_counter() - started)

    static_ranked, static_bytes, static_totals = [], [], []
    for _, q, _ in queries:
        static = StaticSite(site_dir)
        found = static.search_ids(q)
        # what the browser loads: the index files, then the display rows of the first page
        static_ranked.append([static.row(i)["slug"] for i in found[:10]])
        static_totals.append(len(found))
        static_bytes.append(sum(static.loaded.values()))
    body_only = [i for i, (category, _, _) in enumerate(queries) if category.startswith("正文")]

    relevant = [wanted for _, _, wanted in queries]
    for (category, q, wanted), ranked in zip(queries, service_ranked, strict=True):
        if not set(ranked[:10]) & wanted:
            misses.append(f"{category} {q}")
    return {
        "queries": len(queries),
        "service": score(service_ranked, relevant),
        "static": score(static_ranked, relevant),
        "body_only_queries": {
            "count": len(body_only),
            "service": score([service_ranked[i] for i in body_only], [relevant[i] for i in body_only]),
            "static": score([static_ranked[i] for i in body_only], [relevant[i] for i in body_only]),
        },
        "same_total_both_modes": sum(a == b for a, b in zip(service_totals, static_totals, strict=True)),
        "service_misses": misses,
        "static_misses": [
            f"{c} {q}" for (c, q, w), r in zip(queries, static_ranked, strict=True) if not set(r[:10]) & w
        ],
        "api_latency_ms": {
            "p50": round(_percentile(latencies, 50) * 1000, 2),
            "p95": round(_percentile(latencies, 95) * 1000, 2),
            "max": round(max(latencies) * 1000, 2),
            "samples": len(latencies),
        },
        "static_kb_per_query": {
            "median": round(statistics.median(static_bytes) / 1024, 1),
            "p90": round(_percentile(static_bytes, 90) / 1024, 1),
            "max": round(max(static_bytes) / 1024, 1),
            "largest": queries[max(range(len(queries)), key=lambda i: static_bytes[i])][1],
        },
        "load_test": load_test(app, [q for _, q, _ in queries] + ["*", '"unbalanced', "x" * 300]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--site", type=Path, help="a site already built from the corpus")
    parser.add_argument("--content", type=Path, help="its content folder")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    args = parser.parse_args(argv)
    site = args.site
    if site is None:
        from bench.import_corpus import main as import_corpus
        from disclosure.pipeline import Settings, build_site

        work = Path(tempfile.mkdtemp(prefix="search-bench-"))
        content = work / "content"
        import_corpus(["--corpus", str(args.corpus), "--out", str(content)])
        # the corpus has no synonyms.yaml: use the sample site's, which staff would maintain
        shutil.copyfile(ROOT / "content" / "synonyms.yaml", content / "synonyms.yaml")
        site = work / "site"
        started = time.perf_counter()
        build_site(Settings(content_dir=content, output_dir=site, progress=False))
        print(f"cold build: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        args.content = content
    print(json.dumps(run_search_bench(site, args.content), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
