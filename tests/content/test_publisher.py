from __future__ import annotations

import ast
import json
import os
import pickle
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app import ROOT
from folio.content import catalogue as catalogue_module
from folio.content import publisher as publisher_module
from folio.content.bounded import Job, RenderPool, RenderRefused
from folio.content.cache import ContentCache
from folio.content.database import CacheUnavailable, _import_nodes, stored_by
from folio.content.library import Library
from folio.content.publisher import READ_IN_PARALLEL, Publisher, Settings
from folio.content.records import PAGE_FIELDS
from folio.content.signals import content_published
from tests.conftest import write_file, write_posts


def touch_later(path: Path) -> None:
    """Make sure the next write gets a new mtime even on coarse clocks."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


class Pipeline:
    """A publisher and a library on one cache, as the publishing process holds them."""

    def __init__(self, content: Path, cache_file: Path, pool: RenderPool, **library: object):
        self.cache = ContentCache(cache_file, content)
        self.cache.prepare()
        self.publisher = Publisher(Settings(content, max_bytes=64 * 1024), self.cache, pool)
        self.library = Library(self.cache, **library)  # type: ignore[arg-type]

    def run(self) -> Library:
        self.publisher.publish()
        self.publisher.render_pending()
        self.library.refresh()
        return self.library


@pytest.fixture(scope="module")
def pool() -> Iterator[RenderPool]:
    with RenderPool(timeout=2.0) as started:
        yield started


@pytest.fixture
def pipeline(content: Path, tmp_path: Path, pool: RenderPool) -> Pipeline:
    return Pipeline(content, tmp_path / "cache" / "content.sqlite", pool)


def problems(cache: ContentCache) -> dict[str, str]:
    """Each file's problems as the cache holds them, by name."""
    _, rows, _ = cache.changes(("", 0))
    root = cache.root + "/"
    return {row.path.removeprefix(root): "; ".join(row.problems) for row in rows}


def test_first_publication_reads_and_renders_every_file(pipeline: Pipeline) -> None:
    current = pipeline.run().catalogue()
    assert [p.slug for p in current.posts] == ["third-post", "second-post", "first-post"]
    assert current.about is not None and current.about.summary == "We test things carefully."
    assert current.page("contact") is not None
    assert current.site.title == "Test Clinic"
    assert pipeline.publisher.reads == 7  # about, 5 posts, 1 page, and nothing twice
    assert pipeline.publisher.renders == 7
    post = current.post("first-post")
    assert post is not None
    body = pipeline.library.body(post)
    assert body is not None and "Words about sleep" in body.html


def test_only_changed_files_are_read_and_rendered_again(pipeline: Pipeline, content: Path) -> None:
    library = pipeline.run()
    path = content / "posts/2025-02-20-second-post.md"
    path.write_text(path.read_text().replace("Second body text.", "Edited body."))
    touch_later(path)
    library = pipeline.run()
    assert (pipeline.publisher.reads, pipeline.publisher.renders) == (8, 8)
    post = library.catalogue().post("second-post")
    assert post is not None
    body = library.body(post)
    assert body is not None and "Edited body." in body.html
    assert pipeline.publisher.publish() is False  # nothing changed: nothing read, no write


def test_added_and_deleted_files_are_picked_up(pipeline: Pipeline, content: Path) -> None:
    pipeline.run()
    new = write_file(content, "posts/2025-05-05-new.md", "title: New\ndate: 2025-05-05", "Hi.")
    assert pipeline.run().catalogue().post("new") is not None
    new.unlink()
    (content / "pages/contact.md").unlink()
    current = pipeline.run().catalogue()
    assert current.post("new") is None and current.page("contact") is None


