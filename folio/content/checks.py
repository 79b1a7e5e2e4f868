"""Content checks that need the whole site: links between posts, images on disk."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from folio.content.store import ContentStore, Problem


def check_site(store: ContentStore, static_dir: Path) -> list[Problem]:
    """Every problem in the content folder: unreadable files, bad keys, dead links."""
    problems = store.problems()
    current = store.catalogue()
    for name, entry in store.entries():
        for href in entry.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith("/posts/"):
                continue
            slug = unquote(parts.path.removeprefix("/posts/")).strip("/")
            if current.post(slug) is None:
                problems.append(Problem(name, f"link to a post that does not exist: {href}"))
        for src in entry.images:
            parts = urlsplit(src)
            if parts.scheme or parts.netloc:
                continue
            if not _local_file(unquote(parts.path), store.root / "images", static_dir):
                problems.append(Problem(name, f"image that does not exist: {src}"))
    return sorted(problems)


def _local_file(path: str, images: Path, static: Path) -> bool:
    for prefix, folder in (("/images/", images), ("/static/", static)):
        if path.startswith(prefix):
            target = (folder / path.removeprefix(prefix)).resolve()
            return target.is_relative_to(folder.resolve()) and target.is_file()
    return False
