"""The index follows the content: builds, small updates, damage, locks, several processes."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from folio.content.store import ContentStore
from folio.search import index as indexing
from folio.search.index import Difference, IndexFolder
from folio.search.service import SiteSearch
from tests.conftest import write_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(content: Path) -> ContentStore:
    return ContentStore(content, interval=0)


@pytest.fixture
def search(tmp_path: Path, store: ContentStore) -> SiteSearch:
    search = SiteSearch(IndexFolder(tmp_path / "index"), background=False)
    store.listeners.append(search.sync)
    return search


def urls(search: SiteSearch, store: ContentStore, query: str) -> list[str]:
    return [hit.url for hit in search.search(store.catalogue(), query).hits]


def test_first_load_builds_the_index_without_drafts_or_scheduled_posts(
    search: SiteSearch, store: ContentStore
) -> None:
    store.catalogue()
    status = search.status(store.catalogue())
    assert status.documents == 5  # three posts, the contact page and the about page
    assert not status.stale
    assert urls(search, store, "unfinished") == []
    assert urls(search, store, "future") == []
    assert urls(search, store, "telephone") == ["/contact/"]


def test_added_changed_and_deleted_files_are_written_alone(
    search: SiteSearch, store: ContentStore, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.catalogue()
    applied: list[Difference] = []
    real_apply = indexing.apply

    def recording_apply(ix: object, change: Difference) -> None:
        applied.append(change)
        real_apply(ix, change)  # type: ignore[arg-type]

    monkeypatch.setattr("folio.search.service.apply", recording_apply)
    write_file(
        content, "posts/2025-04-01-otters.md", "title: Otters\ndate: 2025-04-01", "Otters swim."
    )
    assert urls(search, store, "otters") == ["/posts/otters/"]
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("Second body text.", "Now about kayaks."))
    assert urls(search, store, "kayaks") == ["/posts/second-post/"]
    (content / "posts/2025-04-01-otters.md").unlink()
    assert urls(search, store, "otters") == []
    assert [(len(c.changed), len(c.deleted)) for c in applied] == [(1, 0), (1, 0), (0, 1)]


def test_a_rebuild_is_invisible_until_it_is_complete(
    search: SiteSearch, store: ContentStore, tmp_path: Path
) -> None:
    store.catalogue()
    folder = search.folder
    before = folder.current_name()
    seen: list[tuple[str | None, list[str]]] = []

    def midway(done: int) -> None:
        seen.append((folder.current_name(), urls(search, store, "telephone")))

    assert search.rebuild(store.catalogue(), progress=midway) is not None
    assert seen and all(name == before and found == ["/contact/"] for name, found in seen)
    assert folder.current_name() != before
    assert urls(search, store, "telephone") == ["/contact/"]


def test_a_failed_rebuild_leaves_the_live_index_alone(
    search: SiteSearch, store: ContentStore
) -> None:
    store.catalogue()
    before = search.folder.current_name()

    def fail(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        search.rebuild(store.catalogue(), progress=fail)
    assert search.folder.current_name() == before
    assert sorted(p.name for p in search.folder.path.glob("gen-*")) == [before]
    assert urls(search, store, "telephone") == ["/contact/"]


# Whoosh leaves the damaged TOC file open when it fails to read it (third-party code).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_a_corrupted_segment_is_rebuilt_without_an_error(
    search: SiteSearch, store: ContentStore
) -> None:
    store.catalogue()
    search.close()
    live = search.folder.path / str(search.folder.current_name())
    for segment in live.glob("*.seg"):
        segment.write_bytes(b"\x00garbage" * 100)
    for toc in live.glob("*.toc"):
        toc.write_bytes(b"not a toc")
    first = search.search(store.catalogue(), "telephone")  # finds the damage, rebuilds
    again = search.search(store.catalogue(), "telephone")
    assert first.rebuilding or [h.url for h in first.hits] == ["/contact/"]
    assert [h.url for h in again.hits] == ["/contact/"]
    gc.collect()  # let the leaked file's warning surface here, under this test's filter


def test_a_missing_index_says_it_is_being_rebuilt(tmp_path: Path, store: ContentStore) -> None:
    search = SiteSearch(IndexFolder(tmp_path / "index"), background=True)
    search.build_wait = 0.2
    lock = search.folder.build_lock()
    assert lock.acquire()  # as if another process were building it
    try:
        results = search.search(store.catalogue(), "telephone")
        search.wait()
        assert results.rebuilding and results.hits == ()
    finally:
        lock.release()


def test_stale_lock_files_do_not_block_writers(
    search: SiteSearch, store: ContentStore, content: Path
) -> None:
    store.catalogue()
    live = search.folder.path / str(search.folder.current_name())
    (live / "MAIN_WRITELOCK").write_text("left behind by a killed process")
    (search.folder.path / "BUILD.lock").write_text("also stale")
    write_file(content, "posts/2025-04-01-otters.md", "title: Otters\ndate: 2025-04-01", "Otters.")
    assert urls(search, store, "otters") == ["/posts/otters/"]
    assert search.rebuild(store.catalogue()) is not None


def test_a_busy_writer_elsewhere_never_blocks_this_worker(
    search: SiteSearch, store: ContentStore, content: Path
) -> None:
    store.catalogue()
    live = search.folder.path / str(search.folder.current_name())
    # Another worker holds Whoosh's write lock (fcntl locks belong to a process).
    other = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(live / "MAIN_WRITELOCK")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert other.stdout is not None and other.stdout.readline() == b"locked\n"
    try:
        write_file(content, "posts/2025-04-01-otters.md", "title: Otters\ndate: 2025-04-01", "x")
        results = search.search(store.catalogue(), "telephone")
        assert [h.url for h in results.hits] == ["/contact/"]  # served from the last commit
        assert urls(search, store, "otters") == []
    finally:
        other.communicate(b"", timeout=10)  # the holder releases the lock and exits
    assert urls(search, store, "otters") == ["/posts/otters/"]  # retried on the next request


HOLD_LOCK = textwrap.dedent(
    """
    import sys
    from whoosh.util.filelock import FileLock

    lock = FileLock(sys.argv[1])
    assert lock.acquire()
    print("locked", flush=True)
    sys.stdin.read()
    """
)

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from folio.search.index import IndexFolder
    from folio.search.service import SiteSearch
    from folio.content.store import ContentStore

    store = ContentStore(Path(sys.argv[1]), interval=0)
    search = SiteSearch(IndexFolder(Path(sys.argv[2])), background=True)
    store.listeners.append(search.sync)
    deadline = time.monotonic() + 60
    while True:
        results = search.search(store.catalogue(), "telephone")
        if not results.rebuilding:
            break
        assert time.monotonic() < deadline, "index never appeared"
        time.sleep(0.05)
    print(json.dumps({"hits": [h.url for h in results.hits],
                      "generation": search.folder.current_name()}))
    """
)


