"""Issue 13 at 1k, 10k and 100k posts: start, freshness, worker memory, pages against the limit.

Usage: python bench/scale.py [--sizes 1000 10000 100000] [--seconds 5]

For each size the corpus is bench/work/<size>/content (made by bench/make_corpus.py when
missing: 600 words a post, 200 at 100k as in the issue). The site runs as the README
deploys it, `gunicorn -w 2` reading `gunicorn.conf.py`, on loopback, with caches and index
in bench/work/<size>/scale/ and measured:

- start_cold_s: gunicorn started with no cache and no index, until `/` answers 200;
- search_cold_state: what `/search` answers at that moment (the index builds behind);
- start_warm_s: the same on a restart with the caches present;
- page_fresh_s / search_fresh_s: one post's file edited a second after the start, until
  its page shows the new title / until `/search.json` finds a new word (index complete);
  the `_later` pair: the same five seconds later, once the start's own work is done;
- rss/pss/uss_mb: each worker's memory (from /proc/PID/smaps_rollup) after the pages;
- pages per second (wrk -t1 -c8) for home, an article, a tag page and a repeated search,
  then the very bytes on a bare Flask route under the same gunicorn, side by side.

Writes bench/results/scale-<size>.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loopback  # noqa: E402
from bench.make_corpus import build_corpus  # noqa: E402
from bench.throughput import BARE  # noqa: E402
from folio.search.folder import IndexFolder  # noqa: E402

WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results"
PORT = 8766
#: How long a start may take before the tier is given up.
START_LIMIT_S = 600.0
#: Seconds between the first edit (just after a start) and the second.
LATER_EDIT_S = 5.0
#: How long the index of a cold site may take to be complete before search is not timed.
INDEX_LIMIT_S = {1000: 300.0, 10000: 900.0, 100000: 0.0}


def get(path: str) -> tuple[int, bytes]:
    return loopback.get(PORT, path, timeout=60)


def wait_for(check: Any, limit: float, step: float = 0.01) -> float:
    """Seconds until check() is true; raises after `limit` seconds."""
    started = time.perf_counter()
    while True:
        try:
            if check():
                return time.perf_counter() - started
        except OSError:
            pass
        if time.perf_counter() - started > limit:
            raise RuntimeError("gave up waiting")
        time.sleep(step)


def serve(app: str, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{PORT}"]
    command += ["--timeout", "120", "--log-level", "warning", app]
    return subprocess.Popen(command, cwd=cwd, env=env)


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(60)


def workers(server: subprocess.Popen[bytes]) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(server.pid)], capture_output=True, text=True, check=False
    ).stdout
    return [int(pid) for pid in out.split()]


def memory(pid: int) -> dict[str, float]:
    """RSS, PSS and USS (private pages) of one process, in MB."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {"rss": fields["Rss"] / 1024, "pss": fields["Pss"] / 1024, "uss": uss / 1024}


def wrk(path: str, seconds: int) -> float:
    return loopback.wrk(PORT, path, seconds)


def first_post(content: Path) -> tuple[Path, str, str]:
    """The newest post's file, its slug and its first tag's slug."""
    newest = max((content / "posts").glob("*.md"))
    text = newest.read_text(encoding="utf-8")
    slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", newest.stem)
    tag = re.search(r"^tags:\s*\[\"?([^,\]\n\"]+)", text, re.M)
    tag_slug = re.sub(r"\W+", "-", tag.group(1).strip().lower()) if tag else "x"
    return newest, slug, tag_slug


def measure(
    size: int, seconds: int, *, warm_only: bool = False, index: bool = True
) -> dict[str, Any]:
    tier = WORK / str(size)
    content = tier / "content"
    if not (content / "posts").is_dir():
        build_corpus(size, content, words=200 if size >= 100000 else 600)
    state = tier / "scale"
    if not warm_only:
        shutil.rmtree(state, ignore_errors=True)
    env = os.environ | {
        "FLASK_CONTENT_DIR": str(content),
        "FLASK_CACHE_DIR": str(state / "cache"),
        "FLASK_SEARCH_INDEX_DIR": str(state / "index"),
        "FLASK_COMMENTS_DIR": str(state / "replies"),
        "FLASK_SECRET_KEY": "bench",
    }
    out: dict[str, Any] = {"size": size}
    post, slug, tag = first_post(content)
    article = f"/posts/{slug}/"
    pages = {"home": "/", "article": article, "tag": f"/tags/{tag}/"}

    if not warm_only:
        out |= _cold(env, state, size, article, index=index)
        print(json.dumps(out), flush=True)
    elif _indexed(state / "index") >= size:
        out["index_complete_s"] = float("nan")  # built by an earlier run

    server = serve("app:create_app()", env, ROOT)
    try:
        out["start_warm_s"] = wait_for(lambda: get("/")[0] == 200, START_LIMIT_S)
        for path in pages.values():
            get(path)
        time.sleep(1.0)
        out |= _freshness(post, article, searchable="index_complete_s" in out)
        # Again once the start's own work is done (at 100k the indexer's first comparison
        # reads 100k indexed versions, ~1.7 s, and an edit made meanwhile waits for it).
        time.sleep(LATER_EDIT_S)
        later = _freshness(post, article, searchable="index_complete_s" in out)
        out |= {f"{key}_later": value for key, value in later.items()}
        pages["search"] = "/search?q=" + quote_plus("operating system")
        bare = state / "bare"
        bare.mkdir(parents=True, exist_ok=True)
        ours = {}
        for kind, path in pages.items():
            if kind == "search" and "index_complete_s" not in out:
                continue
            (bare / kind).write_bytes(get(path)[1])
            ours[kind] = wrk(path, seconds)
        out["memory"] = [memory(pid) for pid in workers(server)]
    finally:
        stop(server)
    (state / "bare.py").write_text(BARE.format(folder=str(bare)))
    limit_server = serve("bare:app", os.environ | {"PYTHONPATH": str(state)}, state)
    try:
        wait_for(lambda: get("/home")[0] == 200, 60)
        out["pages"] = {
            kind: {"ours": ours[kind], "bare": wrk(f"/{kind}", seconds)} for kind in ours
        }
    finally:
        stop(limit_server)
    return out


