"""The `flask` commands for site owners: check the content, start a new post."""

from __future__ import annotations

import os
import sys
from datetime import datetime
from pathlib import Path

import click
import yaml
from flask import Flask, current_app
from flask.cli import with_appcontext
from markdown.extensions.toc import slugify

from folio.content.checks import check_site
from folio.content.store import ContentStore
from folio.replies.store import STATUSES, ReplyStore, Status
from folio.search.index import IndexFolder
from folio.search.service import SiteSearch


def register(app: Flask) -> None:
    """Add the content and index commands to `flask`."""
    app.cli.add_command(check)
    app.cli.add_command(new)
    app.cli.add_command(index)
    app.cli.add_command(comments)


def _store() -> ContentStore:
    """A store of its own: a command must not start the web app's background indexing."""
    return ContentStore.from_config(current_app.config)


def _search() -> SiteSearch:
    return SiteSearch(IndexFolder(current_app.config["SEARCH_INDEX_DIR"]), background=False)


@click.command()
@with_appcontext
def check() -> None:
    """Validate every content file; exit 1 when anything is wrong."""
    store = _store()
    problems = check_site(store, Path(current_app.static_folder or "static"))
    for problem in problems:
        click.echo(str(problem))
    files = len({problem.path for problem in problems})
    if problems:
        click.secho(f"{len(problems)} problem(s) in {files} file(s).", fg="red", err=True)
        raise SystemExit(1)
    click.secho(f"No problems in {len(store.entries())} content files.", fg="green")


@click.command()
@with_appcontext
@click.argument("title")
@click.option("--tags", default="", help="Comma-separated tags.")
@click.option("--publish", is_flag=True, help="Publish at once instead of writing a draft.")
def new(title: str, tags: str, publish: bool) -> None:
    """Write a skeleton post for TITLE into content/posts/."""
    slug = slugify(title, "-")
    if not slug:
        raise click.BadParameter("the title needs at least one letter or digit", param_hint="TITLE")
    now = datetime.now().astimezone()
    folder = Path(current_app.config["CONTENT_DIR"]) / "posts"
    path = folder / f"{now:%Y-%m-%d}-{slug}.md"
    front = {
        "title": title,
        "date": now.replace(microsecond=0).isoformat(),
        "tags": [t.strip() for t in tags.split(",") if t.strip()],
        "summary": "",
        "draft": not publish,
    }
    text = f"---\n{yaml.safe_dump(front, allow_unicode=True, sort_keys=False)}---\n\n" + (
        "Write the introduction here: the first paragraph is the summary unless you set one.\n"
        "\n## A section heading\n\nThe body of the article, in Markdown.\n"
    )
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as f:
            f.write(text)
    except FileExistsError:
        raise click.ClickException(f"{path} already exists; choose another title.") from None
    click.echo(f"Wrote {path}")


@click.group()
def index() -> None:
    """The search index in SEARCH_INDEX_DIR."""


@index.command()
@with_appcontext
@click.option(
    "--procs",
    default=min(2, os.cpu_count() or 1),
    show_default=True,
    help="Processes writing the index.",
)
def rebuild(procs: int) -> None:
    """Build the index from scratch and swap it in when complete."""
    catalogue = _store().catalogue()
    search = _search()
    total = len(catalogue.searchable())
    with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
        stats = search.rebuild(catalogue, procs=procs, progress=bar.update)
    search.close()
    if stats is None:
        raise click.ClickException("another process is rebuilding the index; try again shortly")
    click.echo(
        f"Indexed {stats.documents} documents in {stats.seconds:.1f} s; "
        f"index size {_size(stats.size)}."
    )


@index.command()
@with_appcontext
def status() -> None:
    """Documents, size and freshness of the index."""
    search = _search()
    report = search.status(_store().catalogue())
    search.close()
    if report.generation is None:
        click.echo("No index yet: run `flask --app app index rebuild` or start the site.")
        return
    click.echo(f"Documents: {report.documents}")
    click.echo(f"Size: {_size(report.size)} ({report.generation})")
    stale = report.stale
    if not stale:
        click.echo("Fresh: every published post and page is indexed at its current version.")
        return
    click.echo(f"Stale: {len(stale.changed)} to add or update, {len(stale.deleted)} to delete")
    root = Path(current_app.config["CONTENT_DIR"])
    for entry in stale.changed:
        click.echo(f"  update {entry.url}  ({Path(entry.source).relative_to(root)})")
    for url in stale.deleted:
        click.echo(f"  delete {url}")


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} KB"


def _replies() -> ReplyStore:
    store: ReplyStore = current_app.extensions["folio.replies"]
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