def test_two_workers_starting_on_an_empty_index_build_it_once(
    content: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(content), str(index)],
            stdout=subprocess.PIPE,
            env=env,
            cwd=ROOT,
        )
        for _ in range(2)
    ]
    outputs = [json.loads(worker.communicate(timeout=90)[0]) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers)
    assert [o["hits"] for o in outputs] == [["/contact/"], ["/contact/"]]
    assert len({o["generation"] for o in outputs}) == 1
    assert len(list(index.glob("gen-*"))) == 1  # exactly one build happened


def test_an_index_of_an_older_schema_serves_until_its_replacement_is_live(
    tmp_path: Path, store: ContentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = IndexFolder(tmp_path / "index")
    SiteSearch(folder, background=False).sync(store.catalogue())
    built = folder.current_name()
    assert built is not None and not folder.outdated(built)
    older = built.rsplit("-v", 1)[0]  # named as a build of an earlier schema is
    (folder.path / built).rename(folder.path / older)
    folder.current_file.write_text(older)
    monkeypatch.setattr("folio.search.service.SMALL_UPDATE", 0)  # as on a big site
    worker = SiteSearch(folder, background=True)
    first = worker.search(store.catalogue(), "telephone")  # starts the rebuild, serves the old
    assert not first.rebuilding and [hit.url for hit in first.hits] == ["/contact/"]
    worker.wait()
    assert folder.current_name() not in (older, None)
    assert not folder.outdated(folder.current_name() or "")
    assert [hit.url for hit in worker.search(store.catalogue(), "telephone").hits] == ["/contact/"]
    worker.close()


def test_a_commit_elsewhere_while_opening_is_not_damage(
    search: SiteSearch, store: ContentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.catalogue()
    name = search.folder.current_name()
    assert name is not None
    real_open = whoosh_index.open_dir
    failures = iter([True, True])

    def racing_open(path: str) -> object:
        if next(failures, False):  # the table of contents was just replaced
            raise FileNotFoundError(path + "/_MAIN_5.toc")
        return real_open(path)

    monkeypatch.setattr(whoosh_index, "open_dir", racing_open)
    search.close()
    assert [hit.url for hit in search.search(store.catalogue(), "telephone").hits] == ["/contact/"]
    assert search.folder.current_name() == name  # served, not rebuilt


def test_a_worker_serving_an_unchecked_snapshot_leaves_the_index_alone(
    tmp_path: Path, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = tmp_path / "cache" / "content.pickle"
    folder = IndexFolder(tmp_path / "index")
    ContentStore(content, interval=0, snapshot=snapshot).catalogue()  # saves the snapshot
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("Second body text.", "Now about kayaks."))
    SiteSearch(folder, background=False).sync(ContentStore(content, interval=0).catalogue())
    applied: list[Difference] = []
    monkeypatch.setattr("folio.search.service.apply", lambda ix, change: applied.append(change))
    worker = ContentStore(content, interval=0.05, snapshot=snapshot, watch=True)
    search = SiteSearch(folder, background=False)
    worker.listeners.append(search.sync)
    try:
        assert worker.catalogue().provisional  # the snapshot still has the old text
        search.prepare(worker.catalogue())
        assert applied == []  # its older version is not written over the index's
        deadline = time.monotonic() + 10
        while worker.catalogue().provisional:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        assert applied == []  # checked: the files are what the index already holds
        assert [h.url for h in search.search(worker.catalogue(), "kayaks").hits] == [
            "/posts/second-post/"
        ]
    finally:
        worker.stop()
        search.close()