def test_scheduled_posts_appear_when_their_time_comes(
    content: Path, tmp_path: Path, pool: RenderPool
) -> None:
    clock = {"now": datetime(2998, 12, 31, 23, 0, tzinfo=UTC)}
    pipeline = Pipeline(content, tmp_path / "c.sqlite", pool, clock=lambda: clock["now"])
    assert pipeline.run().catalogue().post("scheduled") is None
    clock["now"] += timedelta(hours=2)
    assert pipeline.library.refresh() is True
    assert pipeline.library.catalogue().post("scheduled") is not None


def test_broken_files_are_left_out_and_named(pipeline: Pipeline, content: Path) -> None:
    write_file(content, "posts/broken.md", "title: [unclosed\ndate: 2025-01-01", "Body")
    write_file(content, "posts/nodate.md", "title: No date", "Body")
    write_file(content, "posts/feb30.md", "title: Leap\ndate: 2024-02-30", "Body")
    (content / "posts/open.md").write_text("---\ntitle: Open\ndate: 2025-01-01\n\nBody.\n")
    (content / "posts/binary.md").write_bytes(b"\xff\xfe\x00garbage")
    write_file(content, "posts/huge.md", "title: Huge\ndate: 2025-01-01", "word " * 20_000)
    assert len(pipeline.run().catalogue().posts) == 3  # the good posts are all still there
    found = problems(pipeline.cache)
    assert "invalid YAML" in found["posts/broken.md"]
    assert found["posts/nodate.md"] == "missing 'date'"
    assert "day is out of range" in found["posts/feb30.md"]
    assert "no closing '---'" in found["posts/open.md"]
    assert "not UTF-8" in found["posts/binary.md"]
    assert "MAX_CONTENT_FILE_BYTES" in found["posts/huge.md"]


def test_a_body_that_renders_too_long_is_refused_and_left_out(
    content: Path, tmp_path: Path
) -> None:
    write_file(content, "posts/slow.md", "title: Slow\ndate: 2025-01-01", "word word.\n\n" * 16000)
    with RenderPool(timeout=0.3) as impatient:
        pipeline = Pipeline(content, tmp_path / "c.sqlite", impatient)
        pipeline.publisher.settings = Settings(content, max_bytes=1024 * 1024)
        current = pipeline.run().catalogue()
    assert current.post("slow") is None and len(current.posts) == 3
    assert "took longer than 0.3 s to render" in problems(pipeline.cache)["posts/slow.md"]


def test_duplicate_slugs_resolve_to_the_first_file_by_name(
    pipeline: Pipeline, content: Path
) -> None:
    write_file(content, "posts/first-post.md", "title: Impostor\ndate: 2025-01-01", "Body")
    library = pipeline.run()
    post = library.catalogue().post("first-post")
    assert post is not None and post.title == "First post"  # 2025-01-10-… sorts first
    assert [str(p) for p in library.problems] == [
        "posts/first-post.md: duplicate slug 'first-post': posts/2025-01-10-first-post.md is used"
    ]


def test_pages_cannot_take_a_reserved_path(pipeline: Pipeline, content: Path) -> None:
    write_file(content, "pages/tags.md", "title: Tags page", "Body")
    library = pipeline.run()
    assert library.catalogue().page("tags") is None
    assert "reserved" in str(library.problems[0])


def test_bad_site_settings_fall_back_to_defaults(pipeline: Pipeline, content: Path) -> None:
    (content / "site.yml").write_text("title: [broken\n")
    assert pipeline.run().catalogue().site.title == "Folio"
    assert "invalid YAML in site settings" in pipeline.cache.site().problems[0]


def test_a_link_to_a_file_outside_the_content_folder_is_not_published(
    pipeline: Pipeline, content: Path, tmp_path: Path
) -> None:
    secret = write_file(tmp_path, "elsewhere/secret.md", "title: Secret\ndate: 2025-01-01", "x")
    (content / "posts/secret.md").symlink_to(secret)
    inside = content / "posts/2025-01-10-first-post.md"
    (content / "posts/alias.md").symlink_to(inside)  # a link within the folder is content
    current = pipeline.run().catalogue()
    assert current.post("secret") is None
    assert current.post("alias") is not None


