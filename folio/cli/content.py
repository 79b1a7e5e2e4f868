"""`flask check` and `flask new`: the content as the site owner writes it."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import click
import yaml
from flask import current_app
from flask.cli import with_appcontext

from folio.content.slugs import slugify


@click.command()
@with_appcontext
def check() -> None:
    """Validate every content file as it is now; exit 1 when anything is wrong."""
    # Here, not at the top: the app's import (each worker's start) needs none of these.
    from folio.content.bounded import RenderPool
    from folio.content.checks import check_site, read_configured
    from folio.gallery.checks import gallery_warnings

    config = current_app.config
    contents = read_configured(config)
    pool = RenderPool(
        processes=min(2, os.cpu_count() or 1),
        timeout=float(config["RENDER_TIMEOUT"]),
        options={"trust_html": bool(config["CONTENT_TRUST_HTML"])},
    )
    with pool:
        problems = check_site(contents, pool, Path(current_app.static_folder or "static"))
    for problem in problems:
        click.echo(str(problem))
    # The site shows a gallery around these (the file is left out): warnings, not failures.
    for warning in gallery_warnings(contents.root, contents.catalogue):
        click.secho(f"warning: {warning}", fg="yellow")
    files = len({problem.path for problem in problems})
    if problems:
        click.secho(f"{len(problems)} problem(s) in {files} file(s).", fg="red", err=True)
        raise SystemExit(1)
    click.secho(f"No problems in {contents.files} content files.", fg="green")


@click.command()
@with_appcontext
@click.argument("title")
@click.option("--tags", default="", help="Comma-separated tags.")
@click.option("--publish", is_flag=True, help="Publish at once instead of writing a draft.")
def new(title: str, tags: str, publish: bool) -> None:
    """Write a skeleton post for TITLE into content/posts/."""
    slug = slugify(title)
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
