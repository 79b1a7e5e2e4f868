"""What a page is made from, as one comparable value: the page cache's key to freshness."""

from __future__ import annotations

from flask import Flask


def page_state(app: Flask, path: str) -> tuple[object, ...]:
    """Changes whenever anything a page may show does: the catalogue (content, settings,
    a scheduled post going live), the searcher (related posts), replies, the gallery."""
    site = app.extensions["folio"]
    gallery = app.extensions.get("folio.gallery")
    return (
        site.library.version,
        site.search.version,
        site.replies.version(),
        gallery.version if gallery is not None else None,
    )
