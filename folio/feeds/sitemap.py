"""sitemap.xml and robots.txt: every public address with when it last changed."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from folio.content.catalogue import Catalogue

NAMESPACE = "http://www.sitemaps.org/schemas/sitemap/0.9"


def sitemap_urls(
    catalogue: Catalogue, extra: Iterable[str] = ()
) -> list[tuple[str, datetime | None]]:
    """(path, last change) of the home page, every post, page, tag page and `extra` path."""
    newest = catalogue.modified
    urls: list[tuple[str, datetime | None]] = [("/", newest), ("/archive/", newest)]
    urls += [("/tags/", newest)]
    for post in catalogue.posts:
        if not post.draft:
            urls.append((post.url, post.modified))
    for page in (*catalogue.pages.values(), *filter(None, [catalogue.about])):
        urls.append((page.url, page.modified))
    for slug in sorted(catalogue.tags):
        tagged = [p.modified for p in catalogue.tagged(slug) if p.modified and not p.draft]
        urls.append((f"/tags/{slug}/", max(tagged, default=None)))
    urls += [(path, newest) for path in extra]
    return urls


def sitemap_xml(base_url: str, urls: Iterable[tuple[str, datetime | None]]) -> bytes:
    """The sitemap document, escaped and well-formed by ElementTree."""
    root = ET.Element("urlset", xmlns=NAMESPACE)
    for path, modified in urls:
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = base_url + path
        if modified is not None:
            stamp = modified.astimezone(UTC).replace(microsecond=0)
            ET.SubElement(url, "lastmod").text = stamp.isoformat().replace("+00:00", "Z")
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def robots_txt(base_url: str) -> str:
    """Everything may be crawled except search results; where the sitemap is."""
    return f"User-agent: *\nDisallow: /search\nSitemap: {base_url}/sitemap.xml\n"
