"""Where a first-time search spends its time, at 10k posts: in this process, phase by
phase, and through gunicorn.

Works on a copy of the corpus `bench/run.py` prepared (content, cache and index in
bench/work/10000): the copy is made once into bench/work/search-10000 and its index is
rebuilt there when the schema changed, so bench/run.py's own folder is never written.

Usage:
    python bench/search_profile.py                 # in-process, 5 cold rounds
    python bench/search_profile.py --http 3        # and 3 gunicorn starts' cold rounds
    python bench/search_profile.py --pyinstrument  # a profile of one cold round
    # at 100k, on bench/scale.py's settled state (index built), linked to its corpus:
    ln -s ../content bench/work/100000/scale/content
    python bench/search_profile.py --source bench/work/100000 --work bench/work/100000/scale
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import DEFAULTS  # noqa: E402
from bench import loopback  # noqa: E402
from bench.run import QUERIES, percentile  # noqa: E402
from folio.content.cache import ContentCache  # noqa: E402
from folio.content.library import Library  # noqa: E402
from folio.search import engine, passages, ranking, results  # noqa: E402
from folio.search.folder import IndexFolder  # noqa: E402
from folio.search.service import SiteSearch  # noqa: E402
from folio.search.updates import tidy  # noqa: E402

WORK = ROOT / "bench" / "work"
PORT = 8797  # not bench/run.py's: another engineer's run may hold that one


def prepare(source: Path, target: Path) -> None:
    """Copy the corpus once; build the index there if it is missing or outdated.

    The build is `flask index rebuild` on the copy, which first publishes it: the copied
    cache still holds the versions (inodes, times) of bench/run.py's files, and an index
    built from those would be rebuilt by the first gunicorn started on the copy, in the
    middle of the timed queries.
    """
    for part in ("content", "cache"):
        if not (target / part).exists():
            shutil.copytree(source / part, target / part, ignore=shutil.ignore_patterns("*.lock"))
    folder = IndexFolder(target / "index")
    name = folder.current_name()
    if name is not None and not folder.outdated(name) and folder.complete(name):
        # The segments an earlier run's edits left are merged, as a running site merges
        # them 5 s after the last edit: a run stopped sooner (bench/freshness.py) left
        # them behind, and 35 of them made an article's related posts take 0.3-0.8 s.
        ix = folder.open(name)
        try:
            merged = tidy(ix)[0]
        finally:
            ix.close()
        if merged:
            print(f"merged {merged} segments that earlier edits left", flush=True)
        return
    print(f"publishing {target / 'content'} and building its index", flush=True)
    command = [sys.executable, "-m", "flask", "--app", "app", "index", "rebuild"]
    subprocess.run(command, cwd=ROOT, env=site_env(target), check=True)


def content_of(base: Path) -> Path:
    """A copy's content folder, as the cache knows it: `content` may be a link to the
    tier's own (bench/work/100000/scale has `content -> ../content`, as bench/scale.py
    keeps its state beside the corpus), and a site reached through a link is another
    site to the cache (it publishes everything again)."""
    return (base / "content").resolve()


def site_env(base: Path) -> dict[str, str]:
    """The environment that points the app at a copy's content, cache and index."""
    return {
        **os.environ,
        "FLASK_CONTENT_DIR": str(content_of(base)),
        "FLASK_SEARCH_INDEX_DIR": str(base / "index"),
        "FLASK_CACHE_DIR": str(base / "cache"),
        "FLASK_COMMENTS_DIR": str(base / "replies"),
        "FLASK_SECRET_KEY": "bench",
    }


def library_of(base: Path) -> Library:
    rendering = f"trust_html={bool(DEFAULTS['CONTENT_TRUST_HTML'])}"
    library = Library(ContentCache(base / "cache" / "content.sqlite", content_of(base), rendering))
    library.refresh()
    return library


