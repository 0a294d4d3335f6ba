"""The order of results, shared by the service and the browser's static search.

`templates/static/search.js` orders its results by the same rule (`rankKey`); the service
(`search.service.searcher`) and the Python mirror of the script
(`search.index.static_query`) import it from here, so that both modes rank alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    """How a record matched: as `search.js` and the service order results."""

    all_meta: bool
    meta: float
    meta_parts: int
    body: float

    def add(self, other: Score) -> Score:
        return Score(self.all_meta and other.all_meta, self.meta + other.meta, self.meta_parts + other.meta_parts, self.body + other.body)


def body_weight(weight: float) -> float:
    """Round as search.js does, so that ties break the same way."""
    return math.floor(weight * 1e6 + 0.5) / 1e6


def rank_key(score: Score, number: int) -> tuple[float, ...]:
    """Records matched in the metadata first (by score); then by parts matched in the
    metadata, body score (sum of idf of the terms found in the body) and record number."""
    if score.all_meta:
        return (0, -score.meta, 0, number)
    return (1, -score.meta_parts, -score.body, number)
