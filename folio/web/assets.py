"""Files beside the pages: images from the content folder, code colours."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, send_from_directory
from werkzeug.wrappers import Response as BaseResponse

from folio.content.render import highlight_css
from folio.web.gallery import image_url

bp = Blueprint("assets", __name__)


#: What a file served as-is may do: nothing. An SVG with a script in it is inert here, even
#: opened on its own as a page of this site.
INERT = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@bp.get("/images/<path:filename>")
def image(filename: str) -> Response | BaseResponse:
    """Images stored beside the content: a photo the gallery knows goes to its cleaned
    rendition (no EXIF or GPS); anything else is sent as-is, inert."""
    cleaned = image_url(f"/images/{filename}")
    if cleaned != f"/images/{filename}":
        return redirect(cleaned, 302)
    # send_from_directory refuses to leave the folder.
    response = send_from_directory(current_app.config["CONTENT_DIR"] / "images", filename)
    response.headers["Content-Security-Policy"] = INERT
    return response


@bp.get("/highlight.css")
def highlight_stylesheet() -> Response:
    """Code colours from Pygments, for light and dark schemes."""
    response = Response(highlight_css(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
