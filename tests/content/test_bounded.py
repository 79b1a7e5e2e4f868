from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from app import ROOT
from folio.content.bounded import _STARVED_LIMIT, NICENESS, Job, RenderPool, RenderRefused
from folio.content.render import Rendered, render

TIMEOUT = 1.0
# Python-Markdown takes ~10 s on this (smarty, 20,000 paragraphs): it must be cut off.
SLOW = "word word.\n\n" * 20000
# Nested list markers: Markdown recurses once per level and raises RecursionError.
DEEP = "- " * 3000 + "x"
DOCUMENT = "## A heading\n\nIt's *one* [link](/a/).\n\n```python\nx = 1\n```\n"


@pytest.fixture
def pool() -> Iterator[RenderPool]:
    with RenderPool(processes=2, timeout=TIMEOUT) as started:
        yield started
    assert multiprocessing.active_children() == []


def test_a_document_renders_as_it_does_in_process(pool: RenderPool) -> None:
    assert pool.render(DOCUMENT) == render(DOCUMENT)


def test_a_slow_document_is_refused_at_the_deadline_and_the_pool_goes_on() -> None:
    with RenderPool(timeout=TIMEOUT) as pool:
        pool.render(DOCUMENT)  # the child is warm: what follows is the render alone
        children = multiprocessing.active_children()
        began = time.monotonic()
        with pytest.raises(RenderRefused, match=rf"^took longer than {TIMEOUT:g} s to render$"):
            pool.render(SLOW)
        # The deadline is the child's CPU time: on a quiet machine about TIMEOUT, on a busy
        # one (it runs at a lower priority) up to _STARVED_LIMIT times that.
        assert time.monotonic() - began < TIMEOUT * _STARVED_LIMIT + 0.5
        assert multiprocessing.active_children() not in ([], children)  # killed and replaced
        assert pool.render(DOCUMENT) == render(DOCUMENT)


def test_an_error_in_render_is_the_reason_and_that_child_is_replaced() -> None:
    with RenderPool(timeout=10.0) as pool:
        children = multiprocessing.active_children()
        with pytest.raises(RenderRefused, match=r"^cannot be rendered: RecursionError: maximum"):
            pool.render(DEEP)
        # Markdown is left in a list after the error: a fresh child renders this one right.
        assert multiprocessing.active_children() not in ([], children)
        assert pool.render(DOCUMENT) == render(DOCUMENT)


def test_a_child_killed_from_outside_does_not_cost_the_document_its_render() -> None:
    with RenderPool(timeout=TIMEOUT) as pool:
        (child,) = multiprocessing.active_children()
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert pool.render(DOCUMENT) == render(DOCUMENT)  # on a fresh renderer


def test_a_document_that_kills_two_renderers_is_refused_with_the_cause() -> None:
    with RenderPool(timeout=5.0, memory_mb=64) as pool:
        with pytest.raises(RenderRefused, match=r"^the renderer process ran out of memory$"):
            pool.render("a" * 40_000_000)  # a child holds it twice: more than 64 MB, twice
        assert pool.render(DOCUMENT) == render(DOCUMENT)


def test_options_reach_render_in_the_child() -> None:
    pool = RenderPool(options={"no_such_option": True})
    with pool, pytest.raises(RenderRefused, match=r"TypeError: .*no_such_option"):
        pool.render(DOCUMENT)


def render_at_once(pool: RenderPool, documents: list[str]) -> list[Rendered | Exception]:
    """Render each document in a thread of its own, all started together."""
    results: list[Rendered | Exception] = [ValueError("not rendered")] * len(documents)

    def work(i: int) -> None:
        try:
            results[i] = pool.render(documents[i])
        except Exception as error:
            results[i] = error

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(documents))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("processes", [2, 1])
def test_threads_render_at_once_and_wait_for_a_child_outside_the_deadline(processes: int) -> None:
    # Each render takes ~0.1 s: one child takes ~1 s for all ten, past any one deadline.
    documents = [f"Document {i}.\n\n" + "word word.\n\n" * 400 for i in range(10)]
    with RenderPool(processes=processes, timeout=0.6) as pool:
        results = render_at_once(pool, documents)
    firsts = [getattr(result, "first_paragraph", result) for result in results]
    assert firsts == [f"Document {i}." for i in range(10)]


def test_stop_during_a_render_ends_it_and_leaves_no_child() -> None:
    pool = RenderPool(timeout=30.0)
    pool.start()
    errors: list[Exception] = []

    def work() -> None:
        try:
            pool.render(SLOW)
        except Exception as error:
            errors.append(error)

    thread = threading.Thread(target=work)
    thread.start()
    time.sleep(0.3)
    began = time.monotonic()
    pool.stop()
    thread.join()
    assert time.monotonic() - began < 2.0
    assert [type(error) for error in errors] == [RuntimeError]
    assert multiprocessing.active_children() == []
    pool.stop()  # again: nothing to do


def test_render_before_start_or_after_stop_is_a_programming_error() -> None:
    pool = RenderPool()
    with pytest.raises(RuntimeError, match="start"):
        pool.render(DOCUMENT)
    pool.start()
    pool.start()  # again: nothing to do
    assert len(multiprocessing.active_children()) == 1
    pool.stop()
    with pytest.raises(RuntimeError):
        pool.render(DOCUMENT)
    assert multiprocessing.active_children() == []


def test_render_processes_run_below_the_web_workers_priority() -> None:
    with RenderPool() as pool:
        niceness = pool.run(Job(os.nice, (0,)), int)
    assert niceness >= os.nice(0) + NICENESS or niceness == 19


def test_a_render_slowed_by_a_busy_machine_is_not_refused() -> None:
    with RenderPool(timeout=0.5) as pool:
        pool.render("warm")
        pid = pool._idle[0].process.pid
        assert pid is not None
        started = time.monotonic()
        os.kill(pid, signal.SIGSTOP)  # as if other work had every core
        threading.Timer(0.8, os.kill, (pid, signal.SIGCONT)).start()
        assert pool.render("Paused, then quick.").first_paragraph == "Paused, then quick."
        assert time.monotonic() - started >= 0.8  # past the deadline, but not its own doing


def test_the_fork_server_is_lowered_before_it_imports_the_renderer() -> None:
    # In a process of its own: importing the module lowers whoever imports it.
    code = (
        "import os, sys; before = os.nice(0); import folio.content.lowpriority as low; "
        "from folio.content import bounded; "
        "assert low.NICENESS == bounded.NICENESS; "
        "assert bounded.LOWER_PRIORITY == low.__name__; "
        "assert os.nice(0) == min(19, before + low.NICENESS), os.nice(0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    assert "folio.content.lowpriority" not in sys.modules  # no one here imported it
