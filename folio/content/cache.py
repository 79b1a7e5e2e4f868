"""The content as the publisher read it, shared by every worker: one SQLite file of plain data.

The publisher (one process per machine) writes; workers read. Each write bumps a
generation number, and each row carries the generation that wrote it, so a worker
reads only the rows changed since it last looked.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

from folio.content.entries import Page, Reading
from folio.content.records import (
    dump_entry,
    dump_rendered,
    dump_site,
    load_entry,
    load_rendered,
    load_site,
)
from folio.content.siteinfo import SiteInfo
from folio.content.render import Rendered

log = logging.getLogger(__name__)

#: The tables' layout; another layout is dropped and read again from the files.
SCHEMA = 1
_PACKAGE = Path(__file__).resolve().parent
_TABLES = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, entry TEXT,
    problems TEXT NOT NULL, generation INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS files_generation ON files (generation);
CREATE TABLE IF NOT EXISTS bodies (
    path TEXT PRIMARY KEY, version TEXT NOT NULL, rendered TEXT, problem TEXT);
CREATE TABLE IF NOT EXISTS wanted (path TEXT PRIMARY KEY);
"""


@cache
def code_version() -> str:
    """Changes whenever the code or libraries that read and render a file change."""
    digest = hashlib.sha256(str(SCHEMA).encode())
    for module in sorted(_PACKAGE.glob("*.py")):
        digest.update(module.name.encode() + module.read_bytes())
    for library in ("Markdown", "Pygments", "python-frontmatter", "PyYAML", "nh3"):
        digest.update(version(library).encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Row:
    """One file as the cache holds it: a tombstone has no fingerprint."""

    path: str
    fingerprint: str
    reading: Reading


@dataclass(frozen=True)
class SiteRecord:
    """site.yml as read: its fingerprint, its settings and what was wrong with it."""

    fingerprint: str
    info: SiteInfo
    problems: tuple[str, ...]


class CacheUnavailable(Exception):
    """The cache file cannot be opened (yet): the publisher has not made it."""


class ContentCache:
    """Reads and writes `content.sqlite`; one connection per thread."""

    def __init__(self, path: Path, root: Path, rendering: str = "") -> None:
        self.path = path
        self.root = str(root)
        #: How bodies are rendered (e.g. whether owner HTML is trusted): another way
        #: empties the cache, so no body rendered the old way is ever served.
        self.rendering = rendering
        self._local = threading.local()

    # Connections ---------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            if not self.path.exists():
                raise CacheUnavailable(str(self.path))
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._local.db = db
        return db

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    # The publisher's side ------------------------------------------------------------

    def prepare(self) -> None:
        """Make the file usable: a damaged or foreign one is replaced, an old one emptied."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._open_checked()
        except sqlite3.DatabaseError as e:
            log.warning("content cache %s cannot be read (%s): starting a new one", self.path, e)
            self.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._open_checked()

    def _open_checked(self) -> None:
        self.path.touch(exist_ok=True)
        db = self._db()
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(_TABLES)
        info = dict(db.execute("SELECT key, value FROM info").fetchall())
        wanted = {"code": code_version(), "root": self.root, "rendering": self.rendering}
        if any(info.get(key) != value for key, value in wanted.items()):
            with self._writing():
                db.execute("DELETE FROM files")
                db.execute("DELETE FROM bodies")
                db.executemany("INSERT OR REPLACE INTO info VALUES (?, ?)", wanted.items())
                generation = int(info.get("generation", 0)) + 1
                db.execute("INSERT OR REPLACE INTO info VALUES ('generation', ?)", (generation,))

    def fingerprints(self) -> dict[str, str]:
        """Each known file's fingerprint, tombstones included (as "")."""
        return dict(self._db().execute("SELECT path, fingerprint FROM files").fetchall())

    def write(self, rows: Iterable[Row], site: SiteRecord | None = None) -> int:
        """Store readings (and tombstones) as one new generation; returns its number."""
        with self._writing() as db:
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
                        row.path,
                        row.fingerprint,
                        _entry_text(row.reading.entry),
                        "\n".join(row.reading.problems),
                        generation,
                    )
                    for row in rows
                ],
            )
            db.execute("UPDATE info SET value = ? WHERE key = 'generation'", (generation,))
        return generation

    def store_body(
        self, path: str, entry_version: str, rendered: Rendered | None, problem: str
    ) -> None:
        """Keep a rendered body, or why it could not be rendered."""
        text = dump_rendered(rendered) if rendered is not None else None
        with self._writing() as db:
            db.execute(
                "INSERT OR REPLACE INTO bodies VALUES (?, ?, ?, ?)",
                (path, entry_version, text, problem or None),
            )
            db.execute("DELETE FROM wanted WHERE path = ?", (path,))

    def unrendered(self) -> list[tuple[str, str]]:
        """(path, version) of every readable file without a body of its version; wanted first."""
        found = self._db().execute(
            "SELECT f.path, json_extract(f.entry, '$.version') AS v, w.path IS NOT NULL AS asked "
            "FROM files f LEFT JOIN bodies b ON b.path = f.path "
            "LEFT JOIN wanted w ON w.path = f.path "
            "WHERE f.entry IS NOT NULL AND (b.version IS NULL OR b.version != v) "
            "ORDER BY asked DESC, f.path"
        )
        return [(path, entry_version) for path, entry_version, _ in found.fetchall()]

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

    def changes(self, since: int) -> tuple[int, list[Row]]:
        """Rows written after generation `since`, and the generation they bring us to."""
        db = self._db()
        try:
            db.execute("BEGIN")  # one snapshot: the rows and the number agree
            generation = self._generation(db)
            rows = db.execute(
                "SELECT path, fingerprint, entry, problems FROM files WHERE generation > ?",
                (since,),
            ).fetchall()
        except sqlite3.OperationalError as e:  # made, but its tables not yet
            raise CacheUnavailable(str(e)) from None
        finally:
            if db.in_transaction:
                db.execute("COMMIT")
        return generation, [
            Row(path, fingerprint, Reading(_load(entry), tuple(filter(None, problems.split("\n")))))
            for path, fingerprint, entry, problems in rows
        ]

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
        with self._writing() as db:
            db.execute("INSERT OR IGNORE INTO wanted VALUES (?)", (path,))

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


def _entry_text(entry: Page | None) -> str | None:
    return dump_entry(entry) if entry is not None else None


def _load(text: str | None) -> Page | None:
    return load_entry(text) if text is not None else None
