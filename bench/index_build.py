"""Index build rate: plain single-process Whoosh against our build, on the same documents.

Reads the published records of the 10k corpus bench/run.py prepared (its content cache,
bench/work/10000/cache/content.sqlite; never written here) and builds, in a scratch
folder, an index of the first N searchable entries:

- whoosh: `index.create_in(dir, our schema)` with Whoosh's stock formats in place of
  ours (our fields and analyzers, Whoosh's Frequency and Positions, which run each
  analyzer's token chain), one default `ix.writer()` (one process, Whoosh's own codec),
  `add_document` for each document, `commit()`. The documents are made (bodies read
  from the cache) before the clock starts.
- ours: `IndexFolder.build` as the indexer calls it (`Indexer.rebuild`): its processes
  read the bodies from the cache themselves, so that time is counted on our side.

Usage: python bench/index_build.py [--sizes 2000 10000] [--procs 2] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.formats import Frequency, Positions  # noqa: E402

from app import DEFAULTS  # noqa: E402
from folio.content.cache import ContentCache  # noqa: E402
from folio.content.library import Library  # noqa: E402
from folio.content.render import Rendered  # noqa: E402
from folio.search.folder import IndexFolder  # noqa: E402
from folio.search.indexer import CachedDocuments  # noqa: E402
from folio.search.schema import document, make_schema  # noqa: E402

WORK = ROOT / "bench" / "work"


def whoosh_alone(docs: list[dict[str, object]], folder: Path) -> tuple[float, float]:
    """Seconds (wall, CPU) for plain Whoosh, one process, to index and commit them."""
    schema = make_schema()
    for name in ("title", "tagtext", "summary", "body"):
        schema[name].format = Frequency()
    schema["spelling"].format = Positions()
    started, cpu = time.perf_counter(), time.process_time()
    ix = whoosh_index.create_in(str(folder), schema)
    writer = ix.writer()
    for fields in docs:
        writer.add_document(**fields)
    writer.commit()
    ix.close()
    return time.perf_counter() - started, time.process_time() - cpu


def ours(source: CachedDocuments, folder: Path, procs: int) -> tuple[float, float, int]:
    """Seconds (wall, and CPU of this process: all of it with one process) for our build
    of the same entries, and the documents it indexed."""
    cpu = time.process_time()
    stats = IndexFolder(folder).build(source, procs=procs)
    return stats.seconds, time.process_time() - cpu, stats.documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=WORK / "10000")
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000])
    parser.add_argument("--procs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, alternating")
    parser.add_argument("--only", choices=["whoosh", "ours"], default=None)
    args = parser.parse_args()
    rendering = f"trust_html={bool(DEFAULTS['CONTENT_TRUST_HTML'])}"
    cache = ContentCache(
        args.source / "cache" / "content.sqlite", args.source / "content", rendering
    )
    library = Library(cache)
    library.refresh()
    entries = library.catalogue().searchable()
    rows = []
    for size in args.sizes:
        chosen = entries[:size]
        docs = []
        for entry in chosen:
            body = cache.body(entry.source, entry.version)
            if isinstance(body, Rendered):
                docs.append(document(entry, body.text))
        source = CachedDocuments(cache.path, cache.root, rendering, tuple(chosen))
        sides = {"whoosh": 1, "ours, 1 process": 1, f"ours, {args.procs} processes": args.procs}
        times: dict[str, list[tuple[float, float]]] = {side: [] for side in sides}
        for _ in range(args.repeat):
            for side, procs in sides.items():
                if args.only and not side.startswith(args.only):
                    continue
                scratch = Path(tempfile.mkdtemp(prefix="build-", dir=args.source.parent))
                try:
                    if side == "whoosh":
                        wall, cpu = whoosh_alone(docs, scratch)
                    else:
                        wall, cpu, count = ours(source, scratch, procs)
                        assert count == len(docs), (count, len(docs))
                finally:
                    shutil.rmtree(scratch, ignore_errors=True)
                times[side].append((wall, cpu))
                rate, cpu_rate = len(docs) / wall, len(docs) / cpu
                print(
                    f"{size} {side}: {wall:.1f} s, {rate:.0f} docs/s "
                    f"({cpu_rate:.0f} docs per CPU second in this process)",
                    flush=True,
                )
        rows.append((size, len(docs), times))
    print(
        f"\nMachine: {platform.machine()}, {os.cpu_count()} cores; Python "
        f"{platform.python_version()}, whoosh3 {version('whoosh3')}; procs {args.procs}; "
        f"{time.strftime('%Y-%m-%d')}"
    )
    print("| documents | build | docs/s (each run) | docs per CPU second | against Whoosh |")
    print("| --- | --- | --- | --- | --- |")
    for _, count, times in rows:
        best = {
            side: max((count / w for w, _ in found), default=0.0) for side, found in times.items()
        }
        for side, found in times.items():
            if not found:
                continue
            rates = " / ".join(f"{count / wall:.0f}" for wall, _ in found)
            per_cpu = f"{max(count / c for _, c in found):.0f}" if "processes" not in side else "-"
            ratio = best[side] / best["whoosh"] if best["whoosh"] else 0.0
            print(f"| {count:,} | {side} | {rates} | {per_cpu} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
