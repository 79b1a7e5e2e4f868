"""The content as the publisher read it, shared by every worker: one SQLite file of plain data.

The publisher (one process per machine) writes; workers read. Each write bumps a
generation number, and each row carries the generation that wrote it, so a worker
reads only the rows changed since it last looked.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from typing import NamedTuple

from folio.content.database import CacheUnavailable, Database
from folio.content.entries import Kind, Page, Reading, read_entry
from folio.content.records import (
    SUMMARY_AT,
    VERSION_AT,
    dump_entry,
    dump_rendered,
    dump_site,
    load_entry,
    load_rendered,
    load_site,
)
from folio.content.render import Rendered
from folio.content.siteinfo import SiteInfo

#: Where a reader is in the cache: the cache's epoch (new whenever it is emptied or
#: replaced) and the generation of the last write it took in.
Position = tuple[str, int]


# (The JSON paths are our own constants, never input.)
_SUMMARY_SQL = (
    f"UPDATE files SET entry = json_set(entry, '{SUMMARY_AT}', ?), generation = ? "  # noqa: S608
    f"WHERE path = ? AND json_extract(entry, '{VERSION_AT}') = ?"
)
_KNOWN_SUMMARY_SQL = (
    f"UPDATE files SET entry = json_set(entry, '{SUMMARY_AT}', b.summary) FROM bodies b "  # noqa: S608
    "WHERE files.generation = ? AND b.path = files.path AND b.summary IS NOT NULL "
    f"AND b.version = json_extract(files.entry, '{VERSION_AT}') "
    f"AND json_extract(files.entry, '{SUMMARY_AT}') IS NULL"
)
# What a write leaves to render: its readable files without a body of their version.
_PENDING_SQL = """
INSERT OR REPLACE INTO pending
SELECT f.path, f.fingerprint FROM files f WHERE f.generation = ? AND f.entry IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM bodies b WHERE b.path = f.path AND b.version = f.fingerprint)
"""
_NOT_PENDING_SQL = """
DELETE FROM pending WHERE path IN (SELECT path FROM files WHERE generation = ? AND entry IS NULL)
"""
_REFUSED_SQL = (
    "UPDATE files SET entry = NULL, problems = ?, generation = ? "  # noqa: S608
    f"WHERE path = ? AND json_extract(entry, '{VERSION_AT}') = ?"
)


class Row(NamedTuple):
    """One file as the cache holds it: its entry (None when unusable or gone) and problems;
    a tombstone has no fingerprint. A tuple: a worker's start makes one per file."""

    path: str
    fingerprint: str
    entry: Page | None
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Record:
    """One file as the publisher stores it: its entry as JSON text (None when the file
    cannot be used or is gone), its problems; a tombstone has no fingerprint."""

    path: str
    fingerprint: str
    entry: str | None
    problems: tuple[str, ...] = ()

    @classmethod
    def of(cls, path: str, fingerprint: str, reading: Reading) -> Record:
        return cls(path, fingerprint, _entry_text(reading.entry), reading.problems)


@dataclass(frozen=True)
class Outcome:
    """What rendering one file gave: its body and summary, or the problem that stopped it."""

    path: str
    version: str
    rendered: Rendered | None = None
    summary: str = ""
    problem: str = ""


@dataclass(frozen=True)
class SiteRecord:
    """site.yml as read: its fingerprint, its settings and what was wrong with it."""

    fingerprint: str
    info: SiteInfo
    problems: tuple[str, ...]


