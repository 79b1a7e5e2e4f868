"""The content cache's SQLite file: connections per thread, its schema, and its repair.

A file that cannot be read is replaced, and one written by other code or for another
content folder is emptied: the cache only ever costs a full read, never a start.
"""

from __future__ import annotations

import ast
import hashlib
import logging
import re
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from importlib.metadata import version
from pathlib import Path
from secrets import token_hex

log = logging.getLogger(__name__)

#: The tables' layout; another layout is dropped and read again from the files.
SCHEMA = 3
_PACKAGE = Path(__file__).resolve().parent
_PACKAGE_NAME = "folio.content"
#: The tables of another layout, dropped before `_TABLES` makes ours.
_DROP = """
DROP VIEW IF EXISTS unrendered; DROP TABLE IF EXISTS files; DROP TABLE IF EXISTS bodies;
DROP TABLE IF EXISTS wanted; DROP TABLE IF EXISTS pending;
"""
_TABLES = """
CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, entry TEXT,
    problems TEXT NOT NULL, generation INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS files_generation ON files (generation);
CREATE TABLE IF NOT EXISTS bodies (
    path TEXT PRIMARY KEY, version TEXT NOT NULL, rendered TEXT, problem TEXT, summary TEXT);
CREATE TABLE IF NOT EXISTS wanted (path TEXT PRIMARY KEY);
-- Readable files whose body of their version is not stored yet (kept by cache.py, so
-- that a backlog is found without looking at every file).
CREATE TABLE IF NOT EXISTS pending (path TEXT PRIMARY KEY, version TEXT NOT NULL);
"""


#: The modules that decide what the cache holds: how a file is fingerprinted (sources),
#: read and rendered, and stored (cache). With every module of ours they import, they
#: make the code's part of the cache's version; another module of the package (how
#: workers list, follow or publish) can change without costing a full read and render.
_STORING = ("cache.py", "sources.py")


@cache
def code_version() -> str:
    """Changes whenever the code or libraries that read and render a file change."""
    digest = hashlib.sha256(str(SCHEMA).encode())
    for module in stored_by():
        digest.update(module.name.encode() + module.read_bytes())
    for library in ("Markdown", "Pygments", "python-frontmatter", "PyYAML", "nh3"):
        digest.update(version(library).encode())
    return digest.hexdigest()[:16]


def stored_by() -> list[Path]:
    """`_STORING` and the modules of this package they import, directly or not, by name."""
    found: set[Path] = set()
    todo = [_PACKAGE / name for name in _STORING]
    while todo:
        module = todo.pop()
        if module in found:
            continue
        found.add(module)
        for node in _import_nodes(module.read_text(encoding="utf-8")):
            if isinstance(node, ast.ImportFrom) and node.module == _PACKAGE_NAME:
                todo += [_PACKAGE / f"{alias.name}.py" for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                todo += _ours(node.module)
            elif isinstance(node, ast.Import):
                todo += [path for alias in node.names for path in _ours(alias.name)]
    return sorted(path for path in found if path.is_file())


#: A statement at the start of a line that imports from our package; a parenthesised
#: list of names runs on to its closing bracket.
_OUR_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+folio[.\w]*[ \t]+import[ \t]*(?:\([^)]*\)|[^\n]*)"
    r"|import[ \t]+folio[^\n]*)",
    re.MULTILINE,
)


def _import_nodes(source: str) -> list[ast.AST]:
    """The nodes of a module's import statements of our package: each parsed alone
    (parsing whole modules took 80 ms of every worker's start); the whole module is
    parsed when one does not parse alone (a backslash continuation, say)."""
    nodes: list[ast.AST] = []
    for statement in _OUR_IMPORT.finditer(source):
        try:
            nodes += ast.walk(ast.parse(statement.group().strip()))
        except SyntaxError:
            return list(ast.walk(ast.parse(source)))
    return nodes


def _ours(dotted: str) -> list[Path]:
    package, _, name = dotted.rpartition(".")
    return [_PACKAGE / f"{name}.py"] if package == _PACKAGE_NAME else []


class CacheUnavailable(Exception):
    """The cache file cannot be used (yet): the publisher has not made it."""


class Database:
    """One connection per thread, reopened when the publisher replaced the file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def connection(self) -> sqlite3.Connection:
        """This thread's connection to the file as it is now."""
        try:
            inode = self.path.stat().st_ino
        except FileNotFoundError:
            self.close()
            raise CacheUnavailable(str(self.path)) from None
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None and self._local.inode != inode:
            self.close()  # the file was replaced: the old one is gone for everyone
            db = None
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            # The cache can always be read again from the files: a commit need not wait for
            # the disk (in WAL mode the file stays whole whatever happens; a power cut can
            # only lose the last commits, which the next start reads again).
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db, self._local.inode = db, inode
        return db

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    @contextmanager
    def writing(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: one writer at a time, readers carry on."""
        db = self.connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def prepare(self, expected: Mapping[str, str]) -> None:
        """Make the file usable; empty it unless its info matches `expected` (and the code)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._open_checked(expected)
        except sqlite3.OperationalError:
            raise  # locked or a passing I/O error: not damage, and not ours to delete
        except sqlite3.DatabaseError as e:
            log.warning("content cache %s cannot be read (%s): starting a new one", self.path, e)
            self.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self._open_checked(expected)

    def written_as(self, db: sqlite3.Connection, expected: Mapping[str, str]) -> bool:
        """Whether the rows were written as `expected` says, by this code and schema: a
        worker started before (or after) a deploy never takes in the other code's rows,
        whose format it may not read; it waits for the publisher to write them again."""
        wanted = {**expected, "code": code_version(), "schema": str(SCHEMA)}
        keys = ", ".join("?" * len(wanted))
        found = db.execute(f"SELECT key, value FROM info WHERE key IN ({keys})", list(wanted))  # noqa: S608
        return dict(found.fetchall()) == wanted

    def _open_checked(self, expected: Mapping[str, str]) -> None:
        self.path.touch(exist_ok=True)
        db = self.connection()
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS info (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        info = dict(db.execute("SELECT key, value FROM info").fetchall())
        wanted = {**expected, "code": code_version()}
        if info.get("schema") != str(SCHEMA):
            db.executescript(_DROP)  # made by other code: its rows are read again anyway
        db.executescript(_TABLES)
        wanted["schema"] = str(SCHEMA)
        if any(info.get(key) != value for key, value in wanted.items()):
            with self.writing():
                db.execute("DELETE FROM files")
                db.execute("DELETE FROM bodies")
                db.execute("DELETE FROM pending")
                db.execute("DELETE FROM info WHERE key LIKE 'site%'")  # not yet published
                db.executemany("INSERT OR REPLACE INTO info VALUES (?, ?)", wanted.items())
                generation = int(info.get("generation", 0)) + 1
                db.execute("INSERT OR REPLACE INTO info VALUES ('generation', ?)", (generation,))
                # Readers that see a new epoch read everything again.
                db.execute("INSERT OR REPLACE INTO info VALUES ('epoch', ?)", (token_hex(8),))
