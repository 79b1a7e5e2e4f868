"""`flask check`: every content file read as it is now, never from a cache."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from folio.content.bounded import RenderPool, RenderRefused
from folio.content.catalogue import Catalogue, assemble
from folio.content.entries import Page, Problem, read_entry
from folio.content.frontmatter import Unreadable, read_text, split
from folio.content.render import Rendered
from folio.content.siteinfo import SiteInfo, read_site_info
from folio.content.sources import content_files, relative_name, version


@dataclass(frozen=True)
class Contents:
    """Every file's front matter as it is now, and the catalogue they make."""

    root: Path
    files: int
    max_bytes: int
    site: SiteInfo
    entries: list[tuple[str, Page]]
    catalogue: Catalogue
    problems: list[Problem]


def read_contents(root: Path, *, max_bytes: int, now: datetime, show_drafts: bool) -> Contents:
    """Read every file's front matter now (bodies are not rendered)."""
    site, reasons = read_site_info(root / "site.yml")
    problems = [Problem("site.yml", reason) for reason in reasons]
    entries: list[tuple[str, Page]] = []
    files = 0
    for path, found, kind in content_files(root):
        files += 1
        name = relative_name(path, root)
        reading = read_entry(path, kind, site.timezone, version(found), max_bytes)
        problems += [Problem(name, reason) for reason in reading.problems]
        if reading.entry is not None:
            entries.append((name, reading.entry))
    entries.sort(key=lambda pair: pair[0])
    catalogue, duplicates = assemble(entries, site=site, now=now, show_drafts=show_drafts)
    return Contents(root, files, max_bytes, site, entries, catalogue, problems + duplicates)


def read_configured(config: Mapping[str, Any]) -> Contents:
    """`read_contents` with the app's settings (CONTENT_DIR, MAX_CONTENT_FILE_BYTES, ...)."""
    return read_contents(
        Path(config["CONTENT_DIR"]),
        max_bytes=int(config["MAX_CONTENT_FILE_BYTES"]),
        now=datetime.now(UTC),
        show_drafts=bool(config["SHOW_DRAFTS"]),
    )


def check_site(contents: Contents, pool: RenderPool, static_dir: Path) -> list[Problem]:
    """Every problem: unreadable files, bad keys, bodies that fail to render, dead links."""
    problems = list(contents.problems)
    with ThreadPoolExecutor(pool.processes) as threads:
        bodies = threads.map(
            lambda pair: _render(pair[1], pool, contents.max_bytes), contents.entries
        )
        for (name, entry), body in zip(contents.entries, bodies, strict=True):
            if isinstance(body, str):
                problems.append(Problem(name, body))
                continue
            images = (*body.images, *filter(None, [entry.image]))
            problems += _links(name, body.links, contents.catalogue)
            problems += _images(name, images, contents.root / "images", static_dir)
    return sorted(problems)


def _render(entry: Page, pool: RenderPool, max_bytes: int) -> Rendered | str:
    try:
        return pool.render(split(read_text(entry.source, max_bytes))[1])
    except (Unreadable, RenderRefused) as e:
        return str(e)
    except OSError as e:
        return f"cannot read file: {e.strerror or e}"


def _links(name: str, links: tuple[str, ...], catalogue: Catalogue) -> list[Problem]:
    problems = []
    for href in links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/posts/"):
            continue
        slug = unquote(parts.path.removeprefix("/posts/")).strip("/")
        if catalogue.post(slug) is None:
            problems.append(Problem(name, f"link to a post that does not exist: {href}"))
    return problems


def _images(name: str, images: tuple[str, ...], folder: Path, static_dir: Path) -> list[Problem]:
    problems = []
    for src in images:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            continue
        if not _local_file(unquote(parts.path), folder, static_dir):
            problems.append(Problem(name, f"image that does not exist: {src}"))
    return problems


def _local_file(path: str, images: Path, static: Path) -> bool:
    gallery = images.parent / "gallery"  # content/gallery/<file>, served as renditions
    for prefix, folder in (("/images/", images), ("/gallery/", gallery), ("/static/", static)):
        if path.startswith(prefix):
            target = (folder / path.removeprefix(prefix)).resolve()
            return target.is_relative_to(folder.resolve()) and target.is_file()
    return False
