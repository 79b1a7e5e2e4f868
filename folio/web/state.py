"""What a page is made from, as one comparable value: the page cache's key to freshness."""

from __future__ import annotations

import time

from flask import Flask


def page_state(app: Flask, path: str) -> tuple[object, ...]:
    """Changes whenever anything a page may show does: the catalogue (content, settings,
    a scheduled post going live), the searcher (related posts), replies, the gallery,
    and the hour where reply forms close with time."""
    site = app.extensions["folio"]
    gallery = app.extensions.get("folio.gallery")
    # Reply forms close COMMENTS_CLOSE_AFTER_DAYS after a post's date: with that set,
    # articles are made again at least every hour.
    hour = int(time.time() // 3600) if app.config["COMMENTS_CLOSE_AFTER_DAYS"] else None
    return (
        site.library.version,
        site.search_version,
        site.replies.version(),
        gallery.version if gallery is not None else None,
        hour,
    )
