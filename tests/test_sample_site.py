"""The sample site in content/ is the product's first impression: keep it whole."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import ROOT, create_app
from folio.content.checks import read_contents
from folio.site import Site
from tests.conftest import settle

SEED = ROOT.parent / "shared" / "seed" / "reference-page.txt"


@pytest.fixture
def sample(tmp_path: Path) -> Iterator[Flask]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SEARCH_INDEX_DIR": tmp_path / "search_index",
            "CACHE_DIR": tmp_path / "cache",
            "COMMENTS_DIR": tmp_path / "comments",
            "CONTENT_WATCH": False,
        }
    )
    yield app
    app.extensions["folio"].stop()


def started(app: Flask) -> Site:
    """The sample site, every body rendered and indexed."""
    settle(app)
    site: Site = app.extensions["folio"]
    return site


def test_sample_content_has_no_problems(sample: Flask) -> None:
    result = sample.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output


def test_reference_article_is_intact(sample: Flask) -> None:
    library = started(sample).library
    post = library.catalogue().post("mental-health-and-chronic-back-pain")
    assert post is not None
    assert post.title == "The Connection Between Mental Health and Chronic Back Pain"
    body = library.body(post)
    assert body is not None
    headings = [
        "How Pain Affects Mental Health",
        "Psychological Factors That Contribute to Pain",
        "Learn More About Back Pain",
    ]
    lines = body.text.splitlines()
    assert [line for line in lines if line in headings] == headings
    if SEED.exists():  # the seed lives beside the repository, in shared/
        seed = SEED.read_text(encoding="utf-8").split("\n,\n")[0].splitlines()
        paragraphs = [line for line in seed[1:] if line.strip()]
        assert lines == paragraphs
    assert "person’s ability" in body.text and "condition—they" in body.text


def test_sample_site_has_enough_real_articles(sample: Flask) -> None:
    library = started(sample).library
    current = library.catalogue()
    assert len(current.posts) >= 9
    # Every file as it is now, drafts and scheduled posts included.
    contents = read_contents(
        sample.config["CONTENT_DIR"],
        max_bytes=sample.config["MAX_CONTENT_FILE_BYTES"],
        now=datetime.now(UTC),
        show_drafts=False,
    )
    everything = [entry for _, entry in contents.entries]
    assert any(getattr(e, "draft", False) for e in everything)
    assert any(
        getattr(e, "date", current.posts[0].date) > current.posts[0].date for e in everything
    )
    assert max(entry.count for entry in current.cloud) >= 5
    assert current.about is not None and current.about.image
    for entry in everything:
        body = library.body(entry)
        assert body is not None, entry.source
        assert "lorem" not in body.text.lower(), entry.source


def test_every_sample_page_renders(sample: Flask) -> None:
    current = started(sample).library.catalogue()
    client: FlaskClient = sample.test_client()
    urls = ["/", "/tags/", "/archive/", "/about/"]
    urls += [post.url for post in current.posts] + [page.url for page in current.pages.values()]
    urls += [f"/tags/{slug}/" for slug in current.tags]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
