"""Start until the first page, at 10k (or any size), with the bare-Flask floor beside it.

Usage: python bench/start.py [--size 10000] [--repeat 3] [--cold]

Each start is `gunicorn -w 2` with `gunicorn.conf.py`, as the README deploys it, timed from
the moment the command is run until `/` answers 200 (polled every 10 ms on fresh
connections). Three kinds, interleaved so that the machine's own drift touches each alike:

- floor: a bare Flask app under the same gunicorn answering `/` from memory;
- warm: the settled copy `bench/search_profile.py` prepares (bench/work/search-<size>:
  content, cache and index present, as after a restart or a deploy);
- cold (with `--cold`): the same content copied to a temporary folder with nothing cached
  and no index (a fresh checkout).

Our modules are compiled first, as the deploy step (`make bytecode`) does: this machine
sets PYTHONDONTWRITEBYTECODE, so without it every worker compiled them at every start.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import loopback  # noqa: E402
from bench.search_profile import WORK, prepare, site_env  # noqa: E402

PORT = 8798
FLOOR = """
from flask import Flask
app = Flask(__name__)
@app.get("/")
def home():
    return "<!doctype html><title>floor</title>"
"""


def start(command: list[str], cwd: Path, env: dict[str, str], limit: float = 120.0) -> float:
    """Seconds from running `command` until `/` answers 200; the server is stopped after."""
    began = time.perf_counter()
    server = subprocess.Popen(command, cwd=cwd, env=env)
    try:
        while True:
            try:
                if loopback.get(PORT, "/", timeout=limit)[0] == 200:
                    return time.perf_counter() - began
            except OSError:
                pass
            if time.perf_counter() - began > limit:
                raise RuntimeError("gave up waiting for /")
            time.sleep(0.01)
    finally:
        server.terminate()
        server.wait(60)


def gunicorn(app: str) -> list[str]:
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{PORT}"]
    return [*command, "--log-level", "warning", app]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="also start with nothing cached")
    args = parser.parse_args()
    base = WORK / f"search-{args.size}"
    prepare(WORK / str(args.size), base)
    compiling = [sys.executable, "-m", "compileall", "-q", "app.py", "gunicorn.conf.py", "folio"]
    subprocess.run(compiling, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    times: dict[str, list[float]] = {"floor": [], "warm": [], "cold": []}
    with tempfile.TemporaryDirectory(dir=WORK) as scratch:
        floor = Path(scratch) / "floor"
        floor.mkdir()
        (floor / "floor.py").write_text(FLOOR)
        floor_env = os.environ | {"PYTHONPATH": str(floor)}
        for _ in range(args.repeat):
            times["floor"].append(start(gunicorn("floor:app"), floor, floor_env))
            times["warm"].append(start(gunicorn("app:create_app()"), ROOT, site_env(base)))
            if args.cold:
                fresh = Path(scratch) / "cold"
                shutil.rmtree(fresh, ignore_errors=True)
                shutil.copytree(base / "content", fresh / "content")
                times["cold"].append(start(gunicorn("app:create_app()"), ROOT, site_env(fresh)))
            print({kind: [round(t, 2) for t in found] for kind, found in times.items()}, flush=True)
    print(f"\n| start → first page, {args.size:,} posts | median s | runs |\n| --- | --- | --- |")
    for kind, found in times.items():
        if found:
            runs = ", ".join(f"{t:.2f}" for t in found)
            print(f"| {kind} | {statistics.median(found):.2f} | {runs} |")


if __name__ == "__main__":
    main()
