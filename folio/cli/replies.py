"""`flask comments`: moderating visitor replies."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from folio.replies.store import STATUSES, ReplyStore, Status


def _replies() -> ReplyStore:
    store: ReplyStore = current_app.extensions["folio"].replies
    return store


@click.group()
def comments() -> None:
    """Moderate visitor replies."""


@comments.command("list")
@with_appcontext
@click.option("--all", "everything", is_flag=True, help="Include approved and rejected replies.")
def list_replies(everything: bool) -> None:
    """Pending replies first: id, post, author, date, first words."""
    order = {status: i for i, status in enumerate(STATUSES)}
    found = [r for r in _replies().everything() if everything or r.status == "pending"]
    found.sort(key=lambda r: (order[r.status], r.created))
    if not found:
        click.echo("No pending replies." if not everything else "No replies.")
        return
    for r in found:
        words = " ".join(r.text.split())
        excerpt = words if len(words) <= 60 else words[:59] + "…"
        click.echo(
            f"{r.id}  {r.status:<8}  {r.post}  {r.author}  {r.created:%Y-%m-%d %H:%M}  {excerpt}"
        )


def _moderate(reply_id: str, status: Status) -> None:
    changed = _replies().set_status(reply_id, status)
    if changed is None:
        raise click.ClickException(f"no reply with id {reply_id}")
    click.echo(f"{status.capitalize()} reply {reply_id} by {changed.author} on {changed.post}.")


@comments.command()
@with_appcontext
@click.argument("reply_id")
def approve(reply_id: str) -> None:
    """Show a reply under its post."""
    _moderate(reply_id, "approved")


@comments.command()
@with_appcontext
@click.argument("reply_id")
def reject(reply_id: str) -> None:
    """Keep a reply out of the site (it stays on disk)."""
    _moderate(reply_id, "rejected")


@comments.command()
@with_appcontext
@click.argument("reply_id")
def delete(reply_id: str) -> None:
    """Remove a reply for good."""
    if not _replies().delete(reply_id):
        raise click.ClickException(f"no reply with id {reply_id}")
    click.echo(f"Deleted reply {reply_id}.")
