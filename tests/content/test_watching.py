from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from folio.content.watching import ChangeFeed
from tests.conftest import write_file


def waits(feed: ChangeFeed, seconds: float = 5.0) -> float:
    """How long feed.wait took to return."""
    started = time.monotonic()
    feed.wait(threading.Event())
    assert time.monotonic() - started < seconds
    return time.monotonic() - started


def write_soon(path: Path, text: str, delay: float = 0.2) -> None:
    timer = threading.Timer(delay, lambda: write_file(path.parent, path.name, body=text))
    timer.start()


def test_a_change_ends_the_wait_at_once_and_a_new_folder_is_watched(content: Path) -> None:
    feed = ChangeFeed(content, interval=30.0)
    try:
        write_soon(content / "posts/2025/nested.md", "new")
        assert waits(feed) < 2
        assert not feed.pending()
        write_soon(content / "posts/2025/nested.md", "edited in a folder made just now")
        assert waits(feed) < 2
    finally:
        feed.close()


def test_pending_tells_of_a_change_without_waiting(content: Path) -> None:
    feed = ChangeFeed(content, interval=30.0)
    try:
        assert not feed.pending()
        write_file(content, "posts/x.md", body="x")
        time.sleep(0.1)
        assert feed.pending()
    finally:
        feed.close()


def test_without_inotify_the_wait_is_the_interval(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable() -> None:
        raise OSError("inotify is not available here")

    monkeypatch.setattr("folio.content.watching.INotify", unavailable)
    feed = ChangeFeed(content, interval=0.2)
    assert 0.15 < waits(feed) < 2
    assert not feed.pending()


def test_running_out_of_watches_falls_back_to_the_interval(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inotify_simple import INotify

    class Limited(INotify):  # type: ignore[misc]
        def add_watch(self, path: str, mask: int) -> int:
            if path.endswith("2025"):  # the limit is reached at a folder made later
                raise OSError(28, "No space left on device")
            return int(super().add_watch(path, mask))

    monkeypatch.setattr("folio.content.watching.INotify", Limited)
    feed = ChangeFeed(content, interval=0.2)
    write_soon(content / "posts/2025/nested.md", "new")
    waits(feed)  # inotify saw the new folder, and could not watch it
    assert 0.15 < waits(feed) < 2  # now on the timer


def test_the_feed_says_which_files_changed_and_when_to_look_at_all(content: Path) -> None:
    feed = ChangeFeed(content, interval=30.0)
    try:
        post = content / "posts" / "2025-01-10-first-post.md"
        write_soon(post, "edited")
        waits(feed)
        assert feed.take() == {str(post)}
        assert feed.take() == set()  # taken once
        (content / "posts" / "2025-01-10-first-post.md").unlink()
        assert feed.pending()
        assert feed.take() == {str(post)}  # a deletion names the file too
        write_soon(content / "pages/team/lead.md", "a page in a new folder")
        waits(feed)
        assert feed.take() is None  # a new folder: look at everything
    finally:
        feed.close()


def test_without_inotify_every_wait_asks_for_a_look_at_every_file(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> None:
        raise OSError("no inotify here")

    monkeypatch.setattr("folio.content.watching.INotify", missing)
    feed = ChangeFeed(content, interval=0.05)
    feed.wait(threading.Event())
    assert feed.take() is None


def test_a_change_seen_by_pending_ends_the_next_wait_at_once(content: Path) -> None:
    feed = ChangeFeed(content, interval=30.0)
    try:
        post = content / "posts" / "2025-01-10-first-post.md"
        post.write_text(post.read_text() + "more")
        assert feed.pending()  # a backlog looks between two bodies
        assert waits(feed) < 0.5  # the change is published now, not at the next event
        assert feed.take() == {str(post)}
    finally:
        feed.close()


def write_in_place_slowly(path: Path, first: str, rest: str, pause: float) -> threading.Thread:
    """An editor saving in place: truncate, write part, pause, write the rest, close."""

    def write() -> None:
        with path.open("w") as file:
            file.write(first)
            file.flush()
            time.sleep(pause)
            file.write(rest)

    writer = threading.Thread(target=write)
    writer.start()
    return writer


def test_a_file_being_written_is_taken_once_it_is_closed(content: Path) -> None:
    feed = ChangeFeed(content, interval=30.0)
    post = content / "posts" / "2025-01-10-first-post.md"
    whole = "---\ntitle: Whole\n---\n" + "body " * 100
    try:
        writer = write_in_place_slowly(post, whole[:5], whole[5:], pause=0.3)
        waits(feed)
        assert feed.take() == {str(post)}
        assert post.read_text() == whole  # not the truncated or half-written file
        writer.join()
    finally:
        feed.close()


def test_a_file_held_open_is_taken_after_a_bounded_wait(
    content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("folio.content.watching.WRITE_WAIT", 0.3)
    feed = ChangeFeed(content, interval=30.0)
    post = content / "posts" / "2025-01-10-first-post.md"
    try:
        writer = write_in_place_slowly(post, "---\n", "title: Late\n---\n", pause=2.0)
        waits(feed)
        started = time.monotonic()
        assert feed.take() == {str(post)}
        assert 0.25 < time.monotonic() - started < 1.5
        writer.join()
        waits(feed)  # the close is a change of its own
        assert feed.take() == {str(post)}
    finally:
        feed.close()


def test_an_editors_swap_file_held_open_is_not_waited_for(content: Path) -> None:
    feed = ChangeFeed(content, interval=30.0)
    swap = content / "posts" / ".2025-01-10-first-post.md.swp"
    try:
        with swap.open("w") as file:
            file.write("vim's swap file stays open while the file is edited")
            file.flush()
            waits(feed)
            started = time.monotonic()
            feed.take()
            assert time.monotonic() - started < 0.2
    finally:
        feed.close()
