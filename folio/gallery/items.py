"""content/gallery/gallery.yml: the owner's titles, captions, alt text and order."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from yaml import SafeLoader

from folio.content import meta
from folio.content.frontmatter import Unreadable, read_text
from folio.content.slugs import slugify

GALLERY_FILE = "gallery.yml"
MAX_GALLERY_FILE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Entry:
    """What gallery.yml says about one file; an unlisted file gets one from its name."""

    file: str
    title: str
    caption: str = ""
    alt: str | None = None
    order: float = math.inf
    post: str | None = None
    listed: bool = True

    @property
    def slug(self) -> str:
        """The item's anchor on /gallery/ and its own page: /gallery/<slug>/."""
        return slugify(Path(self.file).stem) or "image"


def title_from(file: str) -> str:
    """'sunrise_walk-2.jpg' becomes 'Sunrise walk 2'."""
    words = Path(file).stem.replace("_", " ").replace("-", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else file


def unlisted(file: str) -> Entry:
    """The entry of a file gallery.yml does not mention."""
    return Entry(file=file, title=title_from(file), listed=False)


def read_entries(folder: Path) -> tuple[list[Entry], list[str]]:
    """The entries of folder/gallery.yml and the problems found; no file means none."""
    path = folder / GALLERY_FILE
    if not path.is_file():
        return [], []
    try:
        text = read_text(str(path), MAX_GALLERY_FILE_BYTES)
        data = yaml.load(text, Loader=SafeLoader)
    except OSError as e:
        return [], [f"cannot read {GALLERY_FILE}: {e.strerror or e}"]
    except (Unreadable, yaml.YAMLError, ValueError, RecursionError) as e:
        return [], [f"cannot read {GALLERY_FILE}: {' '.join(str(e).split())}"]
    if isinstance(data, Mapping):
        data = data.get("images")
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [f"{GALLERY_FILE} must be a list of images (file, title, caption, alt)"]
    entries: list[Entry] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, item in enumerate(data, 1):
        try:
            entry = _entry(item)
        except meta.MetaError as e:
            problems.append(f"{GALLERY_FILE}, image {number}: {e}")
            continue
        if entry.file in seen:
            problems.append(f"{GALLERY_FILE}, image {number}: {entry.file} is listed twice")
            continue
        seen.add(entry.file)
        entries.append(entry)
    return entries, problems


def _entry(item: object) -> Entry:
    if isinstance(item, str):
        item = {"file": item}
    if not isinstance(item, Mapping):
        raise meta.MetaError("must be a mapping with at least 'file'")
    file = meta.text(item, "file", required=True) or ""
    if "/" in file or "\\" in file or file.startswith("."):
        raise meta.MetaError(f"'file' must be a file name in content/gallery/, not {file!r}")
    order = item.get("order")
    if order is not None and (isinstance(order, bool) or not isinstance(order, int | float)):
        raise meta.MetaError(f"'order' must be a number, not {order!r}")
    post = meta.text(item, "post")
    return Entry(
        file=file,
        title=meta.text(item, "title") or title_from(file),
        caption=meta.text(item, "caption") or "",
        alt=meta.text(item, "alt"),
        order=math.inf if order is None else float(order),
        post=post.strip("/").removeprefix("posts/") if post else None,
    )