class ContentCache:
    """Reads and writes `content.sqlite`; one connection per thread."""

    def __init__(self, path: Path, root: Path, rendering: str = "") -> None:
        self.path = path
        self.root = str(root)
        #: How bodies are rendered (e.g. whether owner HTML is trusted): another way
        #: empties the cache, so no body rendered the old way is ever served.
        self.rendering = rendering
        self.database = Database(path)

    def close(self) -> None:
        """Close this thread's connection."""
        self.database.close()

    def _db(self) -> sqlite3.Connection:
        return self.database.connection()

    # The publisher's side ------------------------------------------------------------

    @property
    def _expected(self) -> dict[str, str]:
        return {"root": self.root, "rendering": self.rendering}

    def prepare(self) -> None:
        """Make the file usable: a damaged or foreign one is replaced, an old one emptied."""
        self.database.prepare(self._expected)

    def fingerprints(self, paths: Collection[str] | None = None) -> dict[str, str]:
        """Each known file's fingerprint (of `paths` only, if given), tombstones included
        (as "")."""
        db = self._db()
        if paths is None:
            return dict(db.execute("SELECT path, fingerprint FROM files").fetchall())
        found = (
            db.execute("SELECT path, fingerprint FROM files WHERE path = ?", (path,)).fetchone()
            for path in paths
        )
        return dict(row for row in found if row is not None)

    def write(self, records: Iterable[Record], site: SiteRecord | None = None) -> int:
        """Store readings (and tombstones) as one new generation; returns its number."""
        with self.database.writing() as db:
            generation = self._generation(db) + 1
            if site is not None:
                db.executemany(
                    "INSERT OR REPLACE INTO info VALUES (?, ?)",
                    [
                        ("site", dump_site(site.info)),
                        ("site_fingerprint", site.fingerprint),
                        ("site_problems", "\n".join(site.problems)),
                    ],
                )
            db.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        record.path,
                        record.fingerprint,
                        record.entry,
                        "\n".join(record.problems),
                        generation,
                    )
                    for record in records
                ],
            )
            # A file read again at a version already rendered (site.yml changed) keeps the
            # summary its rendering gave.
            db.execute(_KNOWN_SUMMARY_SQL, (generation,))
            db.execute(_PENDING_SQL, (generation,))
            db.execute(_NOT_PENDING_SQL, (generation,))
            db.execute("UPDATE info SET value = ? WHERE key = 'generation'", (generation,))
        return generation

    def store_bodies(self, outcomes: Iterable[Outcome]) -> None:
        """Keep rendered bodies, or why a file could not be rendered (see `publish_outcomes`)."""
        with self.database.writing() as db:
            for outcome in outcomes:
                text = dump_rendered(outcome.rendered) if outcome.rendered else None
                db.execute(
                    "INSERT OR REPLACE INTO bodies VALUES (?, ?, ?, ?, ?)",
                    (outcome.path, outcome.version, text, outcome.problem or None, outcome.summary),
                )
                db.execute("DELETE FROM wanted WHERE path = ?", (outcome.path,))
                db.execute(
                    "DELETE FROM pending WHERE path = ? AND version = ?",
                    (outcome.path, outcome.version),
                )

    def publish_outcomes(self, outcomes: Iterable[Outcome]) -> int:
        """Give entries the summaries their rendering found, and take out the files that could
        not be rendered (until they change); one new generation, whose number is returned."""
        with self.database.writing() as db:
            generation = self._generation(db) + 1
            # Only the version rendered: the file may have changed meanwhile.
            db.executemany(
                _SUMMARY_SQL,
                [
                    (o.summary, generation, o.path, o.version)
                    for o in outcomes
                    if o.rendered is not None
                ],
            )
            db.executemany(
                _REFUSED_SQL,
                [
                    (o.problem, generation, o.path, o.version)
                    for o in outcomes
                    if o.rendered is None
                ],
            )
            db.execute("UPDATE info SET value = ? WHERE key = 'generation'", (generation,))
        return generation

    def unrendered(self, limit: int = -1) -> list[tuple[str, str]]:
        """(path, version) of readable files without a body of their version, wanted first:
        every one, or the first `limit`."""
        found = self._db().execute(
            "SELECT u.path, u.version, w.path IS NOT NULL AS asked FROM pending u "
            "LEFT JOIN wanted w ON w.path = u.path ORDER BY asked DESC, u.path LIMIT ?",
            (limit,),
        )
        return [(path, entry_version) for path, entry_version, _ in found.fetchall()]

    def backlog(self) -> int:
        """How many readable files have no body of their version yet."""
        return int(self._db().execute("SELECT count(*) FROM pending").fetchone()[0])

    def forget_stale_wanted(self) -> None:
        """Drop requests for bodies that are rendered or no longer wanted by any file."""
        with self.database.writing() as db:
            db.execute("DELETE FROM wanted WHERE path NOT IN (SELECT path FROM pending)")

    def wanted(self) -> list[str]:
        """Files whose body a worker is waiting for."""
        return [path for (path,) in self._db().execute("SELECT path FROM wanted").fetchall()]

    # Every worker's side -------------------------------------------------------------

    def generation(self) -> int:
        """The number of the last write; 0 before the first."""
        try:
            return self._generation(self._db())
        except sqlite3.OperationalError as e:  # made, but its tables not yet
            raise CacheUnavailable(str(e)) from None

    def changes(self, since: Position) -> tuple[Position, list[Row], bool]:
        """Rows written after position `since`, the position they bring us to, and whether
        they are every row (the cache was emptied or replaced since: start afresh)."""
        db = self._db()
        try:
            db.execute("BEGIN")  # one snapshot: the rows and the number agree
            found = db.execute("SELECT value FROM info WHERE key = 'epoch'").fetchone()
            position = (found[0] if found else "", self._generation(db))
            afresh = position[0] != since[0]
            # Other code, or another folder, makes a new epoch as it empties the cache:
            # checked once per epoch, not at every look.
            if afresh and not self.database.written_as(db, self._expected):
                raise CacheUnavailable("written by other code, or for another folder")
            rows = db.execute(
                "SELECT path, fingerprint, entry, problems FROM files WHERE generation > ?",
                (0 if afresh else since[1],),
            ).fetchall()
        except sqlite3.OperationalError as e:  # made, but its tables not yet
            raise CacheUnavailable(str(e)) from None
        finally:
            if db.in_transaction:
                db.execute("COMMIT")
        found_rows = [
            Row(
                path,
                fingerprint,
                load_entry(entry) if entry is not None else None,
                tuple(filter(None, problems.split("\n"))) if problems else (),
            )
            for path, fingerprint, entry, problems in rows
        ]
        return position, found_rows, afresh

    def body(self, path: str, entry_version: str) -> Rendered | str | None:
        """The rendered body of this version; a problem's text; or None when not yet rendered."""
        found = (
            self._db()
            .execute(
                "SELECT rendered, problem FROM bodies WHERE path = ? AND version = ?",
                (path, entry_version),
            )
            .fetchone()
        )
        if found is None:
            return None
        rendered, problem = found
        return load_rendered(rendered) if rendered is not None else (problem or "not rendered")

    def want(self, path: str) -> None:
        """Ask the publisher to render this file's body next."""
        with self.database.writing() as db:
            db.execute("INSERT OR IGNORE INTO wanted VALUES (?)", (path,))

    def published(self) -> bool:
        """Whether the publisher has written the content at least once since the file was
        made or emptied (the site's settings come with the first write)."""
        db = self._db()
        try:
            found = db.execute("SELECT 1 FROM info WHERE key = 'site'").fetchone()
            return found is not None and self.database.written_as(db, self._expected)
        except sqlite3.OperationalError as e:  # made, but its tables not yet
            raise CacheUnavailable(str(e)) from None

    def site(self) -> SiteRecord:
        """The site's settings as last read (defaults before the first read)."""
        info = dict(self._db().execute("SELECT key, value FROM info").fetchall())
        if "site" not in info:
            return SiteRecord("", SiteInfo(), ())
        problems = tuple(filter(None, info.get("site_problems", "").split("\n")))
        return SiteRecord(info.get("site_fingerprint", ""), load_site(info["site"]), problems)

    @staticmethod
    def _generation(db: sqlite3.Connection) -> int:
        found = db.execute("SELECT value FROM info WHERE key = 'generation'").fetchone()
        return int(found[0]) if found else 0


def read_records(files: list[tuple[str, Kind, str]], zone: tzinfo, max_bytes: int) -> list[Record]:
    """Each (path, kind, version) read and made ready to store: run in a render process
    when there are many (the JSON text travels back cheaper than the records would)."""
    return [
        Record.of(path, stamp, read_entry(path, kind, zone, stamp, max_bytes))
        for path, kind, stamp in files
    ]


def _entry_text(entry: Page | None) -> str | None:
    return dump_entry(entry) if entry is not None else None