def test_a_restart_reads_no_unchanged_file(
    pipeline: Pipeline, content: Path, tmp_path: Path, pool: RenderPool
) -> None:
    pipeline.run()
    again = Pipeline(content, tmp_path / "cache" / "content.sqlite", pool)
    assert len(again.run().catalogue().posts) == 3
    assert (again.publisher.reads, again.publisher.renders) == (0, 0)


def test_the_cache_is_plain_data_with_a_schema_version(pipeline: Pipeline) -> None:
    pipeline.run()
    with sqlite3.connect(pipeline.cache.path) as db:
        info = dict(db.execute("SELECT key, value FROM info").fetchall())
        entries = [json.loads(text) for (text,) in db.execute("SELECT entry FROM files") if text]
        bodies = [json.loads(text) for (text,) in db.execute("SELECT rendered FROM bodies")]
    assert info["code"] and int(info["generation"]) > 0
    titles = {entry[PAGE_FIELDS.index("title")] for entry in entries}
    assert titles >= {"First post", "Contact"}
    assert all("<" in body["html"] for body in bodies)


def test_the_cache_keeps_across_changes_to_code_that_stores_nothing() -> None:
    """The cache's code version covers reading, rendering and storing (and whatever of ours
    they import), not how workers list or follow the content: a deploy that changes only
    those keeps 100k rendered bodies."""
    names = {path.name for path in stored_by()}
    assert {"entries.py", "frontmatter.py", "render.py", "sanitise.py", "records.py"} <= names
    assert {"cache.py", "sources.py", "meta.py", "slugs.py", "database.py"} <= names
    assert not names & {"library.py", "catalogue.py", "publisher.py", "watching.py", "checks.py"}


def test_import_statements_are_found_as_a_whole_parse_finds_them() -> None:
    def ours(nodes: Iterable[ast.AST]) -> set[str]:
        found = set()
        for node in nodes:
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("folio"):
                found |= {f"{node.module}:{alias.name}" for alias in node.names}
            elif isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names if alias.name.startswith("folio")}
        return found

    modules = sorted((ROOT / "folio").rglob("*.py"))
    assert len(modules) > 50
    for module in modules:
        source = module.read_text(encoding="utf-8")
        assert ours(_import_nodes(source)) == ours(ast.walk(ast.parse(source))), module
    tricky = "x = 1\nfrom folio.content import \\\n    entries\n"  # a backslash: parsed whole
    assert ours(_import_nodes(tricky)) == {"folio.content:entries"}


def test_a_damaged_cache_is_replaced(content: Path, tmp_path: Path, pool: RenderPool) -> None:
    path = tmp_path / "cache" / "content.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"not a database at all" * 100)
    pipeline = Pipeline(content, path, pool)
    assert len(pipeline.run().catalogue().posts) == 3
    assert pipeline.publisher.reads == 7


def test_a_cache_of_another_content_folder_is_emptied(
    content: Path, tmp_path: Path, pool: RenderPool
) -> None:
    path = tmp_path / "cache" / "content.sqlite"
    Pipeline(content, path, pool).run()
    other = tmp_path / "other"
    write_file(other, "posts/only.md", "title: Only\ndate: 2025-01-01", "x")
    moved = Pipeline(other, path, pool)
    assert [p.slug for p in moved.run().catalogue().posts] == ["only"]


def test_a_worker_follows_a_cache_file_the_publisher_replaced(
    pipeline: Pipeline, content: Path, tmp_path: Path, pool: RenderPool
) -> None:
    pipeline.run()
    worker = Library(ContentCache(pipeline.cache.path, content))
    worker.refresh()
    pipeline.cache.close()
    pipeline.cache.path.write_bytes(b"damaged" * 1000)  # a new file, another inode
    again = Pipeline(content, pipeline.cache.path, pool)
    write_file(content, "posts/2025-06-01-new.md", "title: New\ndate: 2025-06-01", "Hi.")
    again.run()
    worker.refresh()
    assert worker.catalogue().post("new") is not None