def _cold(
    env: dict[str, str], state: Path, size: int, article: str, *, index: bool
) -> dict[str, Any]:
    """Start with nothing cached: the first page, what search says, the index's build."""
    out: dict[str, Any] = {}
    started = time.perf_counter()
    server = serve("app:create_app()", env, ROOT)
    try:
        out["start_cold_s"] = wait_for(lambda: get("/")[0] == 200, START_LIMIT_S)
        status, body = get("/search?q=computer")
        out["search_cold_state"] = f"{status} {_search_note(body)}"
        try:
            out["first_article_s"] = wait_for(lambda: get(article)[0] == 200, 60)
        except RuntimeError:
            out["first_article_s"] = float("inf")  # not within a minute
        if index and (limit := INDEX_LIMIT_S.get(size, 0.0)):
            wait_for(lambda: _indexed(state / "index") >= size, limit, step=1.0)
            out["index_complete_s"] = time.perf_counter() - started
    finally:
        stop(server)
    return out


def _indexed(index: Path) -> int:
    """Documents in the live index generation (0 while there is none)."""
    folder = IndexFolder(index)
    name = folder.current_name()
    if name is None:
        return 0
    try:
        ix = folder.open(name)
    except FileNotFoundError:
        return 0
    try:
        return int(ix.doc_count())
    finally:
        ix.close()


def _search_note(body: bytes) -> str:
    text = re.sub(r"<[^>]+>", " ", body.decode("utf-8", "replace"))
    found = re.search(r"(being built[^.]*\.|index[^.]{0,60}\.)", text)
    return " ".join(found.group(1).split()) if found else ""


def _freshness(post: Path, article: str, *, searchable: bool) -> dict[str, float]:
    out = {}
    original = post.read_text(encoding="utf-8")
    try:
        stamp = str(int(time.time()))
        title = f"Freshly edited {stamp}"
        changed = re.sub(r"^title:.*$", f'title: "{title}"', original, count=1, flags=re.M)
        changed += f"\n\nZyzzyva{stamp} appears.\n"
        post.write_text(changed, encoding="utf-8")
        edited = time.perf_counter()
        try:
            wait_for(lambda: title.encode() in get(article)[1], 60, step=0.005)
            out["page_fresh_s"] = time.perf_counter() - edited
            if searchable:
                query = f"/search.json?q=zyzzyva{stamp}"
                wait_for(lambda: json.loads(get(query)[1])["total"] >= 1, 60, step=0.005)
                out["search_fresh_s"] = time.perf_counter() - edited
        except RuntimeError:
            out.setdefault("page_fresh_s", float("inf"))  # not within a minute
    finally:
        post.write_text(original, encoding="utf-8")
    return out


def table(results: list[dict[str, Any]]) -> str:
    sizes = [f"{r['size']:,} posts" for r in results]
    lines = ["| measure | " + " | ".join(sizes) + " |", "| --- |" + " --- |" * len(results)]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    for key in ("start_cold_s", "first_article_s", "index_complete_s", "start_warm_s"):
        row(key, [f"{r[key]:.2f}" if key in r else "—" for r in results])
    row("search_cold_state", [str(r.get("search_cold_state", "—")) for r in results])
    for key in ("page_fresh_s", "search_fresh_s", "page_fresh_s_later", "search_fresh_s_later"):
        row(key, [f"{r[key]:.3f}" if key in r else "—" for r in results])
    for kind in ("rss", "pss", "uss"):
        row(
            f"{kind}_mb per worker",
            [" / ".join(f"{m[kind]:.0f}" for m in r.get("memory", [])) for r in results],
        )
    for kind in ("home", "article", "tag", "search"):
        cells = []
        for r in results:
            found = r.get("pages", {}).get(kind)
            cells.append(
                f"{found['ours']:,.0f} / {found['bare']:,.0f} = {found['ours'] / found['bare']:.2f}"
                if found
                else "—"
            )
        row(f"{kind} req/s ours / bare = ratio", cells)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument(
        "--warm-only", action="store_true", help="reuse the last run's caches and index"
    )
    parser.add_argument(
        "--no-index", action="store_true", help="do not wait for the index (nor time search)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("install Debian's wrk")
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = []
    for size in args.sizes:
        result = measure(size, args.seconds, warm_only=args.warm_only, index=not args.no_index)
        (RESULTS / f"scale-{size}.json").write_text(json.dumps(result, indent=2))
        results.append(result)
        print(json.dumps(result), flush=True)
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} cores;"
        f" Python {platform.python_version()},"
        f" Flask {version('flask')}, gunicorn {version('gunicorn')}, whoosh3 {version('whoosh3')};"
        f" {time.strftime('%Y-%m-%d')}\n"
    )
    print(table(results))


if __name__ == "__main__":
    main()
