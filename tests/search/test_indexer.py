"""The index follows published content: one writer, small updates, whole rebuilds."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from whoosh.index import LockError

from folio.content.cache import ContentCache
from folio.content.catalogue import Catalogue
from folio.content.entries import Page
from folio.content.library import Library
from folio.publishing import Publishing
from folio.search import updates
from folio.search.engine import CODEC, segment_sizes
from folio.search.indexer import MARK_FILE
from folio.search.updates import Commit, Difference
from folio.site import Site
from tests.conftest import eventually, settle, write_file


def site_of(app: Flask) -> Site:
    site: Site = app.extensions["folio"]
    return site


def urls(app: Flask, query: str) -> list[str]:
    site = site_of(app)
    site.refresh()
    return [hit.url for hit in site.search.search(site.library.catalogue(), query).hits]


def test_the_first_build_leaves_out_drafts_and_scheduled_posts(app: Flask) -> None:
    site = site_of(app)
    status = site.search.status(site.library.catalogue())
    assert status.documents == 5  # three posts, the contact page and the about page
    assert not status.stale
    assert urls(app, "unfinished") == []
    assert urls(app, "future") == []
    assert urls(app, "telephone") == ["/contact/"]


def test_added_changed_and_deleted_files_are_written_alone(
    app: Flask, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied: list[Difference] = []
    real_apply = updates.apply

    def recording_apply(ix: object, change: Difference, texts: Mapping[str, str]) -> Commit:
        applied.append(change)
        return real_apply(ix, change, texts)  # type: ignore[arg-type]

    monkeypatch.setattr("folio.search.indexer.apply", recording_apply)
    write_file(content, "posts/2025-04-01-otters.md", "title: Otters\ndate: 2025-04-01", "Swim.")
    eventually(lambda: urls(app, "otters") == ["/posts/otters/"])
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("Second body text.", "Now about kayaks."))
    eventually(lambda: urls(app, "kayaks") == ["/posts/second-post/"])
    (content / "posts/2025-04-01-otters.md").unlink()
    eventually(lambda: urls(app, "otters") == [])
    changes = [(len(c.changed), len(c.deleted)) for c in applied]
    assert changes == [(1, 0), (1, 0), (0, 1)]


def test_a_rebuild_is_invisible_until_it_is_complete(app: Flask) -> None:
    site = site_of(app)
    before = site.index.current_name()
    seen: list[tuple[str | None, list[str]]] = []

    def midway(done: int) -> None:
        seen.append((site.index.current_name(), urls(app, "telephone")))

    # The site's own indexer may hold the build lock for a moment: try until ours runs.
    eventually(lambda: site.publishing.indexer.rebuild(progress=midway) is not None)
    assert seen and all(name == before and found == ["/contact/"] for name, found in seen)
    assert site.index.current_name() != before
    assert urls(app, "telephone") == ["/contact/"]


def test_a_failed_rebuild_leaves_the_live_index_alone(app: Flask) -> None:
    site = site_of(app)
    before = site.index.current_name()

    def fail(done: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        site.publishing.indexer.rebuild(progress=fail)
    assert site.index.current_name() == before
    assert len(list(site.index.path.glob("gen-*"))) == 1  # the half-built one is gone
    assert urls(app, "telephone") == ["/contact/"]


def test_stale_lock_files_do_not_block_the_writer(app: Flask, content: Path) -> None:
    site = site_of(app)
    live = site.index.path / str(site.index.current_name())
    (live / "MAIN_WRITELOCK").write_text("left behind by a killed process")
    (site.index.path / "BUILD.lock").write_text("also stale")
    write_file(content, "posts/2025-04-01-otters.md", "title: Otters\ndate: 2025-04-01", "x")
    eventually(lambda: urls(app, "otters") == ["/posts/otters/"])
    assert site.publishing.indexer.rebuild() is not None


def test_an_index_of_an_older_schema_serves_until_its_replacement_is_live(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    first = make_app()
    settle(first)
    folder = site_of(first).index
    built = folder.current_name()
    assert built is not None
    site_of(first).stop()
    older = built.rsplit("-v", 1)[0] + "-v2"  # named as a build of an earlier schema is
    (folder.path / built).rename(folder.path / older)
    folder.current_file.write_text(older)
    again = make_app()
    site_of(again).start()
    assert urls(again, "telephone") == ["/contact/"]  # the old one serves meanwhile
    eventually(lambda: folder.current_name() not in (older, None))
    assert urls(again, "telephone") == ["/contact/"]


def test_many_changes_at_once_are_a_new_build_not_an_update(
    app: Flask, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("folio.search.indexer.REBUILD_FROM", 1)
    indexer = site_of(app).publishing.indexer
    builds: list[int] = []
    real_rebuild = indexer.rebuild

    def counted(*args: object, **kwargs: object) -> object:
        builds.append(1)
        return real_rebuild(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(indexer, "rebuild", counted)
    # The bodies of a change that makes a build are not read here: the build reads them
    # in its own processes (at 100k posts this process held every text during the build).
    read: list[int] = []  # how many rendered bodies each look read
    real_texts = indexer._texts

    def texts(entries: tuple[Page, ...]) -> dict[str, str]:
        read.append(sum(entry.summary is not None for entry in entries))
        return real_texts(entries)

    monkeypatch.setattr(indexer, "_texts", texts)
    write_file(content, "posts/2025-04-01-otters.md", "title: Otters\ndate: 2025-04-01", "Swim.")
    write_file(content, "posts/2025-04-02-voles.md", "title: Voles\ndate: 2025-04-02", "Dig.")
    eventually(lambda: urls(app, "otters") == ["/posts/otters/"] and urls(app, "voles"))
    assert builds
    assert max(read, default=0) <= 1  # REBUILD_FROM: beyond it, a build


def test_the_index_waits_for_a_render_backlog_to_end(
    app: Flask, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_of(app)
    backlog = [5000]
    monkeypatch.setattr(site.cache, "backlog", lambda: backlog[0])
    write_file(content, "posts/2025-04-01-otters.md", "title: Otters\ndate: 2025-04-01", "Swim.")
    eventually(lambda: site.library.catalogue().post("otters") is not None)
    attempts = site.publishing.indexer.attempts
    eventually(lambda: site.publishing.indexer.attempts > attempts + 1)
    assert urls(app, "otters") == []  # a start or a checkout is still rendering
    backlog[0] = 0
    eventually(lambda: urls(app, "otters") == ["/posts/otters/"])


def test_a_commit_by_another_writer_is_read_back_at_the_next_comparison(
    app: Flask, content: Path
) -> None:
    site = site_of(app)
    write_file(content, "posts/2025-03-01-herons.md", "title: Herons\ndate: 2025-03-01", "Wade.")
    eventually(lambda: urls(app, "herons") == ["/posts/herons/"])  # compared once: kept
    assert "/posts/second-post/" in urls(app, "second")
    index = site.index.open(str(site.index.current_name()))
    writer = index.writer(codec=CODEC)
    writer.delete_by_term("url", "/posts/second-post/")
    writer.commit()  # not this indexer's: the versions it keeps are no longer the index's
    index.close()
    assert urls(app, "second") == []
    write_file(content, "posts/2025-04-01-otters.md", "title: Otters\ndate: 2025-04-01", "Swim.")
    eventually(lambda: urls(app, "otters") == ["/posts/otters/"])
    eventually(lambda: "/posts/second-post/" in urls(app, "second"))


def record_comparisons(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many entries each comparison of the index with the catalogue looks at."""
    compared: list[int] = []
    real = updates.difference

    def recording(entries: list[Page], *args: Any) -> Difference:
        compared.append(len(entries))
        return real(entries, *args)

    monkeypatch.setattr("folio.search.indexer.difference", recording)
    return compared


