"""The search page and its JSON twin."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import eventually, write_file


def html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def titles(page: str) -> list[str]:
    """The articles listed (their links go to a section: the part after # is left off)."""
    found: list[str] = re.findall(r'class="search-result__title"><a href="([^"#]+)', page)
    return found


def await_index(client: FlaskClient, query: str, total: int) -> None:
    """Wait until new content is published, rendered and indexed (threads do it)."""
    url = "/search.json"
    eventually(lambda: client.get(url, query_string={"q": query}).get_json()["total"] == total)


def test_results_are_ranked_with_highlighted_snippets(client: FlaskClient) -> None:
    page = html(client, "/search?q=sleep+backs")
    assert titles(page)[0] == "/posts/first-post/"  # title and tags weigh more than body
    assert '<mark class="match term0">sleep</mark>' in page
    assert "<title>Search: sleep backs · Test Clinic</title>" in page
    assert 'value="sleep backs"' in page  # the query stays in the box


def test_a_word_has_one_mark_class_in_titles_and_snippets(client: FlaskClient) -> None:
    data = client.get("/search.json?q=telephone+contact").get_json()
    [hit] = data["results"]
    assert '<mark class="match term1">Contact</mark>' in hit["title_html"]
    assert '<mark class="match term0">telephone</mark>' in hit["snippet"]


def test_search_as_you_type_completes_the_last_word(client: FlaskClient) -> None:
    typed = client.get("/search.json?q=teleph&typing=1").get_json()
    assert [hit["url"] for hit in typed["results"]] == ["/contact/"]
    assert '<mark class="match term1">telephone</mark>' in typed["results"][0]["snippet"]
    submitted = client.get("/search.json?q=teleph").get_json()  # "See all", or Enter
    assert submitted["total"] == 1 and submitted["completed"] == "teleph"
    page = html(client, "/search?q=teleph")
    assert "No article has the word “teleph”, so these have words that start with it." in page
    whole = client.get("/search.json?q=telephone").get_json()
    assert whole["completed"] == "" and whole["total"] == 1


def test_a_phrase_snippet_shows_the_phrase(client: FlaskClient, content: Path) -> None:
    body = "\n\n".join(
        [*(f"The river bends for the {n}th time." for n in range(5)), "A quiet river."]
    )
    write_file(content, "posts/2025-05-02-rivers.md", "title: Rivers\ndate: 2025-05-02", body)
    await_index(client, "rivers", 1)
    [hit] = client.get('/search.json?q="quiet+river"').get_json()["results"]
    assert re.search(r"<mark[^>]*>quiet</mark> <mark[^>]*>river</mark>", hit["snippet"])


def test_a_missing_word_does_not_empty_the_results(client: FlaskClient) -> None:
    assert "/posts/first-post/" in titles(html(client, "/search?q=sleep+zebra+giraffe"))


def test_phrases_and_exclusions(client: FlaskClient) -> None:
    assert titles(html(client, '/search?q="body+text"')) == ["/posts/second-post/"]
    assert titles(html(client, '/search?q="text+body"')) == []
    found = titles(html(client, "/search?q=body+-third"))
    assert "/posts/second-post/" in found and "/posts/third-post/" not in found


def test_paging_and_sorting(client: FlaskClient, content: Path) -> None:
    for day in range(1, 13):
        title = "Where otters sleep" if day == 3 else f"Notes {day}"
        write_file(
            content,
            f"posts/2024-05-{day:02d}-otter-{day}.md",
            f"title: {title}\ndate: 2024-05-{day:02d}",
            "We watched the otters swim.",
        )
    await_index(client, "otters", 12)
    first = html(client, "/search?q=otters")
    assert "12 results" in first and "Page 1 of 2" in first and len(titles(first)) == 10
    assert titles(first)[0] == "/posts/otter-3/"  # a title match ranks first
    second = html(client, "/search?q=otters&page=2")
    assert len(titles(second)) == 2 and 'start="11"' in second
    assert not set(titles(first)) & set(titles(second))
    newest = titles(html(client, "/search?q=otters&sort=date"))
    assert newest[:2] == ["/posts/otter-12/", "/posts/otter-11/"]
    past = html(client, "/search?q=otters&page=99")
    assert titles(past) == [] and "There are no more results" in past
    assert titles(html(client, "/search?q=otters&page=abc")) == titles(first)


def test_per_page_asks_for_more_at_once(client: FlaskClient, content: Path) -> None:
    for day in range(1, 61):
        write_file(
            content,
            f"posts/2023-{1 + day // 28:02d}-{1 + day % 28:02d}-heron-{day}.md",
            f"title: Heron note {day}\ndate: 2023-{1 + day // 28:02d}-{1 + day % 28:02d}",
            "A grey heron stood in the reeds.",
        )
    eventually(lambda: client.get("/search.json?q=heron").get_json()["total"] == 60, 60)

    def urls(query: str) -> list[str]:
        data = client.get(f"/search.json?q=heron&{query}").get_json()
        return [hit["url"] for hit in data["results"]]

    assert len(urls("")) == 10
    assert len(urls("per_page=25")) == 25
    assert len(urls("per_page=500")) == 50  # capped
    assert len(urls("per_page=0")) == 10 and len(urls("per_page=x")) == 10
    assert len(urls("per_page=-3")) == 1
    pages = [urls(f"per_page=25&page={n}") for n in (1, 2, 3)]
    assert [len(page) for page in pages] == [25, 25, 10]
    assert len({url for page in pages for url in page}) == 60
    data = client.get("/search.json?q=heron&per_page=25&page=4").get_json()
    assert data["results"] == [] and data["total"] == 60 and data["pages"] == 3
    assert data["page"] == 4 and data["per_page"] == 25


def test_tag_filter_and_facets(client: FlaskClient) -> None:
    page = html(client, "/search?q=post+body+text")
    assert re.search(
        r'href="/search\?q=post\+body\+text&amp;tag=exercise">exercise '
        r'<span class="facet__count">2</span>',
        page,
    )
    filtered = html(client, "/search?q=post+body+text&tag=sleep")
    assert titles(filtered) == ["/posts/first-post/"]
    assert "tagged “sleep”" in filtered and 'aria-current="true">sleep' in filtered


def test_did_you_mean(client: FlaskClient) -> None:
    page = html(client, "/search?q=telephon")
    assert 'Did you mean <a href="/search?q=telephone">telephone</a>?' in page
    assert "Did you mean" not in html(client, "/search?q=telephone")


def test_empty_and_no_result_states(client: FlaskClient) -> None:
    empty = html(client, "/search?q=")
    assert "Type a few words" in empty and 'href="/tags/back-pain/"' in empty
    none = html(client, "/search?q=xylophone")
    assert "No articles match “xylophone”" in none and 'aria-label="Popular tags"' in none


def test_visitor_text_is_escaped_everywhere(client: FlaskClient) -> None:
    attack = '"><script>alert(1)</script>'
    page = html(client, "/search?q=" + attack)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;" in page
    data = client.get("/search.json?q=" + attack).get_json()
    assert data["query"] == attack


def test_hostile_queries_never_fail(client: FlaskClient) -> None:
    for query in ["*", "?*?*", "[a TO z]", "pain~", "title:x", '"', "((", "😀", "x" * 10_000]:
        assert client.get("/search", query_string={"q": query}).status_code == 200
    assert client.get("/search?q=a&q=b").status_code == 200
    assert client.get("/search?q[]=a&tag=nope&sort=weird&page=-5").status_code == 200


def test_json_results(client: FlaskClient) -> None:
    data = client.get("/search.json?q=telephone").get_json()
    assert data["total"] == 1 and data["page"] == 1
    [hit] = data["results"]
    assert hit["url"] == "/contact/" and hit["title"] == "Contact"
    assert '<mark class="match term0">telephone</mark>' in hit["snippet"]
    post = client.get("/search.json?q=exercise").get_json()["results"][0]
    assert post["date"] and post["tags"]


def test_drafts_are_never_found(client: FlaskClient) -> None:
    assert titles(html(client, "/search?q=unfinished")) == []


def test_a_missing_index_answers_being_rebuilt(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    lock = app.extensions["folio"].index.build_lock()
    assert lock.acquire()  # `flask index rebuild` is building it
    try:
        client = app.test_client()
        response = client.get("/search?q=sleep")
        assert response.status_code == 503
        assert "Search is being built" in response.get_data(as_text=True)
        assert response.headers["Retry-After"] == "5"
        assert client.get("/search.json?q=sleep").get_json()["rebuilding"] is True
        assert client.get("/posts/first-post/").status_code == 200  # pages do not wait
    finally:
        lock.release()
    eventually(lambda: client.get("/search?q=sleep").status_code == 200)


def test_related_posts_come_from_the_index(client: FlaskClient) -> None:
    page = html(client, "/posts/second-post/")
    related = page[page.index("Learn more") :]
    assert "/posts/third-post/" in related or "/posts/first-post/" in related


def test_compounds_are_found_by_their_parts_and_their_whole_first(
    client: FlaskClient, content: Path
) -> None:
    write_file(
        content,
        "posts/2025-05-03-api.md",
        "title: Stock checks\ndate: 2025-05-03",
        "Call Material.CheckAvailability before joining paths with os.path in node.js.",
    )
    write_file(
        content,
        "posts/2025-05-04-paths.md",
        "title: Walking paths\ndate: 2025-05-04",
        "Check the path, the node and the material of a well-known trail.",
    )
    await_index(client, "trail", 1)

    def urls(query: str) -> list[str]:
        found = client.get("/search.json", query_string={"q": query}).get_json()["results"]
        return [hit["url"] for hit in found]

    for part in ("availability", "js", "Availability"):
        assert urls(part) == ["/posts/api/"], part
    assert urls("known") == urls("well") == ["/posts/paths/"]
    for whole in ("Material.CheckAvailability", "os.path", "node.js"):
        assert urls(whole)[0] == "/posts/api/", whole
    assert urls("well-known")[0] == "/posts/paths/"


def test_results_link_to_the_section_of_their_best_passage(
    client: FlaskClient, content: Path
) -> None:
    hit = client.get("/search.json?q=backs").get_json()["results"][0]
    assert hit["url"] == "/posts/first-post/"
    assert hit["link"] == "/posts/first-post/#section-one"
    assert 'href="/posts/first-post/#section-one">' in html(client, "/search?q=backs")
    body = "\n\n".join(
        [
            "Otters are mustelids.",
            "## Where they live",
            "Otters live by rivers, and a holt is an otter's den.",
            "## What they eat",
            "Fish, mostly, and a crayfish when an otter finds one.",
            "## How they swim",
            "An otter swims with its tail; the holt stays dry.",
            "## Unrelated",
            "Nothing here.",
        ]
    )
    write_file(content, "posts/2025-05-05-otters.md", "title: Otters\ndate: 2025-05-05", body)
    await_index(client, "mustelids", 1)
    [hit] = client.get("/search.json?q=otter+holt").get_json()["results"]
    assert hit["link"] == "/posts/otters/#where-they-live"  # both words, the rarer one too
    assert [s["link"] for s in hit["sections"]] == [
        "/posts/otters/#how-they-swim",
        "/posts/otters/#what-they-eat",
    ]
    assert hit["sections"][0]["heading"] == "How they swim"
    assert '<mark class="match term0">otter</mark>' in hit["sections"][1]["snippet"]
    page = html(client, "/search?q=otter+holt")
    assert 'href="/posts/otters/#where-they-live"' in page
    assert '<a class="search-result__section" href="/posts/otters/#what-they-eat">' in page


def test_search_says_when_part_of_the_site_is_not_yet_indexed(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    body = client.get("/search.json?q=sleep").get_json()
    assert body["indexed"] == body["indexable"] > 1  # settled: everything can be found
    assert "still being built" not in client.get("/search?q=sleep").get_data(as_text=True)
    # A cold start: bodies are still rendering and the index has only some of them.
    # (Each commit to the index makes pages anew; a new query stands for that here.)
    monkeypatch.setattr(app.extensions["folio"].search, "documents", lambda: 1)
    page = client.get("/search?q=pain").get_data(as_text=True)
    assert f"Search is still being built: 1 of {body['indexable']} articles" in page
    assert client.get("/search.json?q=pain").get_json()["indexed"] == 1
