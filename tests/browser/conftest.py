"""The sample site served as in production (gunicorn, the repo's gunicorn.conf.py) on
127.0.0.1, a per-test werkzeug server for tests with their own content, and Debian's
Chromium driven by Playwright."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from app import ROOT
from folio.replies.store import Reply, ReplyStore

CHROMIUM = Path("/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google's hosts on a closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NODE_MODULES = ROOT / "node_modules"
#: Git-ignored folders the browser tests write for people to look at.
REPORTS = ROOT / "tests" / "browser" / "reports"
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
#: Lines the browser tests want printed at the end of the run (Lighthouse's scores).
SUMMARY = pytest.StashKey[list[str]]()
#: The sample article that carries a reply thread in the served site.
THREADED = "mental-health-and-chronic-back-pain"


def pytest_configure(config: pytest.Config) -> None:
    config.stash[SUMMARY] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = terminalreporter.config.stash.get(SUMMARY, [])
    if lines:
        terminalreporter.section("browser checks")
        for line in lines:
            terminalreporter.write_line(line)


@dataclass(frozen=True)
class Served:
    """The sample site under gunicorn: its address and the folders it reads."""

    url: str
    port: int
    content: Path
    replies: Path
    pid: int


def free_port() -> int:
    """A port nothing listens on now (the server binds it a moment later)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed_replies(folder: Path) -> None:
    """An approved thread under the reference article: two replies and an answer."""
    store = ReplyStore(folder)
    start = datetime(2026, 9, 14, 8, 30, tzinfo=UTC)
    people = [
        ("Maya", "This explained why my back gets worse in stressful weeks. Thank you.", None),
        ("Dr Ben Hart", "Glad it helped, Maya. Pacing and sleep make a real difference.", 0),
        ("Tom", "Is there a version of the breathing exercise for people at work?", None),
    ]
    made: list[Reply] = []
    for number, (author, text, parent) in enumerate(people):
        reply = Reply(
            id=f"{int(start.timestamp()) * 10**9 + number:016x}-0000000{number}",
            post=THREADED,
            author=author,
            email=f"{author.split()[-1].lower()}@example.com",
            text=text,
            created=start + timedelta(hours=number * 5),
            parent=None if parent is None else made[parent].id,
            status="approved",
        )
        made.append(store.add(reply))


def fetch(
    port: int, path: str, *, form: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """GET a path (or POST a urlencoded form) on 127.0.0.1:port; the status and body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        sent = dict(headers or {})
        if form is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request("GET" if form is None else "POST", path, body=form, headers=sent)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_until_searchable(port: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until the site answers and every sample article is published and indexed."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited"
        try:
            status, body = fetch(port, "/search.json?q=walking")
            if status == 200 and b'"total":0' not in body.replace(b" ", b""):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the site on port {port} never became searchable")


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The sample content (copied) served by gunicorn with 2 workers, as in production."""
    root = tmp_path_factory.mktemp("served")
    content = root / "content"
    shutil.copytree(ROOT / "content", content)
    replies = root / "replies"
    seed_replies(replies)
    port = free_port()
    environment = {
        "FLASK_CONTENT_DIR": str(content),
        "FLASK_COMMENTS_DIR": str(replies),
        "FLASK_CACHE_DIR": str(root / "cache"),
        "FLASK_SEARCH_INDEX_DIR": str(root / "index"),
        "FLASK_SECRET_KEY": "browser tests",
        "FLASK_COMMENT_RATE_GAP": "0",
        "FLASK_COMMENT_RATE_PER_HOUR": "1000",
    }
    log = (root / "gunicorn.log").open("wb")
    command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
    process = subprocess.Popen(
        [*command, "-w", "2", "-b", f"127.0.0.1:{port}", "app:create_app()"],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_searchable(port, process)
        yield Served(url, port, content, replies, process.pid)
    finally:
        process.terminate()  # SIGTERM to the arbiter: workers stop their threads, then exit
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def serve(app: Flask) -> Iterator[str]:
    """Serve app on a free port on 127.0.0.1 for the duration of a test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test's own app (content built in tmp_path), served for this test only."""
    yield from serve(app)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "install Debian's chromium package (the Makefile's test target does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
