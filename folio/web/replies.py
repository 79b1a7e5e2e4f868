"""Receiving a visitor's reply to an article."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from folio.replies.form import ReplyForm, cross_site
from folio.replies.receiving import receive
from folio.replies.store import utcnow
from folio.web.context import catalogue, site
from folio.web.pages import article, replies_are_open

bp = Blueprint("replies", __name__)


@bp.post("/posts/<slug>/comments")
def reply(slug: str) -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Receive a reply: redirect when stored, or show the form again with what is wrong."""
    found = catalogue().post(slug) or abort(404)
    if not current_app.config["REPLIES_WRITABLE"]:
        # A proxy should have sent this to the host that writes replies (deploy/).
        abort(403, "This server shows replies but does not receive them.")
    headers = request.headers
    if cross_site(headers.get("Sec-Fetch-Site"), headers.get("Origin"), request.host_url):
        abort(403, "Replies can only be sent from this site’s own form.")
    if not replies_are_open(found):
        abort(403, "Replies are closed on this article.")
    form = ReplyForm(request.form)
    outcome = receive(
        form,
        found,
        store=site().replies,
        limiter=site().ratelimit,
        client=request.remote_addr or "unknown",
        now=utcnow(),
    )
    if outcome.kind in {"stored", "ignored"}:  # bots get the same answer as people
        target = url_for("pages.post", slug=found.slug, reply="pending", _anchor="replies")
        return redirect(target, 303)
    private = {"Cache-Control": "no-store"}
    if outcome.kind == "limited":
        wait = max(1, round(outcome.wait))
        message = f"You have sent several replies in a short time. Please wait {wait} seconds."
        return article(found, form, message), 429, private | {"Retry-After": str(wait)}
    return article(found, form, "Please check the highlighted fields."), 422, private
