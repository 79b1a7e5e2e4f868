"""`flask index`: the search index, built from the files as they are now."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from folio.site import Site


@click.group()
def index() -> None:
    """The search index in SEARCH_INDEX_DIR."""


@index.command()
@with_appcontext
def rebuild() -> None:
    """Read every file now, build the index from scratch, and swap it in when complete."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory(prefix="folio-rebuild-") as private:
        # A cache of our own: the files are read now, whether or not a site is running.
        site = Site(app.config | {"CACHE_DIR": Path(private), "CONTENT_WATCH": False})
        site.role.take()
        publishing = site.publishing
        publishing.cache.prepare()
        publishing.pool.start()
        try:
            publishing.publisher.publish()
            publishing.publisher.render_pending()
            site.library.refresh()
            total = len(site.library.catalogue().searchable())
            with click.progressbar(length=total, label="Indexing", file=sys.stderr) as bar:
                stats = publishing.indexer.rebuild(progress=bar.update)
        finally:
            site.stop()
    if stats is None:
        raise click.ClickException("another process is rebuilding the index; try again shortly")
    click.echo(
        f"Indexed {stats.documents} documents in {stats.seconds:.1f} s; "
        f"index size {_size(stats.size)}."
    )


@index.command()
@with_appcontext
def status() -> None:
    """Documents, size and freshness of the index, compared with the files now."""
    # Here, not at the top: the app's import (each worker's start) needs none of these.
    from folio.content.checks import read_configured
    from folio.search.folder import IndexFolder
    from folio.search.service import SiteSearch

    config = current_app.config
    contents = read_configured(config)
    search = SiteSearch(IndexFolder(Path(config["SEARCH_INDEX_DIR"])))
    search.refresh()
    report = search.status(contents.catalogue)
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
    root = Path(config["CONTENT_DIR"])
    for entry in stale.changed:
        click.echo(f"  update {entry.url}  ({Path(entry.source).relative_to(root)})")
    for url in stale.deleted:
        click.echo(f"  delete {url}")


def _size(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB" if size >= 1_048_576 else f"{size / 1024:.0f} KB"
