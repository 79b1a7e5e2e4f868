"""Receiving a reply: the order of checks between a submitted form and a stored file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from folio.content.entries import Post
from folio.replies.form import ReplyForm
from folio.replies.ratelimit import RateLimiter
from folio.replies.store import DuplicateReply, Reply, ReplyStore, new_id

Kind = Literal["stored", "ignored", "invalid", "duplicate", "limited"]


@dataclass(frozen=True)
class Outcome:
    """What became of a submission, for the view to answer."""

    kind: Kind
    reply: Reply | None = None
    wait: float = 0.0


def receive(
    form: ReplyForm,
    post: Post,
    *,
    store: ReplyStore,
    limiter: RateLimiter,
    client: str,
    now: datetime,
) -> Outcome:
    """Check and store one submission; bots are ignored without telling them."""
    if form.looks_automated():
        return Outcome("ignored")
    if not form.validate():
        return Outcome("invalid")
    wait = limiter.hit(client, now.timestamp())
    if wait is not None:
        return Outcome("limited", wait=wait)
    parent = form.parent.data or None
    if parent and parent not in {r.id for r in store.replies(post.slug)}:
        parent = None  # answered a reply that is gone: keep the words, at the top level
    reply = Reply(
        id=new_id(),
        post=post.slug,
        author=form.author.data or "",
        email=form.email.data or "",
        url=form.url.data or "",
        text=(form.comment.data or "").replace("\r\n", "\n").strip(),
        created=now,
        parent=parent,
    )
    try:
        store.add(reply)
    except DuplicateReply:
        form.comment.errors = [*form.comment.errors, "You have already posted this comment."]
        return Outcome("duplicate")
    return Outcome("stored", reply)
