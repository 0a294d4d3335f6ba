"""Forked workers (disclosure/core/workers.py) share the parent's memory rather than copying it."""

from __future__ import annotations

import gc

from disclosure.core.workers import Beside, worker_pool


def test_a_forked_worker_inherits_the_parent_s_objects_frozen() -> None:
    """Its garbage collector never traverses them (which would write to, so copy, their pages);
    the parent's own collector is back to normal after the fork."""
    model = [{"record": n} for n in range(10_000)]  # what a worker inherits: the site model
    with worker_pool(1) as pool:
        frozen = pool.submit(gc.get_freeze_count).result()
    assert frozen >= len(model)
    assert Beside(gc.get_freeze_count).result() >= len(model)
    assert gc.get_freeze_count() == 0


def test_a_worker_that_forks_in_turn_keeps_what_it_inherited_frozen() -> None:
    with worker_pool(1) as pool:
        before, after = pool.submit(_fork_and_count).result()
    assert after >= before > 0


def _fork_and_count() -> tuple[int, int]:
    """In a worker: the objects frozen before and after it forks a process of its own."""
    before = gc.get_freeze_count()
    Beside(int).result()
    return before, gc.get_freeze_count()
