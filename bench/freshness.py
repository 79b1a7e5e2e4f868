"""An edit until its page shows it and until search finds it, on a settled site.

Usage: python bench/freshness.py [--size 10000] [--edits 3]

Starts `gunicorn -w 2` (with `gunicorn.conf.py`) on the copy `bench/search_profile.py`
prepares (bench/work/search-<size>: content, cache and index already published, so no
backlog runs meanwhile), then edits the newest post `--edits` times, two seconds apart:
first its title, until its page shows the new one; then a new word in its body, until
`/search.json` finds it. Polls every 5 ms on fresh connections. The file is put back.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loopback  # noqa: E402
from bench.search_profile import WORK, prepare, site_env  # noqa: E402

PORT = 8796
POLL = 0.005


def get(path: str) -> tuple[int, str]:
    try:
        status, body = loopback.get(PORT, path, timeout=60)
    except OSError:
        return 0, ""
    return status, body.decode("utf-8", "replace")


def until(check: Callable[[], bool], limit: float = 60.0) -> float:
    began = time.perf_counter()
    while not check():
        if time.perf_counter() - began > limit:
            raise RuntimeError("gave up waiting")
        time.sleep(POLL)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--edits", type=int, default=3)
    args = parser.parse_args()
    base = WORK / f"search-{args.size}"
    prepare(WORK / str(args.size), base)
    post = max((base / "content" / "posts").glob("*.md"))
    slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", post.stem)
    original = post.read_text(encoding="utf-8")
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{PORT}"]
    command += ["--log-level", "warning", "app:create_app()"]
    server = subprocess.Popen(command, cwd=ROOT, env=site_env(base))
    try:
        print(f"start until / answers: {until(lambda: get('/')[0] == 200):.2f} s", flush=True)
        for kind in ("page", "search"):
            for n in range(args.edits):
                time.sleep(2.0)
                stamp = f"{n}q{time.time_ns()}"
                if kind == "page":
                    title = f"Fresh title {stamp}"
                    text = re.sub(
                        r"^title: .*$", f'title: "{title}"', original, count=1, flags=re.M
                    )
                    post.write_text(text, encoding="utf-8")
                    seconds = until(lambda: title in get(f"/posts/{slug}/")[1])  # noqa: B023
                else:
                    word = f"zebrafinch{stamp}"
                    post.write_text(f"{original}\n\nA {word} here.\n", encoding="utf-8")
                    seconds = until(
                        lambda: f"/posts/{slug}/" in get(f"/search.json?q={word}")[1]  # noqa: B023
                    )
                print(f"edit {n + 1}: {kind} fresh in {seconds:.3f} s", flush=True)
    finally:
        post.write_text(original, encoding="utf-8")
        server.terminate()
        server.wait(60)


if __name__ == "__main__":
    main()
