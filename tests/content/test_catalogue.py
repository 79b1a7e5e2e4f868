from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from folio.content.catalogue import Catalogue, assemble
from folio.content.entries import Page, Post, Problem
from folio.content.siteinfo import SiteInfo
from folio.content.tags import Tag

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def post(slug: str, day: str, tags: str = "", **extra: object) -> Post:
    fields: dict[str, object] = {
        "slug": slug,
        "title": slug.title(),
        "summary": "",
        "reading_minutes": 1,
        "source": f"{slug}.md",
        "date": datetime.fromisoformat(day).replace(tzinfo=UTC),
        "tags": tuple(Tag.from_name(t) for t in tags.split(",") if t),
    }
    fields.update(extra)
    return Post(**fields)  # type: ignore[arg-type]


def page(slug: str) -> Page:
    return Page(slug=slug, title=slug.title(), summary="", reading_minutes=1, source=f"{slug}.md")


def catalogue(*posts: Post, show_drafts: bool = False) -> Catalogue:
    return Catalogue(posts, [], site=SiteInfo(), now=NOW, show_drafts=show_drafts)


def test_newest_first_without_drafts_or_future_posts() -> None:
    current = catalogue(
        post("old", "2025-01-01"),
        post("new", "2025-05-01"),
        post("draft", "2025-04-01", draft=True),
        post("later", "2025-07-01"),
    )
    assert [p.slug for p in current.posts] == ["new", "old"]
    assert current.post("draft") is None and current.post("later") is None
    assert current.next_publication == datetime(2025, 7, 1, tzinfo=UTC)


def test_drafts_show_when_asked_but_are_never_searchable() -> None:
    current = catalogue(
        post("draft", "2025-04-01", draft=True), post("done", "2025-04-02"), show_drafts=True
    )
    assert current.post("draft") is not None
    assert [entry.url for entry in current.searchable()] == ["/posts/done/"]


def test_tags_use_the_most_common_spelling() -> None:
    current = catalogue(
        post("a", "2025-01-01", "Back Pain"),
        post("b", "2025-01-02", "back pain"),
        post("c", "2025-01-03", "back pain,sleep"),
    )
    assert current.tags["back-pain"].name == "back pain"
    assert {t.name for p in current.posts for t in p.tags} == {"back pain", "sleep"}
    assert [p.slug for p in current.tagged("back-pain")] == ["c", "b", "a"]
    assert [(e.tag.name, e.count) for e in current.cloud] == [("back pain", 3), ("sleep", 1)]


def test_neighbours_and_related() -> None:
    current = catalogue(
        post("a", "2025-01-01", "x,y"),
        post("b", "2025-02-01", "x"),
        post("c", "2025-03-01", "x,y"),
        post("d", "2025-04-01", "z"),
    )
    b = current.post("b")
    assert b is not None
    older, newer = current.neighbours(b)
    assert older is not None and older.slug == "a"
    assert newer is not None and newer.slug == "c"
    c = current.post("c")
    assert c is not None
    assert [p.slug for p in current.related(c)] == ["a", "b"]  # two shared tags beat one
    d = current.post("d")
    assert d is not None
    assert current.related(d) == ()
    assert current.neighbours(d)[1] is None


def test_archive_groups_by_year_and_month() -> None:
    current = catalogue(post("a", "2024-12-05"), post("b", "2025-01-10"), post("c", "2025-01-20"))
    archive = current.archive()
    assert [year for year, _ in archive] == [2025, 2024]
    january = archive[0][1][0]
    assert january.month.month == 1 and [p.slug for p in january.posts] == ["c", "b"]