def test_a_request_for_a_body_no_file_has_does_not_slow_the_backlog(
    pipeline: Pipeline, content: Path
) -> None:
    write_posts(content, 120, "x")
    pipeline.publisher.publish()
    pipeline.cache.want(str(content / "posts/deleted-since.md"))  # asked, then gone
    sent: list[int] = []

    def count(sender: object, **kwargs: int) -> None:
        sent.append(kwargs["generation"])

    with content_published.connected_to(count, sender=pipeline.publisher):
        assert pipeline.publisher.render_pending() == 127
    assert len(sent) <= 4  # batches of 50, not one signal per body
    assert pipeline.cache.wanted() == []


def test_summaries_come_with_the_bodies_and_are_worked_out_until_then(
    pipeline: Pipeline, content: Path
) -> None:
    pipeline.publisher.publish()
    pipeline.library.refresh()
    before = pipeline.library.catalogue().post("first-post")
    assert before is not None and before.summary is None  # front matter only: nothing rendered
    shown = pipeline.library.summary(before)  # what a listing shows meanwhile
    assert shown
    pipeline.publisher.render_pending()
    pipeline.library.refresh()
    after = pipeline.library.catalogue().post("first-post")
    assert after is not None and after.summary == shown
    about = pipeline.library.catalogue().about
    assert about is not None and about.summary == "We test things carefully."  # written


def test_reading_everything_again_keeps_the_summaries_already_rendered(
    pipeline: Pipeline, content: Path
) -> None:
    pipeline.run()
    site = content / "site.yml"
    site.write_text(site.read_text().replace("timezone: UTC", "timezone: Asia/Tokyo"))
    assert pipeline.publisher.publish()  # every file read again, at the versions rendered
    assert pipeline.publisher.render_pending() == 0
    pipeline.library.refresh()
    current = pipeline.library.catalogue()
    assert current.site.timezone.key == "Asia/Tokyo"
    assert all(post.summary is not None for post in current.posts)
    assert current.about is not None and current.about.summary == "We test things carefully."


