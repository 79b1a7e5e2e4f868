"""Every page type looks right on a phone and a desktop, light and dark: screenshots for a
person to look at (tests/browser/screenshots/), and the faults a script can see."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import LOOKS, Scheme, look
from tests.browser.conftest import SCREENSHOTS, Served
from tests.browser.pages import ARTICLE, PAGE_TYPES, PageType

pytestmark = pytest.mark.browser

Box = dict[str, float]
#: The most space between the article and the sidebar on a desktop (the issue found 176px).
MAX_GUTTER = 64
#: The most a phone's header may take (the issue found ~200px, a quarter of the screen).
MAX_PHONE_HEADER = 150

#: Where each part of the page is, in page coordinates; null when it is not shown.
BOXES = """() => {
  const box = (selector) => {
    const el = document.querySelector(selector);
    if (!el || !el.getClientRects().length) return null;
    const r = el.getBoundingClientRect();
    return { x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height };
  };
  return { main: box("main"), aside: box("aside"), search: box("#header-search") };
}"""

#: Elements whose right edge passes their column's: text or media spilling out.
SPILLS = """(column) => {
  const edge = document.querySelector(column)?.getBoundingClientRect().right;
  if (edge === undefined) return [];
  return [...document.querySelectorAll(column + " *")]
    .filter((el) => el.getClientRects().length && !el.closest(".visually-hidden, dialog"))
    .filter((el) => el.getBoundingClientRect().right > edge + 1)
    .map((el) => el.tagName + "." + el.className);
}"""


def overlap(a: Box, b: Box) -> bool:
    """Whether two boxes share any area."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def faults(page: Page, width: int) -> list[str]:
    """What is wrong with the page's layout at this width, if anything."""
    found = []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        found.append(f"scrolls sideways: {scroll_width}px wide")
    boxes = page.evaluate(BOXES)
    main, aside = boxes["main"], boxes["aside"]
    if main and aside and overlap(main, aside):
        found.append(f"the content {main} overlaps the sidebar {aside}")
    for column in ("main", "aside"):
        if spilled := page.evaluate(SPILLS, column):
            found.append(f"spills out of {column}: {spilled[:5]}")
    if width < 700:
        search = boxes["search"]
        if search is None or search["y"] > 250:
            found.append(f"no search box at the top of the page: {search}")
    elif main and aside:
        gutter = aside["x"] - (main["x"] + main["width"])
        wrap = page.evaluate("document.querySelector('.layout').getBoundingClientRect().width")
        if gutter < 0:
            found.append("the sidebar is not beside the content on a desktop")
        elif gutter > MAX_GUTTER:
            found.append(f"a {gutter:.0f}px gutter between the content and the sidebar")
        elif main["width"] + gutter + aside["width"] < wrap - 2:
            found.append(f"content and sidebar leave part of the {wrap:.0f}px layout empty")
    return found


def shoot(page: Page, name: str, width: int, scheme: Scheme) -> None:
    """A whole-page screenshot for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{width}-{scheme}.png", full_page=True)


@pytest.mark.parametrize("kind", PAGE_TYPES, ids=lambda kind: kind.name)
def test_each_page_type_looks_right(browser: Browser, served: Served, kind: PageType) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        kind.visit(page, served.url)
        found: dict[str, list[str]] = {}
        for width, scheme in LOOKS:
            look(page, width, scheme)
            page.evaluate("document.fonts.ready")
            shoot(page, kind.name, width, scheme)
            found[f"{width}px {scheme}"] = faults(page, width)
    finally:
        context.close()
    assert not any(found.values()), found


def test_the_tag_cloud_wraps_within_its_column(page: Page, served: Served) -> None:
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(served.url + "/tags/")
        cloud = page.locator(".tag-cloud").first
        column = cloud.evaluate("el => el.parentElement.getBoundingClientRect().width")
        box = cloud.bounding_box()
        assert box is not None and box["width"] <= column + 1
        rows = cloud.evaluate(
            "el => new Set([...el.querySelectorAll('a')].map(a => Math.round(a.offsetTop))).size"
        )
        assert rows > 1, "the cloud's tags go on several lines, not one long one"


def test_on_a_desktop_the_sidebar_stays_beside_a_long_article(page: Page, served: Served) -> None:
    page.goto(served.url + ARTICLE)
    expect(page.locator("#sidebar-search")).to_be_in_viewport()  # at the top: it starts there
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height > 3 * 900, "the reference article with its replies is long"
    for share in (0.4, 0.7):
        page.evaluate(f"window.scrollTo(0, document.documentElement.scrollHeight * {share})")
        gallery = page.locator(".widget--gallery")
        expect(gallery).to_be_in_viewport()  # the sidebar's end, not an empty column
        box = gallery.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 900


def brightness(page: Page, selector: str) -> float:
    """The mean brightness (0-255) of an element as the screen shows it."""
    shot = page.locator(selector).first.screenshot()
    return float(ImageStat.Stat(Image.open(io.BytesIO(shot)).convert("L")).mean[0])


def test_the_about_illustration_is_dark_in_dark_mode(page: Page, served: Served) -> None:
    page.goto(served.url + "/about/")
    image = ".widget__image"
    page.wait_for_function(f"document.querySelector('{image}').complete")
    light = brightness(page, image)
    page.emulate_media(color_scheme="dark")
    page.wait_for_timeout(100)  # the SVG's own media query applies on the next frame
    dark = brightness(page, image)
    assert light > 180, light
    assert dark < 90, f"a bright block in dark mode: mean brightness {dark:.0f} of 255"


def test_tag_counts_sit_on_the_line_not_above_it(page: Page, served: Served) -> None:
    page.goto(served.url + "/tags/")
    found = page.evaluate(
        """() => [...document.querySelectorAll('.tag-cloud__tag')].slice(0, 5).map((tag) => {
          const count = tag.querySelector('.tag-cloud__count');
          const style = getComputedStyle(count);
          return [count.closest('sup') !== null, style.verticalAlign,
                  Math.abs(count.getBoundingClientRect().bottom -
                           tag.firstChild.parentElement.getBoundingClientRect().bottom)];
        })"""
    )
    assert found and all(not sup and align == "baseline" for sup, align, _ in found), found


def test_the_results_page_search_field_uses_the_sidebars_font(page: Page, served: Served) -> None:
    page.goto(served.url + "/search?q=walking")
    fonts = page.evaluate(
        """() => ['.search-form--page input', '#sidebar-search']
          .map((s) => { const st = getComputedStyle(document.querySelector(s));
                        return st.fontFamily; })"""
    )
    assert fonts[0] == fonts[1], fonts  # the page's field is a little larger, on purpose


def test_on_a_phone_the_header_is_short_and_its_menu_leaves_no_item_alone(
    page: Page, served: Served
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(served.url + "/")
    header = page.locator(".site-header").bounding_box()
    rows = page.evaluate(
        """() => {
          const rows = {};
          for (const a of document.querySelectorAll('.site-nav a')) {
            const top = Math.round(a.getBoundingClientRect().top);
            rows[top] = (rows[top] || 0) + 1;
          }
          return Object.values(rows);
        }"""
    )
    assert header is not None and header["height"] <= MAX_PHONE_HEADER, header
    assert min(rows) > 1 or len(rows) == 1, f"menu items per line: {rows}"
