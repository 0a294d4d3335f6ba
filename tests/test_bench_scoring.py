"""The search bench's scoring (bench/search_bench.py): recall@10, MRR, did_you_mean and precision@1."""

from __future__ import annotations

from bench.search_bench import BenchQuery, by_class, precision_at_1, reciprocal_rank, score


def test_reciprocal_rank_counts_the_first_relevant_result_of_the_top_ten() -> None:
    wanted = frozenset({"b", "c"})
    assert reciprocal_rank(["a", "b", "c"], wanted) == 0.5
    assert reciprocal_rank(["x"] * 10 + ["b"], wanted) == 0.0  # 11th: not found
    assert reciprocal_rank([], wanted) == 0.0


def test_a_wrong_character_query_scores_by_its_correction_then_by_its_results() -> None:
    wanted = frozenset({"xzxkf"})
    assert reciprocal_rank([], wanted, "行政许可", "行政许可") == 1.0
    assert reciprocal_rank([], wanted, "行政许可", "行政处罚") == 0.0
    assert reciprocal_rank(["a", "xzxkf"], wanted, "行政许可", None) == 0.5  # no correction (Pagefind)


def test_score_and_classes() -> None:
    assert score([1.0, 0.5, 0.0, 0.0]) == {"recall_at_10": 0.5, "mrr": 0.375}
    assert score([]) == {"recall_at_10": 0.0, "mrr": 0.0}
    queries = [
        BenchQuery("正文精确短语", "正文精确短语", "应当对本条第", frozenset({"a"})),
        BenchQuery("正文精确短语", "正文精确短语", "作的社会组织", frozenset({"b"})),
        BenchQuery("拼音", "拼音", "shenpi", frozenset({"c"})),
    ]
    ranks = [1.0, 0.5, 1.0]
    assert precision_at_1(queries, ranks) == 0.5  # the pinyin query is not an exact phrase
    assert by_class(queries, {"service": ranks}) == {
        "正文精确短语": {"count": 2, "service": {"recall_at_10": 1.0, "mrr": 0.75}},
        "拼音": {"count": 1, "service": {"recall_at_10": 1.0, "mrr": 1.0}},
    }
