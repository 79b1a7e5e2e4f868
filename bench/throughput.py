"""Pages per second against the limit: the site and a bare Flask route serving the same bytes.

Usage: python bench/throughput.py [--content DIR] [--seconds 10] [--workers 2]

Both run under the same gunicorn (sync workers) on loopback, one after the other, and
`wrk -t1 -c8` asks each page repeatedly (Debian's wrk). The bare app returns, from
memory, exactly the bytes the site answered for that page. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loopback  # noqa: E402

PORT = 8197
BARE = """
from pathlib import Path
from flask import Flask
PAGES = {{p.name: p.read_bytes() for p in Path({folder!r}).iterdir()}}
app = Flask(__name__)
@app.get("/<name>")
def page(name):
    return PAGES[name], 200, {{"Content-Type": "text/html; charset=utf-8"}}
"""


def get(path: str) -> bytes:
    return loopback.get(PORT, path)[1]


def serve(app: str, env: dict[str, str], cwd: Path, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{PORT}"]
    server = subprocess.Popen([*command, app], cwd=cwd, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            get("/robots.txt")
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def wrk(path: str, seconds: int) -> float:
    return loopback.wrk(PORT, path, seconds)


def main() -> None:
    """Measure each page kind on the site, then the same bytes on a bare Flask route."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("install Debian's wrk")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = os.environ | {
            "FLASK_CONTENT_DIR": str(args.content.resolve()),
            "FLASK_CACHE_DIR": str(work / "cache"),
            "FLASK_SEARCH_INDEX_DIR": str(work / "index"),
            "FLASK_COMMENTS_DIR": str(work / "replies"),
            "FLASK_SECRET_KEY": "bench",
        }
        site = serve("app:create_app()", env, ROOT, args.workers)
        try:
            time.sleep(3)  # the first index build and the workers' first look
            pages = _pages(args.content)
            for path in pages.values():
                get(path)
            (work / "bare").mkdir()
            ours = {}
            for kind, path in pages.items():
                (work / "bare" / kind).write_bytes(get(path))
                ours[kind] = wrk(path, args.seconds)
        finally:
            site.terminate()
            site.wait()
        (work / "bare.py").write_text(BARE.format(folder=str(work / "bare")))
        bare = serve("bare:app", os.environ | {"PYTHONPATH": str(work)}, work, args.workers)
        try:
            limit = {kind: wrk(f"/{kind}", args.seconds) for kind in pages}
        finally:
            bare.terminate()
            bare.wait()
    print("| page | ours req/s | bare Flask req/s | ratio |\n| --- | --- | --- | --- |")
    for kind in pages:
        print(
            f"| {kind} | {ours[kind]:,.0f} | {limit[kind]:,.0f} | {ours[kind] / limit[kind]:.2f} |"
        )


def _pages(content: Path) -> dict[str, str]:
    """One address per kind of page, from the content folder's first post and tag."""
    first = sorted((content / "posts").rglob("*.md"))[0]
    text = first.read_text(encoding="utf-8")
    slug = re.sub(r"^\d{4}-\d{2}-\d{2}-", "", first.stem)
    if found := re.search(r"^slug:\s*(\S+)", text, re.M):
        slug = found.group(1).strip("\"'")
    tag = re.search(r"^tags:\s*\[?([^,\]\n]+)", text, re.M)
    tag_slug = re.sub(r"\W+", "-", tag.group(1).strip().strip("\"'").lower()) if tag else "x"
    return {
        "home": "/",
        "article": f"/posts/{slug}/",
        "tag": f"/tags/{tag_slug}/",
        "search": "/search?q=back+pain",
    }


if __name__ == "__main__":
    main()
