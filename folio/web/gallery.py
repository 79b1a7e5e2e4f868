"""The gallery's pages, its sidebar widget, and every image rendition the site serves."""

from __future__ import annotations

from functools import lru_cache

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_file,
)
from flask.blueprints import BlueprintSetupState
from markupsafe import Markup, escape
from werkzeug.wrappers import Response as BaseResponse

from folio.content.render import Rendered
from folio.gallery import markup, thumbnails
from folio.gallery.images import ImageRefused
from folio.gallery.shelf import Images, Item, Shelf

bp = Blueprint("gallery", __name__)

#: Thumbnails shown in the sidebar widget.
WIDGET_ITEMS = 6
#: A year: a rendition's URL changes whenever its bytes would.
IMMUTABLE = 365 * 24 * 3600
#: The grid's cells: two columns on phones, about 11rem each on wider screens.
GRID_SIZES = "(min-width: 40rem) 11rem, calc(50vw - 2rem)"
#: The widget's cells: three across the 19rem sidebar, or across a phone's width.
WIDGET_SIZES = "(min-width: 60rem) 6rem, calc(33vw - 1.5rem)"
#: The viewer and an image's own page: up to the article column.
VIEW_SIZES = markup.ARTICLE_SIZES


@bp.record_once
def _attach(state: BlueprintSetupState) -> None:
    app = state.app
    app.extensions["folio.gallery"] = Shelf(app.config["CONTENT_DIR"], app.config["CACHE_DIR"])


def shelf() -> Shelf:
    """This process's view of the site's images."""
    found: Shelf = current_app.extensions["folio.gallery"]
    return found


def media_prefix() -> str:
    """Where renditions live, under the application's root."""
    return f"{request.script_root}/media"


@bp.get("/gallery/")
def index() -> str:
    """Every gallery image as a grid of square thumbnails; each opens the viewer."""
    return render_template("gallery.html", images=shelf().current(), grid_sizes=GRID_SIZES)


@bp.get("/gallery/<slug>/")
def item(slug: str) -> str:
    """One image, larger, with its caption: the viewer without JavaScript."""
    images = shelf().current()
    found = images.item(slug) or abort(404)
    at = images.items.index(found)
    older = images.items[at - 1] if at > 0 else None
    newer = images.items[at + 1] if at + 1 < len(images.items) else None
    return render_template("gallery_item.html", item=found, older=older, newer=newer)


@bp.get("/gallery/<name>")
def original(name: str) -> BaseResponse:
    """/gallery/<file> (as written in Markdown): the largest re-encoded rendition."""
    picture = shelf().current().by_url.get(f"/gallery/{name}") or abort(404)
    response = redirect(markup.largest(media_prefix(), picture), 302)
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


@bp.get("/media/<digest>/<name>")
def rendition(digest: str, name: str) -> BaseResponse:
    """A rendition, made once; only digests and names the gallery knows resolve."""
    picture = shelf().current().by_digest.get(digest) or abort(404)
    wanted = thumbnails.find(picture, name) or abort(404)
    try:
        path = shelf().thumbnails.ensure(picture, wanted)
    except ImageRefused:
        abort(404)
    response = send_file(path, mimetype=wanted.mimetype, max_age=IMMUTABLE, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.app_template_global("gallery_widget")
def gallery_widget() -> Markup:
    """The sidebar's gallery: the same on every page until the images change."""
    return _widget(shelf().current(), media_prefix())


@lru_cache(maxsize=2)
def _widget(images: Images, prefix: str) -> Markup:
    html = render_template(
        "partials/_gallery_widget.html", items=images.items[:WIDGET_ITEMS], sizes=WIDGET_SIZES
    )
    return Markup(html)  # noqa: S704 (our template's output)


@bp.app_template_global("picture")
def picture(
    src: str | None,
    alt: str,
    *,
    sizes: str = markup.ARTICLE_SIZES,
    kind: str = "w",
    eager: bool = False,
) -> Markup:
    """A known image as a responsive <picture>; any other as a plain <img>."""
    if not src:
        return Markup()
    found = shelf().current().by_url.get(src)
    if found is None:
        return Markup(f'<img src="{escape(src)}" alt="{escape(alt)}">')  # noqa: S704
    return markup.picture_html(media_prefix(), found, alt, sizes=sizes, kind=kind, eager=eager)


@bp.app_template_global("image_url")
def image_url(src: str, kind: str = "w") -> str:
    """The largest rendition's address of a known image (for links and og:image)."""
    found = shelf().current().by_url.get(src)
    return markup.largest(media_prefix(), found, kind) if found else src


@bp.app_template_global("full_view")
def full_view(item: Item) -> dict[str, object]:
    """What the viewer shows of an item: srcsets in WebP and the fallback, and the size."""
    prefix, found = media_prefix(), item.picture
    made = thumbnails.renditions(found, "w", thumbnails.fallback_ext(found))
    return {
        "src": markup.largest(prefix, found),
        "srcset": markup.srcset(prefix, found, "w", made[-1].ext),
        "webp": markup.srcset(prefix, found, "w", "webp"),
        "sizes": VIEW_SIZES,
        "width": made[-1].width,
        "height": made[-1].height,
    }


@bp.app_template_filter("responsive")
def responsive(body: Rendered, has_hero: bool = False) -> Markup:
    """A rendered body whose known images are served as responsive renditions."""
    return markup.responsive_body(body.html, shelf().current(), media_prefix(), has_hero=has_hero)