class Phases:
    """CPU seconds spent in named functions, wrapped for the run (outermost call only):
    CPU time, not wall time, so another process sharing the cores moves them less."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._depth: dict[str, int] = defaultdict(int)

    @contextmanager
    def wrapped(self, targets: dict[str, tuple[Any, str]]) -> Iterator[None]:
        originals = {label: getattr(owner, name) for label, (owner, name) in targets.items()}
        for label, (owner, name) in targets.items():
            setattr(owner, name, self._timer(label, originals[label]))
        try:
            yield
        finally:
            for label, (owner, name) in targets.items():
                setattr(owner, name, originals[label])

    def _timer(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._depth[label] += 1
            started = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                self._depth[label] -= 1
                if not self._depth[label]:
                    self.seconds[label] += time.thread_time() - started

        return timed


PHASES: dict[str, tuple[Any, str]] = {
    "plan": (results, "plan"),
    "rank": (ranking.Ranker, "_rank"),
    "facets": (ranking.Ranker, "tag_counts"),
    "order": (ranking.Ranker, "order"),
    "stored": (ranking.Ranker, "stored"),
    "hit (passages+marks)": (results, "_hit"),
    "passages.find": (passages.PassageFinder, "find"),
    "marks": (passages.Marker, "mark"),
    "suggest": (results, "_suggest"),
    "term infos (in rank and marks)": (engine, "_term"),
}


def cold_rounds(base: Path, rounds: int, queries: list[str]) -> None:
    """Every query as if asked for the first time (answers and rankings forgotten)."""
    library = library_of(base)
    catalogue = library.catalogue()
    search = SiteSearch(IndexFolder(base / "index"))
    started = time.perf_counter()
    search.refresh()
    print(f"searcher opened in {(time.perf_counter() - started) * 1000:.0f} ms")
    search.search(catalogue, "warming up")  # norms and lengths are read once per searcher
    ranker = search._ranker
    assert ranker is not None
    latencies: list[float] = []
    cpu: list[float] = []
    per_query: dict[str, list[float]] = defaultdict(list)
    phases = Phases()
    with phases.wrapped(PHASES):
        for _ in range(rounds):
            for query in queries:
                search._answers.clear()
                ranker._ranked.clear()
                began, began_cpu = time.perf_counter(), time.thread_time()
                search.search(catalogue, query)
                ms = (time.perf_counter() - began) * 1000
                cpu.append((time.thread_time() - began_cpu) * 1000)
                latencies.append(ms)
                per_query[query].append(ms)
    total = sum(cpu)
    print(
        f"in-process cold, {rounds} rounds of {len(queries)} queries: "
        f"p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
        f"mean {sum(latencies) / len(latencies):.1f} ms; CPU p50 {percentile(cpu, 0.5):.1f} ms, "
        f"p95 {percentile(cpu, 0.95):.1f} ms, mean {total / len(cpu):.1f} ms"
    )
    print("| phase | CPU ms per query | share |\n| --- | --- | --- |")
    for label, seconds in phases.seconds.items():
        ms = seconds * 1000
        print(f"| {label} | {ms / len(cpu):.2f} | {ms / total:.0%} |")
    slowest = sorted(per_query.items(), key=lambda item: -min(item[1]))[:8]
    print("slowest (best of the rounds):")
    for query, times in slowest:
        print(f"  {min(times):6.1f} ms  {query}")
    search.close()


def profile_round(base: Path, queries: list[str]) -> None:
    from pyinstrument import Profiler  # installed for profiling only

    library = library_of(base)
    catalogue = library.catalogue()
    search = SiteSearch(IndexFolder(base / "index"))
    search.refresh()
    search.search(catalogue, "warming up")
    ranker = search._ranker
    assert ranker is not None
    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(3):
            for query in queries:
                search._answers.clear()
                ranker._ranked.clear()
                search.search(catalogue, query)
    print(profiler.output_text(unicode=True, color=False, show_all=False))
    search.close()


def get(path: str) -> tuple[int, bytes]:
    return loopback.get(PORT, path)


def settle(base: Path, limit: float = 600.0) -> None:
    """Wait until the publisher has nothing left to do: the content cache records the
    code that wrote it, so after any change to the content code a start publishes and
    renders every file again (minutes at 10k), and timings taken meanwhile are its."""
    cache = library_of(base).cache
    began = time.perf_counter()
    last, steady = -1, 0
    while time.perf_counter() - began < limit:
        generation = cache.generation()
        pending = len(cache.unrendered()) if cache.published() else -1
        steady = steady + 1 if generation == last and pending == 0 else 0
        if steady >= 3:
            break
        last = generation
        time.sleep(1.0)
    waited = time.perf_counter() - began
    if waited > 4:
        print(f"waited {waited:.0f} s for the publisher to finish", flush=True)


def over_http(base: Path, starts: int, queries: list[str]) -> None:
    """gunicorn -w 2 started afresh for each round, so every query is a first ask."""
    env = site_env(base)
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{PORT}"]
    command += ["--log-level", "warning", "app:create_app()"]
    cold: list[float] = []
    for _ in range(starts):
        server = subprocess.Popen(command, cwd=ROOT, env=env)
        try:
            began = time.perf_counter()
            while True:
                try:
                    if get("/search?q=warming+up")[0] == 200:
                        break
                except OSError:
                    pass
                if time.perf_counter() - began > 120:
                    raise RuntimeError("gunicorn never answered")
                time.sleep(0.02)
            settle(base)
            for n in range(8):
                get(f"/search?q=warming+up+{n}")
            time.sleep(3.0)  # each worker's first look at the content folder
            for query in queries:
                path = "/search?q=" + quote_plus(query)
                began = time.perf_counter()
                status, _ = get(path)
                cold.append((time.perf_counter() - began) * 1000)
                assert status == 200, (status, query)
        finally:
            server.terminate()
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
    if not cold:
        return
    print(
        f"HTTP cold, {starts} starts x {len(queries)} queries: "
        f"p50 {percentile(cold, 0.5):.1f} ms, p95 {percentile(cold, 0.95):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=WORK / "10000")
    parser.add_argument("--work", type=Path, default=WORK / "search-10000")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--http", type=int, default=0, help="gunicorn starts (0: none)")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument(
        "--settle-only",
        action="store_true",
        help="start gunicorn until the publisher has taken in the content with this code",
    )
    args = parser.parse_args()
    if args.settle_only:
        over_http(args.work, 1, [])
        return
    prepare(args.source, args.work)
    if args.pyinstrument:
        profile_round(args.work, QUERIES)
        return
    cold_rounds(args.work, args.rounds, QUERIES)
    if args.http:
        over_http(args.work, args.http, QUERIES)


if __name__ == "__main__":
    main()
