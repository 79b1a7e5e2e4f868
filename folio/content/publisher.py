"""The publisher: reads changed files, renders their bodies, and stores both for every worker.

Only one process per machine publishes (see `folio.site`); the others read what it stored.
Front matter is read in this process (size-limited, safe YAML); Markdown bodies are
rendered in child processes with a deadline, so no file can take unbounded time.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import Any

from folio.content import collector, meta
from folio.content.bounded import Job, RenderPool, RenderRefused
from folio.content.cache import ContentCache, Outcome, Record, SiteRecord, read_records
from folio.content.entries import Kind
from folio.content.frontmatter import Unreadable, read_text, split
from folio.content.render import LEAD_CHARS, render, shorten
from folio.content.signals import content_published
from folio.content.siteinfo import read_site_info
from folio.content.sources import (
    Fingerprint,
    content_file,
    content_files,
    fingerprint,
    relative_name,
    version,
)

log = logging.getLogger(__name__)

#: From this many changed files on (a start, a checkout), front matter is read in the
#: render processes, side by side.
READ_IN_PARALLEL = 200
#: Files a render process reads in one go: well inside a render's deadline (about 0.1 s).
READ_BATCH = 250
#: Bodies rendered between two looks for content changes.
RENDER_BATCH = 500
#: Seconds between two generations while a backlog renders: each makes every worker
#: take in the new summaries, and search index what was rendered.
PUBLISH_EVERY = 1.0


@dataclass(frozen=True)
class Settings:
    """What the publisher needs to know of the app's configuration."""

    root: Path
    max_bytes: int = 1024 * 1024