def test_many_files_are_read_in_the_render_processes_as_they_would_be_here(
    pipeline: Pipeline, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(READ_IN_PARALLEL):
        write_file(
            content, f"posts/2024-01-01-p{n}.md", f"title: P{n}\ndate: 2024-01-{n % 28 + 1:02d}"
        )
    write_file(content, "posts/bad.md", "title: [unclosed", "x")
    jobs: list[int] = []
    real_run = pipeline.publisher.pool.run

    def counted(job: Job, expected: type) -> object:
        jobs.append(len(job.args[0]))  # type: ignore[arg-type]
        return real_run(job, expected)

    monkeypatch.setattr(pipeline.publisher.pool, "run", counted)
    monkeypatch.setattr(publisher_module, "READ_BATCH", 50)
    pipeline.publisher.publish()
    assert max(jobs) == 50
    assert sum(jobs) == pipeline.publisher.reads == READ_IN_PARALLEL + 8 and len(jobs) > 1
    pipeline.library.refresh()
    current = pipeline.library.catalogue()
    assert len(current.posts) == READ_IN_PARALLEL + 3
    assert current.post("p7") is not None and current.post("p7").date.day == 8  # type: ignore[union-attr]
    assert "invalid YAML" in problems(pipeline.cache)["posts/bad.md"]


def test_a_batch_a_render_process_cannot_read_is_read_here(
    pipeline: Pipeline, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_posts(content, READ_IN_PARALLEL)

    def refused(job: Job, expected: type) -> object:
        raise RenderRefused("the renderer process died: Killed")

    monkeypatch.setattr(pipeline.publisher.pool, "run", refused)
    pipeline.publisher.publish()
    pipeline.library.refresh()
    assert len(pipeline.library.catalogue().posts) == READ_IN_PARALLEL + 3


def test_an_edit_of_a_title_is_taken_in_without_assembling_the_site_again(
    pipeline: Pipeline, content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    library = pipeline.run()
    assembled: list[int] = []
    real = catalogue_module.assemble

    def counted(*args: Any, **kwargs: Any) -> Any:
        assembled.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr("folio.content.library.assemble", counted)
    path = next((content / "posts").glob("*first-post.md"))
    path.write_text(path.read_text().replace("title: First post", "title: First, edited"))
    touch_later(path)
    pipeline.run()
    assert library.catalogue().post("first-post").title == "First, edited"  # type: ignore[union-attr]
    assert not assembled
    write_file(content, "posts/2025-05-01-new.md", "title: New\ndate: 2025-05-01")
    pipeline.run()
    assert library.catalogue().posts[0].slug == "new" and assembled


def test_publishing_named_paths_looks_at_those_files_only(
    pipeline: Pipeline, content: Path
) -> None:
    pipeline.run()
    reads = pipeline.publisher.reads
    first = next((content / "posts").glob("*first-post.md"))
    first.write_text(first.read_text().replace("title: First post", "title: First, edited"))
    touch_later(first)
    second = next((content / "posts").glob("*second-post.md"))
    second.write_text(second.read_text().replace("title: Second", "title: Unseen"))
    touch_later(second)
    third = next((content / "posts").glob("*third-post.md"))
    third.unlink()
    hidden = write_file(content, "posts/.draft.md", "title: Hidden\ndate: 2025-01-01")
    outside = write_file(content, "notes.md", "title: Notes\ndate: 2025-01-01")
    assert pipeline.publisher.publish({str(first), str(third), str(hidden), str(outside)})
    assert pipeline.publisher.reads == reads + 1  # the edited file; the others are not content
    pipeline.library.refresh()
    current = pipeline.library.catalogue()
    assert current.post("first-post").title == "First, edited"  # type: ignore[union-attr]
    assert current.post("third-post") is None
    assert "Unseen" not in current.post("second-post").title  # type: ignore[union-attr]
    pipeline.publisher.publish()  # a look at every file finds the rest
    pipeline.library.refresh()
    assert pipeline.library.catalogue().post("second-post").title == "Unseen post"  # type: ignore[union-attr]


def test_a_backlog_is_published_in_a_few_generations_not_one_per_body(
    pipeline: Pipeline, content: Path
) -> None:
    write_posts(content, 60, "x")
    pipeline.publisher.publish()
    before = pipeline.cache.generation()
    assert pipeline.publisher.render_pending() == 67
    # Every worker takes in each generation: a backlog makes one a second, not one a body.
    assert pipeline.cache.generation() - before <= 2
    pipeline.library.refresh()
    current = pipeline.library.catalogue()
    assert all(current.post(f"p{n}").summary == "x" for n in range(60))  # type: ignore[union-attr]


def test_posts_loaded_from_the_cache_share_their_tag_objects(pipeline: Pipeline) -> None:
    current = pipeline.run().catalogue()
    tagged = current.tagged("exercise")  # spelt alike by both posts
    assert len(tagged) == 2
    first, second = ([tag for tag in post.tags if tag.slug == "exercise"] for post in tagged)
    assert first[0] is second[0]  # one object, however many posts carry the tag


def test_entries_loaded_from_the_cache_can_go_to_other_processes(pipeline: Pipeline) -> None:
    current = pipeline.run().catalogue()
    for entry in current.searchable():  # the index build hands them to its processes
        assert pickle.loads(pickle.dumps(entry)) == entry  # noqa: S301 (our own bytes)


def test_the_backlog_counts_files_without_a_body_of_their_version(
    pipeline: Pipeline, content: Path
) -> None:
    pipeline.publisher.publish()
    assert pipeline.cache.backlog() == 7
    pipeline.publisher.render_pending()
    assert pipeline.cache.backlog() == 0
    first = next((content / "posts").glob("*first-post.md"))
    first.write_text(first.read_text() + "\nMore.\n")
    touch_later(first)
    pipeline.publisher.publish()
    assert pipeline.cache.unrendered() == [(str(first), pipeline.cache.fingerprints()[str(first)])]
    first.unlink()  # gone before it was rendered: nothing left to do
    pipeline.publisher.publish()
    assert pipeline.cache.backlog() == 0
    site = content / "site.yml"
    site.write_text(site.read_text().replace("timezone: UTC", "timezone: Asia/Tokyo"))
    pipeline.publisher.publish()  # every file read again, at versions already rendered
    assert pipeline.cache.backlog() == 0


def test_a_slow_body_does_not_hold_up_the_other_render_process(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each render process gets the next body as soon as it is done with one: a backlog
    renders at the speed of both, not in lockstep with the slower of each pair."""
    stored: list[str] = []
    slow = str(content / "posts/2025-01-10-first-post.md")
    real_render, real_store = Publisher._render, Publisher._store

    def render(publisher: Publisher, path: str, version: str) -> Any:
        if path == slow:
            time.sleep(1.0)
        return real_render(publisher, path, version)

    def store(publisher: Publisher, outcomes: list[Any]) -> None:
        stored.extend(Path(outcome.path).name for outcome in outcomes)
        real_store(publisher, outcomes)

    monkeypatch.setattr(Publisher, "_render", render)
    monkeypatch.setattr(Publisher, "_store", store)
    with RenderPool(processes=2, timeout=5.0) as pool:
        pipeline = Pipeline(content, tmp_path / "cache" / "content.sqlite", pool)
        pipeline.publisher.publish()
        assert pipeline.publisher.render_pending() == 7
    # The other process rendered every other body while the slow one took its second.
    assert stored[-1] == "2025-01-10-first-post.md"
    assert len(stored) == 7


def test_a_worker_never_takes_in_rows_written_by_other_code(
    pipeline: Pipeline, content: Path
) -> None:
    """A deploy: the cache was written by the code before it (another entry format), and
    a new worker reads it before the new publisher has emptied it, or an old worker
    reads what the new publisher wrote. Either keeps what it has and waits."""
    before = pipeline.run().catalogue()
    with sqlite3.connect(pipeline.cache.path) as db:
        db.execute("UPDATE info SET value = 'other code' WHERE key = 'code'")
        db.execute("UPDATE info SET value = 'its epoch' WHERE key = 'epoch'")  # as it empties
        db.execute("UPDATE files SET entry = '{\"updated\": 1}' WHERE entry IS NOT NULL")
    worker = Library(ContentCache(pipeline.cache.path, content))
    assert not worker.cache.published()  # a new worker waits for the publisher
    with pytest.raises(CacheUnavailable):
        worker.cache.changes(("", 0))
    assert worker.refresh() is False and worker.catalogue().posts == ()
    pipeline.library.cache.database.close()
    assert pipeline.library.refresh() is False  # a running one keeps its catalogue
    assert pipeline.library.catalogue() is before
    again = Pipeline(content, pipeline.cache.path, pipeline.publisher.pool)  # the new publisher
    assert len(again.run().catalogue().posts) == 3
    assert worker.cache.published() and worker.refresh()
    assert len(worker.catalogue().posts) == 3


def test_a_large_take_in_hands_the_freed_memory_back(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[bool] = []

    def release() -> bool:
        released.append(True)
        return True

    monkeypatch.setattr("folio.content.library.RELEASED_AFTER", 5)
    monkeypatch.setattr("folio.content.memory.release", release)
    pipeline.run()  # seven rows: more than five
    assert released == [True]
    pipeline.library.refresh()  # nothing new: nothing to hand back
    assert released == [True]


def test_freed_memory_can_be_handed_back_here() -> None:
    from folio.content import memory

    assert memory.release()  # this machine's C library is glibc: malloc_trim is there