def test_assemble_serves_about_at_about_and_reports_slugs_that_cannot_be_served() -> None:
    current, problems = assemble(
        [
            ("about.md", page("who-we-are")),
            ("pages/contact.md", page("contact")),
            ("pages/search.md", page("search")),
            ("posts/2025-01-01-a.md", post("a", "2025-01-01")),
            ("posts/2025-02-01-a.md", post("a", "2025-02-01", title="Twin")),
        ],
        site=SiteInfo(),
        now=NOW,
    )
    assert current.about is not None and current.about.url == "/about/"
    assert current.entry("/about/") == current.about and current.entry("/contact/")
    assert current.page("search") is None
    post_a = current.post("a")
    assert post_a is not None and post_a.title == "A"  # the first file by name wins
    assert problems == [
        Problem("pages/search.md", "page slug 'search' is a reserved path"),
        Problem("posts/2025-02-01-a.md", "duplicate slug 'a': posts/2025-01-01-a.md is used"),
    ]


def test_an_edit_that_moves_nothing_swaps_the_entry_in_place() -> None:
    a, b, c = post("a", "2025-01-01", "x"), post("b", "2025-01-02", "x,y"), post("c", "2025-01-03")
    current = Catalogue([a, b, c], [page("contact")], site=SiteInfo(), now=NOW)
    assert current.modified is None  # no file behind these entries
    retitled = replace(b, title="B, retitled", version=f"{2_000_000_000 * 10**9:x}-1-1")
    contact = replace(page("contact"), title="Reach us")
    edited = current.replaced([(b, retitled), (page("contact"), contact)])
    assert edited is not None and edited is not current
    assert [p.title for p in edited.posts] == ["C", "B, retitled", "A"]
    assert edited.post("b") is retitled and edited.entry("/posts/b/") is retitled
    assert [p.title for p in edited.tagged("x")] == ["B, retitled", "A"]
    assert edited.tagged("y") == (retitled,)
    assert edited.page("contact") is contact and edited.entry("/contact/") is contact
    assert edited.neighbours(retitled) == (a, c)
    assert edited.modified == retitled.modified is not None  # taken over, not recomputed
    assert [p.title for p in current.posts] == ["C", "B", "A"]  # the old one is untouched
    assert current.tagged("y") == (b,)


def test_a_catalogue_tells_what_was_edited_since_an_earlier_one_of_its_origin() -> None:
    a, b, c = post("a", "2025-01-01"), post("b", "2025-01-02"), post("c", "2025-01-03")
    current = catalogue(a, b, c)
    first = current.replaced([(a, replace(a, title="A1"))])
    assert first is not None and first.origin is current.origin
    second = first.replaced([(b, replace(b, title="B1"))])
    assert second is not None
    assert second.edited_since(0) == {"/posts/a/", "/posts/b/"}
    assert second.edited_since(first.edits) == {"/posts/b/"}  # not what came before
    assert first.edited_since(first.edits) == set()
    # Another catalogue edited from `first` has a log of its own; the two never mix.
    other = first.replaced([(c, replace(c, title="C1"))])
    assert other is not None and other.edited_since(first.edits) == {"/posts/c/"}
    assert second.edited_since(first.edits) == {"/posts/b/"}


def test_modified_is_the_newest_entrys_moment() -> None:
    stamps = {"a": 1_700_000_000, "b": 1_800_000_000, "c": 1_750_000_000}
    posts = [
        replace(post(slug, "2025-01-01"), version=f"{seconds * 10**9 + 7:x}-2a-10")
        for slug, seconds in stamps.items()
    ]
    unversioned = replace(page("contact"), version="not-hex")
    current = Catalogue(posts, [unversioned], site=SiteInfo(), now=NOW)
    assert current.modified == posts[1].modified == datetime.fromtimestamp(1.8e9 + 7e-9, UTC)


def test_an_edit_that_moves_an_entry_asks_for_a_new_catalogue() -> None:
    a, b = post("a", "2025-01-01", "x"), post("b", "2025-01-02")
    current = catalogue(a, b)
    later = datetime(2025, 3, 1, tzinfo=UTC)
    for moved in (
        replace(a, date=later),
        replace(a, slug="a2"),
        replace(a, tags=(Tag.from_name("z"),)),
        replace(a, draft=True),
    ):
        assert current.replaced([(a, moved)]) is None
    hidden = post("later", "2025-07-01")  # not shown: its edit changes nothing shown
    assert current.replaced([(hidden, replace(hidden, title="T"))]) is current
