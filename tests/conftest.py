"""Fixtures: a content tree built in tmp_path, the app on it, its client and CLI runner."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from app import create_app
from folio.site import Site

Write = Callable[..., Path]


def write_file(root: Path, name: str, front: str = "", body: str = "") -> Path:
    """Write content/<name> with optional front matter; return its path."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    text = textwrap.dedent(body).lstrip("\n")
    if front:
        text = f"---\n{textwrap.dedent(front).strip()}\n---\n\n{text}"
    path.write_text(text, encoding="utf-8")
    return path


def write_posts(root: Path, count: int, body: str = "") -> None:
    """Write `count` posts p0, p1, ... dated 2024-01-01 (a backlog, a checkout)."""
    for n in range(count):
        write_file(root, f"posts/2024-01-01-p{n}.md", f"title: P{n}\ndate: 2024-01-01", body)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A small site: settings, about page, three posts, a draft, a scheduled post, a page."""
    root = tmp_path / "content"
    write_file(
        root,
        "site.yml",
        body="""
        title: Test Clinic
        tagline: Notes for testing
        description: A site made by the tests.
        base_url: http://example.test
        author: Test Team
        language: en-GB
        timezone: UTC
        nav:
          - {title: Home, url: /}
          - {title: Archive, url: /archive/}
    """,
    )
    write_file(
        root,
        "about.md",
        "title: About us\nsummary: We test things carefully.",
        """
        We are the test team. This is the about page.
    """,
    )
    write_file(
        root,
        "posts/2025-01-10-first-post.md",
        """
        title: First post
        date: 2025-01-10
        tags: [Back Pain, sleep]
        author: Ann Author
    """,
        """
        The first paragraph of the first post.

        ## Section one

        Words about sleep and backs.
    """,
    )
    write_file(
        root,
        "posts/2025-02-20-second-post.md",
        """
        title: Second post
        date: 2025-02-20
        tags: back pain, exercise
        summary: A written summary.
    """,
        "Second body text.\n",
    )
    write_file(
        root,
        "posts/2025-03-30-third-post.md",
        """
        title: Third post
        date: 2025-03-30T10:00:00
        updated: 2025-04-02
        tags: [exercise]
    """,
        "Third body, linking to [the first](/posts/first-post/).\n",
    )
    write_file(
        root,
        "posts/2025-03-01-a-draft.md",
        """
        title: Unfinished draft
        date: 2025-03-01
        draft: true
        tags: [drafts]
    """,
        "Not ready.\n",
    )
    write_file(
        root,
        "posts/2999-01-01-scheduled.md",
        """
        title: From the future
        date: 2999-01-01
        tags: [future]
    """,
        "Not yet.\n",
    )
    write_file(
        root,
        "pages/contact.md",
        "title: Contact\nsummary: How to reach us.",
        """
        Call us on the telephone.
    """,
    )
    return root


def settle(app: Flask, timeout: float = 20.0) -> None:
    """Start the site and wait until every body is rendered and the index holds them all."""
    site: Site = app.extensions["folio"]
    site.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        site.refresh()
        catalogue = site.library.catalogue()
        if (
            site.library.position[1] > 0
            and not site.cache.unrendered()
            and site.search.ready
            and not site.search.status(catalogue).stale
        ):
            return
        time.sleep(0.02)
    raise AssertionError("the site did not settle")


def eventually(check: Callable[[], object], timeout: float = 10.0) -> None:
    """Wait until check() is true (content changes reach workers through threads)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        time.sleep(0.02)


@pytest.fixture
def make_app(content: Path, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Build the app on the test content, with extra settings; its site stops after the test."""
    made: list[Flask] = []

    def make(**settings: object) -> Flask:
        config: dict[str, object] = {
            "TESTING": True,
            "SECRET_KEY": "test",
            "CONTENT_DIR": content,
            "SEARCH_INDEX_DIR": tmp_path / "search_index",
            "COMMENTS_DIR": tmp_path / "comments",
            "CACHE_DIR": tmp_path / "cache",
            "CONTENT_RELOAD_INTERVAL": 0.05,
            "POSTS_PER_PAGE": 2,
            "COMMENT_RATE_GAP": 0,  # the rate-limit tests set their own limits
            "COMMENT_RATE_PER_HOUR": 1000,
        }
        config.update(settings)
        app = create_app(config)
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["folio"].stop()


@pytest.fixture
def app(make_app: Callable[..., Flask]) -> Flask:
    """The app with the production defaults (watching on), settled."""
    app = make_app()
    settle(app)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()
