"""The `flask` commands for site owners: check the content, start a new post."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
import yaml
from flask import Flask, current_app
from flask.cli import with_appcontext
from markdown.extensions.toc import slugify

from .checks import check_site
from .store import ContentStore


def register(app: Flask) -> None:
    """Add the content commands to `flask`."""
    app.cli.add_command(check)
    app.cli.add_command(new)


def _store() -> ContentStore:
    store: ContentStore = current_app.extensions["folio.content"]
    return store


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
