from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from folio.content.cache import Outcome
from folio.content.publisher import Publisher
from folio.publishing import Publishing, Role
from folio.site import Site
from tests.conftest import eventually, settle, write_file, write_posts

HOSTILE = {
    "posts/feb30.md": "---\ntitle: Leap\ndate: 2024-02-30\n---\nBody.\n",
    "posts/open.md": "---\ntitle: Open\ndate: 2025-01-01\n\nNo closing fence.\n",
    "posts/deep.md": "---\ntitle: Deep\ndate: 2025-01-01\nx: "
    + "[" * 1000
    + "]" * 1000
    + "\n---\n",
    "posts/crash.md": "---\ntitle: C\ndate: 2025-01-01\nx: "
    + "[" * 60000
    + "]" * 60000
    + "\n---\n",
    "posts/year1.md": "---\ntitle: Year one\ndate: 0001-01-01T00:00:00+14:00\n---\nOld.\n",
    "posts/latin1.md": "---\ntitle: Café\ndate: 2025-01-01\n---\n",
    "posts/slow.md": "---\ntitle: Slow\ndate: 2025-01-01\n---\n" + "word word.\n\n" * 16000,
    "posts/script.md": "---\ntitle: Script\ndate: 2025-01-02\n---\n"
    "Hi <script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))\n\n"
    "<textarea>swallowed?\n",
}


def site_of(app: Flask) -> Site:
    site: Site = app.extensions["folio"]
    return site


def write_hostile(content: Path) -> None:
    for name, text in HOSTILE.items():
        path = content / name
        if name == "posts/latin1.md":
            path.write_bytes(text.encode("latin-1"))
        else:
            path.write_text(text)


def test_every_hostile_file_at_once_leaves_the_rest_of_the_site_serving(
    make_app: Callable[..., Flask], content: Path
) -> None:
    write_hostile(content)
    app = make_app(RENDER_TIMEOUT=0.5)
    settle(app)
    client = app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert "Third post" in home and "Leap" not in home
    assert client.get("/search?q=first").status_code == 200
    assert client.get("/posts/first-post/").status_code == 200
    for slug in ("feb30", "open", "deep", "crash", "year1", "latin1", "slow"):
        assert client.get(f"/posts/{slug}/").status_code == 404, slug
    page = client.get("/posts/script/").get_data(as_text=True)
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page
    assert 'class="reply-form"' in page  # the unclosed <textarea> swallowed nothing


def test_check_tells_the_truth_while_a_site_runs(
    app: Flask, content: Path, make_app: Callable[..., Flask]
) -> None:
    write_file(content, "posts/broken.md", "title: [unclosed\ndate: 2025-01-01", "Body")
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "posts/broken.md: invalid YAML" in result.output
    assert "Traceback" not in result.output


def test_one_process_publishes_and_another_takes_over_when_it_ends(
    make_app: Callable[..., Flask], content: Path
) -> None:
    first, second = make_app(), make_app()
    settle(first)
    site_of(second).start()
    assert site_of(first).publishes and not site_of(second).publishes
    write_file(content, "posts/2025-06-01-new.md", "title: New\ndate: 2025-06-01", "Hi.")
    eventually(lambda: site_of(second).library.catalogue().post("new") is not None)
    site_of(first).stop()
    eventually(lambda: site_of(second).publishes, timeout=5)
    write_file(content, "posts/2025-06-02-later.md", "title: Later\ndate: 2025-06-02", "Hi.")
    eventually(lambda: site_of(second).library.catalogue().post("later") is not None)
    client = second.test_client()
    eventually(lambda: "Later" in client.get("/search?q=later").get_data(as_text=True))


def test_a_worker_answers_searches_as_soon_as_it_has_started(
    make_app: Callable[..., Flask],
) -> None:
    settle(make_app())
    worker = make_app()
    site_of(worker).start()  # as gunicorn's post_worker_init does
    assert worker.test_client().get("/search?q=first").status_code == 200


