"""The sample site in content/ is the product's first impression: keep it whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import ROOT, create_app

SEED = ROOT.parent / "shared" / "seed" / "reference-page.txt"


@pytest.fixture
def sample(tmp_path: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "SEARCH_INDEX_DIR": tmp_path,
            "CACHE_DIR": tmp_path,
            "CONTENT_WATCH": False,
        }
    )


def test_sample_content_has_no_problems(sample: Flask) -> None:
    result = sample.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output


def test_reference_article_is_intact(sample: Flask) -> None:
    store = sample.extensions["folio.content"]
    post = store.catalogue().post("mental-health-and-chronic-back-pain")
    assert post.title == "The Connection Between Mental Health and Chronic Back Pain"
    headings = [
        "How Pain Affects Mental Health",
        "Psychological Factors That Contribute to Pain",
        "Learn More About Back Pain",
    ]
    lines = post.text.splitlines()
    assert [line for line in lines if line in headings] == headings
    if SEED.exists():  # the seed lives beside the repository, in shared/
        seed = SEED.read_text(encoding="utf-8").split("\n,\n")[0].splitlines()
        paragraphs = [line for line in seed[1:] if line.strip()]
        assert lines == paragraphs
    assert "person’s ability" in post.text and "condition—they" in post.text


def test_sample_site_has_enough_real_articles(sample: Flask) -> None:
    store = sample.extensions["folio.content"]
    current = store.catalogue()
    assert len(current.posts) >= 9
    everything = [entry for _, entry in store.entries()]
    assert any(getattr(e, "draft", False) for e in everything)
    assert any(
        getattr(e, "date", current.posts[0].date) > current.posts[0].date for e in everything
    )
    assert max(entry.count for entry in current.cloud) >= 5
    assert current.about is not None and current.about.image
    for entry in everything:
        assert "lorem" not in entry.text.lower()


def test_every_sample_page_renders(sample: Flask) -> None:
    client: FlaskClient = sample.test_client()
    current = sample.extensions["folio.content"].catalogue()
    urls = ["/", "/tags/", "/archive/", "/about/"]
    urls += [post.url for post in current.posts] + [page.url for page in current.pages.values()]
    urls += [f"/tags/{slug}/" for slug in current.tags]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
