from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from folio.content import snapshot as snapshot_module
from folio.content.entries import StoredRendering
from folio.content.store import ContentStore
from tests.conftest import write_file


def touch_later(path: Path) -> None:
    """Make sure the next write gets a new mtime even on coarse clocks."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_first_load_reads_every_file(content: Path) -> None:
    store = ContentStore(content, interval=0)
    current = store.catalogue()
    assert [p.slug for p in current.posts] == ["third-post", "second-post", "first-post"]
    assert current.about is not None and current.about.summary == "We test things carefully."
    assert current.page("contact") is not None
    assert current.site.title == "Test Clinic"
    assert store.reads == 7  # about, 5 posts, 1 page, and nothing twice


def test_only_changed_files_are_read_again(content: Path) -> None:
    store = ContentStore(content, interval=0)
    store.catalogue()
    before = store.reads
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("title: Second post", "title: Renamed"))
    touch_later(path)
    current = store.catalogue()
    assert store.reads == before + 1
    post = current.post("second-post")
    assert post is not None and post.title == "Renamed"
    assert store.catalogue() is current  # nothing changed: same catalogue, no reads
    assert store.reads == before + 1


def test_added_and_deleted_files_are_picked_up(content: Path) -> None:
    store = ContentStore(content, interval=0)
    store.catalogue()
    new = write_file(content, "posts/2025-05-05-new.md", "title: New\ndate: 2025-05-05", "Hi.")
    assert store.catalogue().post("new") is not None
    new.unlink()
    (content / "pages/contact.md").unlink()
    current = store.catalogue()
    assert current.post("new") is None and current.page("contact") is None


def test_interval_limits_how_often_the_disk_is_looked_at(content: Path) -> None:
    store = ContentStore(content, interval=60)
    store.catalogue()
    write_file(content, "posts/2025-05-05-new.md", "title: New\ndate: 2025-05-05", "Hi.")
    assert store.catalogue().post("new") is None  # within the interval: no look
    store.refresh()
    assert store.catalogue().post("new") is not None


def test_scheduled_posts_appear_when_their_time_comes(content: Path) -> None:
    clock = {"now": datetime(2998, 12, 31, 23, 0, tzinfo=UTC)}
    store = ContentStore(content, interval=0, clock=lambda: clock["now"])
    assert store.catalogue().post("scheduled") is None
    clock["now"] += timedelta(hours=2)
    assert store.catalogue().post("scheduled") is not None


def test_broken_files_are_left_out_and_reported(content: Path) -> None:
    write_file(content, "posts/broken.md", "title: [unclosed\ndate: 2025-01-01", "Body")
    write_file(content, "posts/nodate.md", "title: No date", "Body")
    bad = content / "posts/binary.md"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    store = ContentStore(content, interval=0)
    assert len(store.catalogue().posts) == 3  # the good posts are all still there
    problems = {p.path: p.reason for p in store.problems()}
    assert "invalid YAML" in problems["posts/broken.md"]
    assert problems["posts/nodate.md"] == "missing 'date'"
    assert "cannot read file" in problems["posts/binary.md"]


def test_duplicate_slugs_resolve_to_the_first_file_by_name(content: Path) -> None:
    write_file(content, "posts/first-post.md", "title: Impostor\ndate: 2025-01-01", "Body")
    store = ContentStore(content, interval=0)
    post = store.catalogue().post("first-post")
    assert post is not None and post.title == "First post"  # 2025-01-10-… sorts first
    assert [str(p) for p in store.problems()] == [
        "posts/first-post.md: duplicate slug 'first-post': posts/2025-01-10-first-post.md is used"
    ]


def test_pages_cannot_take_a_reserved_path(content: Path) -> None:
    write_file(content, "pages/tags.md", "title: Tags page", "Body")
    store = ContentStore(content, interval=0)
    assert store.catalogue().page("tags") is None
    assert "reserved" in str(store.problems()[0])


def test_bad_site_settings_fall_back_to_defaults(content: Path) -> None:
    (content / "site.yml").write_text("title: [broken\n")
    store = ContentStore(content, interval=0)
    assert store.catalogue().site.title == "Folio"
    assert "cannot read site settings" in str(store.problems()[0])


def test_a_change_is_seen_within_the_interval(content: Path) -> None:
    store = ContentStore(content, interval=0.2)
    store.catalogue()
    write_file(content, "posts/2025-05-05-new.md", "title: New\ndate: 2025-05-05", "Hi.")
    deadline = time.monotonic() + 2
    while store.catalogue().post("new") is None:
        assert time.monotonic() < deadline, "change not picked up within 2 s"
        time.sleep(0.05)


def test_a_snapshot_spares_a_new_worker_from_reading_unchanged_files(
    content: Path, tmp_path: Path
) -> None:
    snapshot = tmp_path / "cache" / "content.pickle"
    first = ContentStore(content, interval=0, snapshot=snapshot)
    first.catalogue()
    assert snapshot.exists() and first.reads == 7
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("title: Second post", "title: Edited"))
    touch_later(path)
    second = ContentStore(content, interval=0, snapshot=snapshot)
    post = second.catalogue().post("second-post")
    assert second.reads == 1  # only the edited file
    assert post is not None and post.title == "Edited"


def test_a_snapshot_of_another_content_folder_is_not_used(content: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "cache" / "content.pickle"
    ContentStore(content, interval=0, snapshot=snapshot).catalogue()
    other = tmp_path / "other"
    write_file(other, "posts/2025-01-01-elsewhere.md", "title: Elsewhere\ndate: 2025-01-01", "x")
    store = ContentStore(other, interval=0, snapshot=snapshot, watch=True)
    try:
        assert [post.slug for post in store.catalogue().posts] == ["elsewhere"]
    finally:
        store.stop()


def test_a_damaged_snapshot_only_costs_a_full_read(content: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "content.pickle"
    snapshot.write_bytes(b"not a pickle")
    store = ContentStore(content, interval=0, snapshot=snapshot)
    assert len(store.catalogue().posts) == 3 and store.reads == 7


def test_a_restored_worker_reads_bodies_only_when_asked(content: Path, tmp_path: Path) -> None:
    snapshot = tmp_path / "cache" / "content.pickle"
    ContentStore(content, interval=0, snapshot=snapshot).catalogue()
    bodies = sorted((tmp_path / "cache" / "bodies").glob("*.pickle"))
    assert len(bodies) == 7  # one per readable file
    restored = ContentStore(content, interval=0, snapshot=snapshot)
    post = restored.catalogue().post("first-post")
    assert post is not None and isinstance(post.rendered, StoredRendering)
    assert post.title == "First post" and restored.reads == 0
    assert '<h2 id="section-one">' in post.body and "Words about sleep" in post.text
    for body in bodies:
        body.unlink()  # lost bodies are rendered again from their files
    again = ContentStore(content, interval=0, snapshot=snapshot).catalogue().post("third-post")
    assert again is not None and 'href="/posts/first-post/"' in again.body


def test_the_snapshot_is_versioned_by_every_module_whose_classes_it_holds(
    content: Path, tmp_path: Path
) -> None:
    snapshot = tmp_path / "cache" / "content.pickle"
    ContentStore(content, interval=0, snapshot=snapshot).catalogue()
    modules: set[str] = set()

    class Recorder(pickle.Unpickler):
        def find_class(self, module: str, name: str) -> object:
            modules.add(module)
            return super().find_class(module, name)

    for saved in [snapshot, *(tmp_path / "cache" / "bodies").glob("*.pickle")]:
        with saved.open("rb") as f:
            Recorder(f).load()
    ours = {
        module.removeprefix("folio.").replace(".", "/")
        for module in modules
        if module.startswith("folio.")
    }
    assert ours and ours <= set(snapshot_module._SHAPING)


def test_a_watching_worker_serves_its_snapshot_at_once_then_catches_up(
    content: Path, tmp_path: Path
) -> None:
    snapshot = tmp_path / "cache" / "content.pickle"
    ContentStore(content, interval=0, snapshot=snapshot).catalogue()
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("title: Second post", "title: Edited"))
    touch_later(path)  # edited while no worker ran
    store = ContentStore(content, interval=0.05, snapshot=snapshot, watch=True)
    try:
        first = store.catalogue().post("second-post")
        assert first is not None and first.title == "Second post" and store.reads == 0
        deadline = time.monotonic() + 10
        while (post := store.catalogue().post("second-post")) and post.title != "Edited":
            assert time.monotonic() < deadline, "the watcher never picked up the edit"
            time.sleep(0.02)
        assert store.reads == 1
    finally:
        store.stop()


def wait_for(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def title(store: ContentStore, slug: str) -> str:
    post = store.catalogue().post(slug)
    return post.title if post else ""


@pytest.fixture
def watching(content: Path) -> Iterator[ContentStore]:
    """A store with its watcher thread, as in a gunicorn worker; stopped afterwards."""
    store = ContentStore(content, interval=0.05, watch=True)
    yield store
    store.stop()


def test_a_watching_worker_looks_only_when_a_file_changes(
    content: Path, watching: ContentStore
) -> None:
    watching.catalogue()
    wait_for(lambda: watching.looks >= 2)  # the first look after starting
    idle = watching.looks
    time.sleep(0.5)
    assert watching.looks == idle  # ten intervals passed: nothing was scanned
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("title: Second post", "title: Edited"))
    wait_for(lambda: title(watching, "second-post") == "Edited")
    write_file(content, "posts/2025/new-folder.md", "title: Nested\ndate: 2025-01-05", "Hi.")
    wait_for(lambda: title(watching, "new-folder") == "Nested")  # in a folder made just now
    (content / "posts/2025/new-folder.md").write_text("---\ntitle: Again\ndate: 2025-01-05\n---\n")
    wait_for(lambda: title(watching, "new-folder") == "Again")


def test_without_inotify_a_watching_worker_looks_every_interval(
    content: Path, watching: ContentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unavailable() -> None:
        raise OSError("inotify is not available here")

    monkeypatch.setattr("folio.content.watching.INotify", unavailable)
    watching.catalogue()  # the watcher thread starts here, without inotify
    wait_for(lambda: watching.looks >= 5)
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("title: Second post", "title: Polled"))
    touch_later(path)
    wait_for(lambda: title(watching, "second-post") == "Polled")


def test_running_out_of_inotify_watches_falls_back_to_looking(
    content: Path, watching: ContentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    from inotify_simple import INotify

    class Limited(INotify):  # type: ignore[misc]
        def add_watch(self, path: str, mask: int) -> int:
            if path.endswith("2025"):  # the limit is reached at a folder made later
                raise OSError(28, "No space left on device")
            return int(super().add_watch(path, mask))

    monkeypatch.setattr("folio.content.watching.INotify", Limited)
    watching.catalogue()
    wait_for(lambda: watching.looks >= 2)  # watching, with inotify
    write_file(content, "posts/2025/new-folder.md", "title: Nested\ndate: 2025-01-05", "Hi.")
    wait_for(lambda: title(watching, "new-folder") == "Nested")
    path = content / "posts/2025/new-folder.md"
    path.write_text("---\ntitle: Again\ndate: 2025-01-05\n---\n")
    touch_later(path)
    wait_for(lambda: title(watching, "new-folder") == "Again")  # looked for, on the timer
