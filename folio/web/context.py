"""What every template sees: the site, the sidebar's data, and the template filters."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from flask import Blueprint, current_app, g, render_template, request
from markupsafe import Markup

from folio.content.catalogue import Catalogue
from folio.content.entries import Page
from folio.replies.text import reply_html
from folio.site import Site

bp = Blueprint("context", __name__)


def site() -> Site:
    """The site this app serves."""
    found: Site = current_app.extensions["folio"]
    return found


def catalogue() -> Catalogue:
    """The catalogue as last published."""
    return site().library.catalogue()


def last_modified(*moments: datetime | None) -> None:
    """The response's Last-Modified: the latest of the moments its content comes from."""
    known = [moment for moment in moments if moment is not None]
    if known:
        g.modified = max(known)


@bp.app_context_processor
def site_context() -> dict[str, object]:
    """What every page needs: the site settings and the sidebar's data."""
    current = catalogue()
    return {"site": current.site, "catalogue": current, "reply_count": site().replies.count}


@bp.app_template_global("tag_cloud")
def tag_cloud(large: bool = False) -> Markup:
    """The tag cloud, the same on every page until the content changes: rendered once."""
    return _rendered_cloud(catalogue(), request.script_root, large=large)


@lru_cache(maxsize=4)  # by catalogue and the prefix its links start with
def _rendered_cloud(current: Catalogue, root: str, *, large: bool) -> Markup:
    return Markup(render_template("partials/_tag_cloud.html", cloud=current.cloud, large=large))  # noqa: S704 (our template's output)


@bp.app_template_global("summary")
def summary(entry: Page) -> str:
    """What a listing shows of an entry (see `Library.summary`)."""
    return site().library.summary(entry)


@bp.app_template_global("absolute")
def absolute(path: str) -> str:
    """A path on this site as a full URL: site.yml's base_url, else this request's host."""
    if "://" in path:
        return path
    return site_url() + path


def site_url() -> str:
    """The site's address without a trailing slash: base_url, else this request's own."""
    return catalogue().site.base_url or request.host_url.rstrip("/")


@bp.app_template_filter("longdate")
def longdate(moment: date) -> str:
    """12 September 2025."""
    return f"{moment.day} {moment:%B %Y}"


@bp.app_template_filter("monthname")
def monthname(moment: date) -> str:
    """September."""
    return f"{moment:%B}"


bp.add_app_template_filter(reply_html, "reply_html")