def edit(app: Flask, path: Path, old: str, new: str) -> None:
    """Replace a word in a post and wait until search finds the new one."""
    path.write_text(path.read_text().replace(old, new))
    eventually(lambda: urls(app, new) == ["/posts/second-post/"])


def test_an_edit_is_compared_at_its_own_address_not_at_every_entry(
    app: Flask, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared = record_comparisons(monkeypatch)
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("Second body text.", "Now about kayaks."))
    eventually(lambda: urls(app, "kayaks") == ["/posts/second-post/"])
    path.write_text(path.read_text().replace("kayaks", "canoes"))
    eventually(lambda: urls(app, "canoes") == ["/posts/second-post/"])
    assert urls(app, "kayaks") == []
    # The first comparison after start looks at every entry; an edit that moves nothing in
    # the catalogue (its text) only at the edited one.
    assert compared and max(compared[1:], default=1) == 1
    edits = len(compared)
    write_file(content, "posts/2025-04-01-otters.md", "title: Otters\ndate: 2025-04-01", "Swim.")
    eventually(lambda: urls(app, "otters") == ["/posts/otters/"])
    assert 6 in compared[edits:]  # a new post moves the catalogue: every entry is compared


def test_an_edit_is_compared_alone_however_many_were_before_it(
    app: Flask, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A start's bodies, rendered in the background, swap every entry of a 100k site in
    place: a later edit compared with all of them cost 1.5 s of CPU."""
    compared = record_comparisons(monkeypatch)
    second = content / "posts/2025-02-20-second-post.md"
    second.write_text(second.read_text().replace("Second body text.", "Now about kayaks."))
    eventually(lambda: urls(app, "kayaks") == ["/posts/second-post/"])
    first = content / "posts/2025-01-10-first-post.md"
    first.write_text(first.read_text() + "\n\nAbout canoes.\n")
    eventually(lambda: urls(app, "canoes") == ["/posts/first-post/"])
    assert compared[1:] and set(compared[1:]) == {1}, compared


def test_a_write_a_busy_writer_refused_is_tried_again(
    app: Flask, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusals = [LockError("the command line's writer")]
    real_apply = updates.apply

    def busy_once(ix: Any, change: Difference, texts: Mapping[str, str]) -> Commit:
        if refusals:
            raise refusals.pop()
        return real_apply(ix, change, texts)

    monkeypatch.setattr("folio.search.indexer.apply", busy_once)
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("Second body text.", "Now about kayaks."))
    eventually(lambda: urls(app, "kayaks") == ["/posts/second-post/"])
    assert not refusals


def test_the_segments_edits_leave_are_merged_when_idle(
    app: Flask, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = site_of(app)

    def segments() -> int:
        index = site.index.open(str(site.index.current_name()))
        try:
            return len(segment_sizes(index))
        finally:
            index.close()

    before = segments()
    path = content / "posts/2025-02-20-second-post.md"
    for word in ("kayaks", "canoes", "rafts"):
        path.write_text(path.read_text().replace("Second body text.", f"About {word}."))
        eventually(lambda: urls(app, word) == ["/posts/second-post/"])  # noqa: B023
        path.write_text(path.read_text().replace(f"About {word}.", "Second body text."))
        eventually(lambda: urls(app, word) == [])  # noqa: B023
    assert segments() >= before + 3  # one commit per edit, none merged meanwhile
    monkeypatch.setattr("folio.search.indexer.TIDY_AFTER", 0.0)
    eventually(lambda: segments() == 1)  # the indexer's next quiet look merges them
    assert urls(app, "second") == ["/posts/second-post/"]
    assert urls(app, "telephone") == ["/contact/"]


def stopped_after_an_edit(make_app: Callable[..., Flask], content: Path) -> tuple[Site, Path]:
    """A settled site whose second post was edited (to mention kayaks), then stopped: its
    index mark kept. Returns the stopped site and the edited file."""
    first = make_app()
    settle(first)
    path = content / "posts/2025-02-20-second-post.md"
    edit(first, path, "Second body text.", "About kayaks.")
    site = site_of(first)
    site.stop()
    return site, path


def test_a_restart_in_line_with_the_index_compares_only_the_edits_since(
    make_app: Callable[..., Flask], content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, path = stopped_after_an_edit(make_app, content)
    assert (first.index.path / MARK_FILE).exists()
    compared = record_comparisons(monkeypatch)
    again = make_app()
    site_of(again).start()
    edit(again, path, "kayaks", "canoes")
    assert urls(again, "kayaks") == []
    assert compared and max(compared) == 1  # never every entry (300 ms at 100k posts)


def test_an_edit_published_before_the_indexer_looks_is_compared_alone(
    make_app: Callable[..., Flask], content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100k posts the indexer starts seconds after a publisher's start began: an edit
    made meanwhile is published first, and must not cost a comparison of every entry."""
    _, path = stopped_after_an_edit(make_app, content)
    go = threading.Event()
    real = Publishing._start_indexer

    def late(self: Publishing, started: Catalogue) -> None:
        go.wait(10)
        real(self, started)

    monkeypatch.setattr(Publishing, "_start_indexer", late)
    compared = record_comparisons(monkeypatch)
    again = make_app()
    site = site_of(again)
    site.start()
    before = site.library.catalogue().entry("/posts/second-post/")
    path.write_text(path.read_text().replace("kayaks", "canoes"))
    eventually(lambda: site.library.catalogue().entry("/posts/second-post/") != before)
    go.set()
    eventually(lambda: urls(again, "canoes") == ["/posts/second-post/"])
    assert compared and max(compared) == 1


def test_an_edit_made_while_the_publishing_worker_takes_in_its_catalogue_is_published_meanwhile(
    make_app: Callable[..., Flask], content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 100k posts the publishing worker takes its catalogue in for 2-3 s after its look
    at the files: an edit made then is published for the serving workers at once, and is
    not in the start's catalogue (the indexer still compares it alone)."""
    _, path = stopped_after_an_edit(make_app, content)
    go, holding = threading.Event(), threading.Event()
    real = Library.refresh

    def slow(self: Library, read: threading.Event | None = None) -> bool:
        changed = real(self, read)
        if read is not None:  # the start's: taken in, as if it took seconds
            holding.set()
            go.wait(10)
        return changed

    monkeypatch.setattr(Library, "refresh", slow)
    compared = record_comparisons(monkeypatch)
    again = make_app()
    site = site_of(again)
    starting = threading.Thread(target=site.start)
    starting.start()
    assert holding.wait(10)
    path.write_text(path.read_text().replace("kayaks", "canoes"))
    # Another worker's look at the cache finds the edit while this one is still starting.
    serving = Library(ContentCache(site.cache.path, content, site.cache.rendering), body_wait=0)
    eventually(lambda: (serving.refresh(), "canoes" in _text(serving))[1])
    assert starting.is_alive()
    go.set()
    starting.join(10)
    eventually(lambda: urls(again, "canoes") == ["/posts/second-post/"])
    assert compared and max(compared) == 1


def _text(library: Library) -> str:
    """The second post's rendered text as this library has it ("" until rendered)."""
    entry = library.catalogue().entry("/posts/second-post/")
    body = library.body(entry) if entry is not None else None
    return "" if body is None else body.text


def test_content_changed_while_stopped_is_compared_in_full(
    make_app: Callable[..., Flask], content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, path = stopped_after_an_edit(make_app, content)
    path.write_text(path.read_text().replace("kayaks", "rafts"))  # while nothing runs
    # The mark's digest did not match: every entry was compared.
    assert max(restarted_until_rafts(make_app, monkeypatch)) == 5


def restarted_until_rafts(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """A new start, until search finds the second post by "rafts" and no longer by
    "kayaks"; how many entries each of its comparisons looked at."""
    compared = record_comparisons(monkeypatch)
    again = make_app()
    site_of(again).start()
    eventually(lambda: urls(again, "rafts") == ["/posts/second-post/"])
    assert urls(again, "kayaks") == []
    return compared


def test_content_published_but_not_indexed_before_a_stop_is_compared_in_full(
    make_app: Callable[..., Flask], content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, path = stopped_after_an_edit(make_app, content)
    path.write_text(path.read_text().replace("kayaks", "rafts"))
    site.publishing.publisher.publish()  # as a publisher killed before its indexer looked
    # The mark's digest did not match: every entry was compared.
    assert max(restarted_until_rafts(make_app, monkeypatch)) == 5


def test_a_mark_of_another_commit_is_not_trusted(
    make_app: Callable[..., Flask], content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = stopped_after_an_edit(make_app, content)
    folder = first.index
    index = folder.open(str(folder.current_name()))
    try:
        updates.apply(index, Difference((), ("/posts/second-post/",)), {})  # another writer
    finally:
        index.close()
    compared = record_comparisons(monkeypatch)
    again = make_app()
    site_of(again).start()
    eventually(lambda: urls(again, "kayaks") == ["/posts/second-post/"])  # put back
    assert max(compared) == 5


def test_merging_the_segments_keeps_the_index_in_line(
    app: Flask, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = content / "posts/2025-02-20-second-post.md"
    edit(app, path, "Second body text.", "About kayaks.")
    edit(app, path, "kayaks", "canoes")
    edit(app, path, "canoes", "rafts")
    site = site_of(app)
    generation = site.index.open(str(site.index.current_name())).latest_generation()
    monkeypatch.setattr("folio.search.indexer.TIDY_AFTER", 0.0)
    eventually(
        lambda: site.index.open(str(site.index.current_name())).latest_generation() > generation
    )
    compared = record_comparisons(monkeypatch)
    edit(app, path, "rafts", "barges")
    assert compared and max(compared) == 1


def test_a_serving_workers_writes_hold_few_postings_in_memory(
    app: Flask, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoosh's writer keeps 128 MB of postings (by its own estimate) before it sorts them
    into a run on disk: a worker writing the bodies a cold 10k start rendered after its
    build began went from 103 to 231 MB, for good."""
    from whoosh.index import FileIndex

    limits: list[object] = []
    real_writer = FileIndex.writer

    def writer(self: FileIndex, **kwargs: Any) -> Any:
        limits.append(kwargs.get("limitmb"))
        return real_writer(self, **kwargs)

    monkeypatch.setattr(FileIndex, "writer", writer)
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("Second body text.", "Now about kayaks."))
    eventually(lambda: urls(app, "kayaks") == ["/posts/second-post/"])
    assert limits and set(limits) == {updates.WRITER_MB} and updates.WRITER_MB <= 16
