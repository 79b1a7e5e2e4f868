"""Measure content loading, index builds, updates and search latency at 1k and 10k posts.

Usage: python bench/run.py [--sizes 1000 10000] [--procs 2]
Writes bench/results/<size>.json and prints a Markdown table for bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import DEFAULTS  # noqa: E402
from bench import loopback  # noqa: E402
from bench.make_corpus import build_corpus  # noqa: E402
from folio.content.library import Library  # noqa: E402
from folio.site import Site  # noqa: E402

WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
QUERIES = [
    "network",
    "protocol",
    "language",
    "memory",
    "unix",
    "history",
    "compiler",
    "database",
    "operating system",
    "programming language",
    "error correction",
    "file system",
    "internet protocol",
    "machine code",
    "the first computer",
    "how does a compiler work",
    "what is a network protocol",
    "old english word",
    '"operating system"',
    '"programming language" -java',
    "algorithm complexity",
    "horse",
    "water",
    "music instrument",
    "ancient greek",
    "law court",
    "plant",
    "colour",
    "speed of light",
    "data structure tree",
    "recursion",
    "byte order",
    "virtual memory paging",
    "graphical user interface",
    "electronic mail",
    "artificial intelligence",
    "cryptography key",
    "parallel processing",
    "ship",
    "king",
    # Long natural questions (issue 9): every content word is kept, so they cost most.
    "what is the difference between a compiler and an interpreter for a programming language",
    "how does virtual memory let a process use more memory than the machine physically has",
    "why do network protocols need error detection and retransmission of lost packets",
    "what are the advantages of a relational database over a flat file for storing records",
    "how did early computers store programs and data before magnetic disks were invented",
    "what is the role of the operating system kernel in scheduling processes and threads",
    "which sorting algorithm has the best average time complexity for large arrays of numbers",
    "how does public key cryptography allow two people to exchange a secret over the internet",
    "what does a linker do with object files and libraries when it builds an executable program",
    "why is recursion sometimes slower than iteration and how can tail calls avoid the stack",
    "what was the meaning of the old english word for a king or a lord of a castle",
    "how do horses and ships appear in the history of trade between ancient greek cities",
    "what is the speed of light in a vacuum and why can nothing travel faster than it",
    "how does a graphical user interface handle events from the mouse and the keyboard",
    "what is the difference between little endian and big endian byte order in memory",
    "how do file systems keep track of free blocks and directories on a hard disk drive",
    "what are the main ideas of artificial intelligence research in the nineteen sixties",
    "how does electronic mail get delivered from one host to another across the network",
    "why do parallel processing systems need locks and what happens in a deadlock between them",
    "which plants were used as a source of colour for dyeing cloth in the middle ages",
]
PORT = 8765
#: Seconds between the first search and the timed ones: each worker's first look at
#: the content folder (files changed while no worker ran) happens a second after start.
SETTLE_S = 3.0


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def timed(task: object) -> tuple[object, float]:
    """Run a callable; return its result and the seconds it took."""
    started = time.perf_counter()
    result = task()  # type: ignore[operator]
    return result, time.perf_counter() - started


def in_process(size: int, content: Path, index: Path, cache: Path, procs: int) -> dict[str, float]:
    """Publish, render, build, search and update in this process, as the publisher does."""
    out: dict[str, float] = {}
    # The app's own defaults, so the bench runs what the site runs.
    config = DEFAULTS | {
        "CONTENT_DIR": content,
        "CACHE_DIR": cache,
        "SEARCH_INDEX_DIR": index,
        "COMMENTS_DIR": cache / "comments",
        "SECRET_KEY": "bench",
        "RENDER_TIMEOUT": 30.0,
        "RENDER_PROCESSES": 2,
        "CONTENT_WATCH": False,
    }
    site = Site(config)
    assert site.role.take()
    publishing = site.publishing
    publishing.cache.prepare()
    publishing.pool.start()
    _, out["load_cold_s"] = timed(publishing.publisher.publish)  # front matter of every file
    _, out["render_s"] = timed(publishing.publisher.render_pending)
    warm = Library(site.cache)
    _, out["load_warm_s"] = timed(warm.refresh)  # a worker taking in what was published
    site.library.refresh()
    stats = publishing.indexer.rebuild()
    assert stats is not None
    out.update(
        build_s=stats.seconds,
        build_docs_per_s=stats.documents / stats.seconds,
        index_mb=stats.size / 1_048_576,
        documents=stats.documents,
    )
    search = site.search
    _, out["open_searcher_s"] = timed(search.refresh)
    _, out["first_sync_s"] = timed(publishing.indexer.sync)
    catalogue = site.library.catalogue()
    for label, rounds in (("cold", 1), ("repeat", 4)):  # first asks, then remembered ones
        latencies = []
        for _ in range(rounds):
            for query in QUERIES:
                _, seconds = timed(lambda q=query: search.search(catalogue, q))
                latencies.append(seconds * 1000)
        out[f"query_{label}_p50_ms"] = percentile(latencies, 0.5)
        out[f"query_{label}_p95_ms"] = percentile(latencies, 0.95)
    post = next(iter(sorted((content / "posts").glob("*.md"))))
    post.write_text(post.read_text() + "\nZyzzogeton benchmarkword.\n")
    started = time.perf_counter()
    publishing.run_once()
    site.refresh()
    found = search.search(site.library.catalogue(), "zyzzogeton").total
    out["update_one_s"] = time.perf_counter() - started
    assert found == 1, "the edited post was not found"
    out["rss_mb"] = rss_mb()
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    site.stop()
    return out


def get(path: str) -> tuple[int, bytes]:
    return loopback.get(PORT, path)


def start(command: list[str], env: dict[str, str]) -> tuple[subprocess.Popen[bytes], float]:
    """Start gunicorn; the process and the seconds until `/search` answered 200."""
    started = time.perf_counter()
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    while True:
        try:
            if get("/search?q=network")[0] == 200:
                return server, time.perf_counter() - started
        except OSError:
            pass
        if time.perf_counter() - started > 300:
            server.terminate()
            raise RuntimeError("gunicorn never answered a search")
        time.sleep(0.01)


def over_http(content: Path, index: Path, cache: Path) -> dict[str, float]:
    """Start gunicorn on the built index and snapshot; time the first search and the rest."""
    env = {
        **os.environ,
        "FLASK_CONTENT_DIR": str(content),
        "FLASK_SEARCH_INDEX_DIR": str(index),
        "FLASK_CACHE_DIR": str(cache),
        "FLASK_SECRET_KEY": "bench",
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{PORT}",
        "--log-level",
        "warning",
        "app:create_app()",
    ]
    out: dict[str, float] = {}
    # The first start after a build compiles the templates into CACHE_DIR; a restart
    # (a deploy of content, a recycled worker) finds them compiled.
    server, out["first_search_fresh_s"] = start(command, env)
    server.terminate()
    server.wait(30)
    server, out["first_search_s"] = start(command, env)
    try:
        for n in range(8):  # every worker opens its searcher before anything is timed
            get(f"/search?q=warming+up+{n}")
        time.sleep(SETTLE_S)  # and has had its first look at the content folder
        for label, rounds in (("cold", 1), ("repeat", 4)):
            latencies = []
            for _ in range(rounds):
                for query in QUERIES:
                    path = "/search?q=" + quote_plus(query)
                    _, seconds = timed(lambda p=path: get(p))
                    latencies.append(seconds * 1000)
            out[f"http_{label}_p50_ms"] = percentile(latencies, 0.5)
            out[f"http_{label}_p95_ms"] = percentile(latencies, 0.95)
        typed = []  # search as you type: the JSON for each query with its last word cut short
        for query in QUERIES:
            path = "/search.json?typing=1&q=" + quote_plus(query[: max(3, len(query) - 2)])
            _, seconds = timed(lambda p=path: get(p))
            typed.append(seconds * 1000)
        out["http_typing_p50_ms"] = percentile(typed, 0.5)
        out["http_typing_p95_ms"] = percentile(typed, 0.95)
        post = sorted((content / "posts").glob("*.md"))[1]
        post.write_text(post.read_text() + "\nQuuxbenchmarkword appears.\n")
        changed = time.perf_counter()
        while json.loads(get("/search.json?q=quuxbenchmarkword")[1])["total"] < 1:
            if time.perf_counter() - changed > 60:
                raise RuntimeError("change never became searchable")
            time.sleep(0.05)
        out["http_change_searchable_s"] = time.perf_counter() - changed
    finally:
        server.terminate()
        server.wait(30)
    return out


def main() -> None:
    """Run every size and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        base = WORK / str(size)
        shutil.rmtree(base, ignore_errors=True)
        content, index, cache = base / "content", base / "index", base / "cache"
        words = build_corpus(size, content)
        result: dict[str, float] = {"posts": size, "words": words}
        result.update(in_process(size, content, index, cache, args.procs))
        result.update(over_http(content, index, cache))
        (RESULTS / f"{size}.json").write_text(json.dumps(result, indent=2))
        rows.append(result)
        print(json.dumps(result), flush=True)
    print(
        f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, whoosh3 {version('whoosh3')}, "
        f"Markdown {version('Markdown')}"
    )
    keys = [k for k in rows[0] if k not in {"posts"}]
    print("| measure | " + " | ".join(f"{int(r['posts']):,} posts" for r in rows) + " |")
    print("| --- |" + " --- |" * len(rows))
    for key in keys:
        print(f"| {key} | " + " | ".join(f"{r[key]:,.3g}" for r in rows) + " |")


if __name__ == "__main__":
    main()