class Publisher:
    """Keeps the cache in line with the content folder; tells listeners what it published."""

    def __init__(self, settings: Settings, cache: ContentCache, pool: RenderPool) -> None:
        self.settings = settings
        self.root = settings.root
        self.cache = cache
        self.pool = pool
        #: Files read since start: lets tests see that only changed files are read again.
        self.reads = 0
        #: Bodies rendered since start.
        self.renders = 0

    def publish(self, paths: Collection[str] | None = None) -> bool:
        """Read every changed, added or deleted file; True when anything changed.

        With `paths` (what the change feed reported), only those are looked at, unless
        site.yml changed: every date depends on it. The cycle collector is paused: a cold
        start holds a record per file until all are written.
        """
        with collector.paused():
            return self._publish(paths)

    def _publish(self, paths: Collection[str] | None) -> bool:
        site = self._site()
        if site is not None:
            paths = None
        previous = self.cache.fingerprints(paths)
        # Every date depends on the site's timezone: a new site.yml means reading everything.
        known = previous if site is None else {}
        zone = (site or self.cache.site()).info.timezone
        seen: set[str] = set()
        changed: list[tuple[str, Kind, str]] = []
        if paths is None:
            found_files: Iterable[tuple[str, Fingerprint, Kind]] = content_files(self.root)
        else:
            looked = (content_file(self.root, path) for path in sorted(paths))
            found_files = [found for found in looked if found is not None]
        for path, found, kind in found_files:
            seen.add(path)
            stamp = version(found)
            if known.get(path) != stamp:
                changed.append((path, kind, stamp))
        rows = self._read(changed, zone)
        for row in rows:
            for reason in row.problems:
                log.warning("%s: %s", relative_name(row.path, self.root), reason)
        self.reads += len(changed)
        rows += [
            Record(path, "", None) for path, was in previous.items() if was and path not in seen
        ]
        if not rows and site is None:
            return False
        generation = self.cache.write(rows, site)
        content_published.send(self, generation=generation)
        return True

    def _read(self, files: list[tuple[str, Kind, str]], zone: tzinfo) -> list[Record]:
        """Each file's front matter: many at once in the render processes, a few here."""
        if len(files) < READ_IN_PARALLEL:
            return read_records(files, zone, self.settings.max_bytes)
        self.pool.start()
        batches = [files[i : i + READ_BATCH] for i in range(0, len(files), READ_BATCH)]
        with ThreadPoolExecutor(self.pool.processes, thread_name_prefix="read") as threads:
            read = threads.map(lambda batch: self._read_batch(batch, zone), batches)
            return [reading for batch in read for reading in batch]

    def _read_batch(self, files: list[tuple[str, Kind, str]], zone: tzinfo) -> list[Record]:
        job = Job(read_records, (files, zone, self.settings.max_bytes))
        try:
            return self.pool.run(job, list)
        # Reading has its own limits; a batch a child could not finish is read here, each
        # file on its own, so that a fault stays with its file.
        except RenderRefused as e:
            log.warning("reading %d files in a render process failed (%s)", len(files), e)
            return read_records(files, zone, self.settings.max_bytes)

    def render_pending(self, interrupted: Callable[[], bool] = lambda: False) -> int:
        """Render every body not yet rendered at its file's version, asked-for ones first.

        Each render process is given the next body as soon as it is done with one (not in
        lockstep with the others), and each body is stored as soon as it is rendered.
        Stops early, after the bodies in hand, when `interrupted` says so (the content
        changed again, or the process is stopping).
        """
        done, stop = 0, False
        width = self.pool.processes
        with ThreadPoolExecutor(width, thread_name_prefix="render") as threads:
            while not stop:
                self.cache.forget_stale_wanted()  # asked for a version or a file gone since
                if not (pending := deque(self.cache.unrendered(RENDER_BATCH))):
                    break
                self.pool.start()  # does nothing once started
                rendered: list[Outcome] = []
                published = time.monotonic()
                working: set[Future[Outcome]] = set()
                while pending or working:
                    while pending and len(working) < width and not stop:
                        working.add(threads.submit(self._render, *pending.popleft()))
                    finished, working = wait(working, return_when=FIRST_COMPLETED)
                    outcomes = [future.result() for future in finished]
                    self._store(outcomes)  # a waiting visitor's body is served from now on
                    rendered += outcomes
                    done += len(outcomes)
                    if time.monotonic() - published >= PUBLISH_EVERY:
                        self._publish_rendered(rendered)
                        rendered, published = [], time.monotonic()
                    stop = stop or interrupted()
                    # Stopping, or a visitor waits for another body (start again from it):
                    # only the bodies in hand are finished.
                    if stop or self.cache.wanted():
                        pending.clear()
                self._publish_rendered(rendered)
        return done

    def _publish_rendered(self, outcomes: list[Outcome]) -> None:
        """Summaries (and refusals) into the entries, as one generation; tell listeners."""
        if outcomes:
            generation = self.cache.publish_outcomes(outcomes)
            content_published.send(self, generation=generation)

    def _render(self, path: str, entry_version: str) -> Outcome:
        """A file's body and summary rendered, or why they cannot be (run in a thread; the
        file is read and rendered in a render process, as the pool renders)."""
        job = Job(render_file, (path, entry_version, self.settings.max_bytes, self.pool.options))
        try:
            return self.pool.run(job, Outcome)
        except RenderRefused as e:
            return Outcome(path, entry_version, problem=str(e))

    def _store(self, outcomes: list[Outcome]) -> None:
        for outcome in outcomes:
            if outcome.rendered is None:
                # The file is left out of the site until it changes.
                log.warning("%s: %s", relative_name(outcome.path, self.root), outcome.problem)
            else:
                self.renders += 1
        self.cache.store_bodies(outcomes)

    def _site(self) -> SiteRecord | None:
        """site.yml read again when it changed since the cache last saw it, else None."""
        path = self.root / "site.yml"
        stamp = version(fingerprint(str(path))) or "missing"
        if stamp == self.cache.site().fingerprint:
            return None
        info, problems = read_site_info(path)
        for reason in problems:
            log.warning("site.yml: %s", reason)
        return SiteRecord(stamp, info, tuple(problems))


def render_file(
    path: str, entry_version: str, max_bytes: int, options: Mapping[str, Any]
) -> Outcome:
    """A file's body and summary rendered with the pool's options, or why they cannot be.

    Run in a render process: reading the front matter again (for the body and a written
    summary) takes the publishing process's time otherwise, a quarter of it in a backlog.
    """
    try:
        data, body = split(read_text(path, max_bytes))
        rendered = render(body, **options)
        written = meta.text(data, "summary") if isinstance(data, dict) else None
        summary = (
            render(written[:LEAD_CHARS], **options).text
            if written
            else shorten(rendered.first_paragraph)
        )
        return Outcome(path, entry_version, rendered, summary)
    except (Unreadable, meta.MetaError) as e:
        return Outcome(path, entry_version, problem=str(e))
    except OSError as e:
        return Outcome(path, entry_version, problem=f"cannot read file: {e.strerror}")
