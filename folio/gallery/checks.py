"""`flask check`'s look at the gallery: every file decoded now, every entry checked."""

from __future__ import annotations

import os
from pathlib import Path

from folio.content.catalogue import Catalogue
from folio.content.entries import Problem
from folio.gallery.images import SUFFIXES, ImageRefused, decode, inspect
from folio.gallery.items import GALLERY_FILE, read_entries, unlisted

#: Decoded at this size at most: enough to find truncated or corrupt pixel data.
_PROBE = 64


def gallery_warnings(root: Path, catalogue: Catalogue) -> list[Problem]:
    """Missing alt text, listed files that do not exist, files that are not images."""
    folder = root / "gallery"
    if not folder.is_dir():
        return []
    entries, problems = read_entries(folder)
    warnings = [Problem(f"gallery/{GALLERY_FILE}", reason) for reason in problems]
    names = sorted(path.name for path in folder.iterdir())
    listed = {entry.file for entry in entries}
    for entry in entries:
        if entry.file not in names:
            warnings.append(_warn(GALLERY_FILE, f"lists {entry.file}, which does not exist"))
        if entry.post and catalogue.post(entry.post) is None:
            warnings.append(
                _warn(
                    GALLERY_FILE, f"{entry.file} links to a post that does not exist: {entry.post}"
                )
            )
    for entry in [*entries, *(unlisted(name) for name in names if name not in listed)]:
        if entry.file in names and _is_image_name(entry.file) and not entry.alt:
            warnings.append(_warn(entry.file, "has no alt text (add 'alt' in gallery.yml)"))
    for name in names:
        if name == GALLERY_FILE or name.startswith("."):
            continue
        if not _is_image_name(name):
            warnings.append(_warn(name, "is not a JPEG, PNG, WebP or GIF image; it is not shown"))
        elif reason := _refusal(folder / name):
            warnings.append(_warn(name, f"{reason}; it is not shown"))
    return sorted(warnings)


def _warn(name: str, reason: str) -> Problem:
    return Problem(f"gallery/{name}", reason)


def _is_image_name(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in SUFFIXES  # noqa: PTH122 (a name, not a path)


def _refusal(path: Path) -> str | None:
    """Why the site would refuse this file, found by decoding it as the site would."""
    if path.is_symlink() or not path.is_file():
        return "is not a regular file"
    try:
        inspect(path)
        decode(path, _PROBE)
    except ImageRefused as e:
        return str(e)
    return None