def test_stopping_ends_every_thread_and_process_it_started(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    settle(app)
    names = {"publisher", "follower", "search-indexer"}
    assert names <= {thread.name for thread in threading.enumerate()}
    site_of(app).stop()
    assert not names & {thread.name for thread in threading.enumerate()}
    assert not multiprocessing.active_children()


#: Libraries a worker's first page needs none of: each loads at its first use.
LATER = ("numpy", "whoosh", "feedgen", "lxml", "folio.search.engine", "folio.search.service")


def test_a_worker_loads_the_search_stack_and_feeds_after_its_start(tmp_path: Path) -> None:
    """What gunicorn runs in a worker before its first page (importing the app, making it)
    loads neither the search stack nor the feed libraries: a fifth of a start at 10k."""
    config = {key: str(tmp_path / key) for key in ("CACHE_DIR", "COMMENTS_DIR")}
    code = (
        "import sys, app\n"
        f"app.create_app({{**{config!r}, 'SECRET_KEY': 'x', 'TESTING': True}})\n"
        f"print([name for name in {LATER!r} if name in sys.modules])"
    )
    root = Path(__file__).resolve().parent.parent
    made = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert made.stdout.strip() == "[]"


def test_the_searcher_opens_after_the_start_without_a_request(
    make_app: Callable[..., Flask],
) -> None:
    app = make_app()
    settle(app)
    site = site_of(app)
    site.stop()
    again = make_app()
    site = site_of(again)
    site.start()  # returns once pages can be served
    eventually(lambda: site.search_version > 0)  # the follower opened the searcher
    assert site.search.ready and site.publishing.indexer is not None
    hits = again.test_client().get("/search.json?q=first").get_json()
    assert hits["total"] > 0


def test_a_worker_that_gave_up_waiting_for_the_first_publication_says_it_is_starting(
    make_app: Callable[..., Flask], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not an empty site with a 200 that proxies would keep: a cold start that reads
    100k files from a cold disk took 53 s, past a worker's 30 s wait."""
    monkeypatch.setattr("folio.site.FIRST_PUBLICATION_WAIT", 0.2)
    publishing_elsewhere = Role(tmp_path / "cache" / "publisher.lock")
    assert publishing_elsewhere.take()
    client = make_app().test_client()
    response = client.get("/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "This site is starting" in response.get_data(as_text=True)
    assert "no-store" in response.headers["Cache-Control"]
    publishing_elsewhere.release()  # that process ended: this one takes the role over
    eventually(lambda: "Third post" in client.get("/").get_data(as_text=True))


def test_a_restart_with_nothing_to_render_starts_its_renderers_soon_after(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = make_app()
    settle(first)  # everything published and rendered
    site_of(first).stop()
    monkeypatch.setattr("folio.publishing.POOL_WARM_AFTER", 2.0)
    site = site_of(make_app())
    site.start()
    assert site.publishes
    assert not site.publishing.pool.running  # not needed for the first pages
    # ...but started soon after, so that the first edit does not wait for it.
    eventually(lambda: site.publishing.pool.running and multiprocessing.active_children())
    site.stop()
    assert not multiprocessing.active_children()


def test_temporary_files_of_killed_writes_are_removed_at_start(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    folder = tmp_path / "comments" / "first-post"
    folder.mkdir(parents=True)
    stale = folder / ".0123-abcd.json.k2j3.tmp"
    fresh = folder / ".0124-abcd.json.x9y8.tmp"
    for path in (stale, fresh):
        path.write_text('{"half": ')
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    settle(make_app())
    assert not stale.exists()
    assert fresh.exists()  # perhaps another worker's write in progress


def test_turning_trust_in_html_off_renders_every_body_again(
    make_app: Callable[..., Flask], content: Path
) -> None:
    write_file(content, "posts/raw.md", "title: Raw\ndate: 2025-01-05", "Hi <script>x()</script>")
    trusting = make_app(CONTENT_TRUST_HTML=True)
    settle(trusting)
    assert "<script>x()" in trusting.test_client().get("/posts/raw/").get_data(as_text=True)
    site_of(trusting).stop()
    careful = make_app()
    settle(careful)
    assert "<script>" not in careful.test_client().get("/posts/raw/").get_data(as_text=True)


def test_a_publisher_that_fails_to_start_gives_the_role_back_and_is_tried_again(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_start = Publishing.start
    failures = iter([True])

    def flaky_start(self: Publishing, **options: Any) -> None:
        if next(failures, False):
            raise OSError(28, "No space left on device")
        real_start(self, **options)

    monkeypatch.setattr(Publishing, "start", flaky_start)
    app = make_app()
    site_of(app).start()  # the worker boots all the same
    eventually(lambda: site_of(app).publishes, timeout=5)
    eventually(lambda: app.test_client().get("/posts/first-post/").status_code == 200)


def test_without_watching_every_worker_still_follows_the_index_and_take_over(
    make_app: Callable[..., Flask],
) -> None:
    first, second = make_app(CONTENT_WATCH=False), make_app(CONTENT_WATCH=False)
    site_of(first).start()  # reads, renders and indexes once
    site_of(second).start()
    client = second.test_client()
    eventually(lambda: client.get("/search?q=telephone").status_code == 200)


def test_stopping_ends_a_render_backlog_between_two_bodies(
    make_app: Callable[..., Flask], content: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_posts(content, 60, "x")
    real_render = Publisher._render

    def slow_render(self: Publisher, path: str, entry_version: str) -> Outcome:
        time.sleep(0.05)
        return real_render(self, path, entry_version)

    monkeypatch.setattr(Publisher, "_render", slow_render)
    app = make_app()
    site = site_of(app)
    site.start()
    eventually(lambda: site.publishing.publisher.renders > 0)
    site.stop()
    assert site.publishing.publisher.renders < 40  # not the whole backlog of 67 bodies


def test_a_scheduled_post_is_found_once_its_time_comes(
    make_app: Callable[..., Flask], content: Path
) -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    write_file(content, "posts/soon.md", f"title: Soon\ndate: {soon}", "Zebras arrive.")
    app = make_app()
    settle(app)
    client = app.test_client()
    assert client.get("/search.json?q=zebras").get_json()["total"] == 0
    eventually(lambda: client.get("/search.json?q=zebras").get_json()["total"] == 1)


def test_a_new_timezone_moves_the_dates_search_shows(app: Flask, content: Path) -> None:
    client = app.test_client()
    hit = client.get("/search.json?q=third").get_json()["results"][0]
    assert hit["date"] == "2025-03-30"
    site = content / "site.yml"
    site.write_text(site.read_text().replace("timezone: UTC", "timezone: Pacific/Kiritimati"))

    # 10:00 on 30 March, now at +14:00, was 20:00 the day before in UTC; the index holds
    # the moment, and shows it in the site's zone: still the 30th.
    def shown() -> str:
        return str(client.get("/search.json?q=third").get_json()["results"][0]["date"])

    zone = site_of(app).library.catalogue
    eventually(lambda: zone().site.timezone.key == "Pacific/Kiritimati" and shown() == "2025-03-30")
    assert site_of(app).search.status(zone()).stale.changed == ()


def test_a_worker_follows_content_while_a_request_is_searching(
    make_app: Callable[..., Flask], content: Path
) -> None:
    """A search holds the worker's searcher (an article's first related posts can take a few
    hundred ms at 10k posts); the content it follows meanwhile is not late behind it."""
    first, second = make_app(), make_app()
    settle(first)
    worker = site_of(second)
    worker.start()
    assert not worker.publishes
    with worker.search._lock:  # a request in the middle of a search
        path = content / "posts/2025-02-20-second-post.md"
        path.write_text(path.read_text().replace("title: Second post", "title: Kayaks"))
        eventually(
            lambda: getattr(worker.library.catalogue().post("second-post"), "title", "") == "Kayaks"
        )
    client = second.test_client()
    eventually(lambda: "second-post" in client.get("/search.json?q=kayaks").get_data(as_text=True))
