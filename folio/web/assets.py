"""Files beside the pages: images from the content folder, code colours."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, send_from_directory

from folio.content.render import highlight_css

bp = Blueprint("assets", __name__)


@bp.get("/images/<path:filename>")
def image(filename: str) -> Response:
    """Images stored beside the content; send_from_directory refuses to leave the folder."""
    return send_from_directory(current_app.config["CONTENT_DIR"] / "images", filename)


@bp.get("/highlight.css")
def highlight_stylesheet() -> Response:
    """Code colours from Pygments, for light and dark schemes."""
    response = Response(highlight_css(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
