from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask

from folio.site import Site
from tests.conftest import eventually, settle, write_file

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
    "posts/slow.md": "---\ntitle: Slow\ndate: 2025-01-01\n---\n" + "word word.\n\n" * 4000,
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
