"""One process's view of the site's images: the gallery's items and every known picture.

Requests only read a snapshot. A new one is made at most once a second, from a look at
two folders (a stat per file); a file is read and hashed again only when its size,
time or inode changed, so a request never re-reads an unchanged image.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from folio.gallery.images import SUFFIXES, ImageRefused, Picture, inspect
from folio.gallery.items import GALLERY_FILE, Entry, read_entries, unlisted
from folio.gallery.thumbnails import Thumbnails

log = logging.getLogger(__name__)

#: Seconds a snapshot is used before the folders are looked at again.
LOOK_INTERVAL = 1.0
#: The content folders whose raster images the site serves, and their URL prefixes.
FOLDERS = (("gallery", "/gallery/"), ("images", "/images/"))

Stamp = tuple[int, int, int]


@dataclass(frozen=True)
class Item:
    """One image on /gallery/: what the owner wrote about it, and the picture."""

    entry: Entry
    picture: Picture

    @property
    def slug(self) -> str:
        return self.entry.slug

    @property
    def alt(self) -> str:
        """The owner's alt text; the title stands in until they write one."""
        return self.entry.alt or self.entry.title


@dataclass(frozen=True, eq=False)
class Images:
    """A snapshot: gallery items in order, and every servable picture by URL and digest."""

    items: tuple[Item, ...] = ()
    by_url: dict[str, Picture] = field(default_factory=dict)
    by_digest: dict[str, Picture] = field(default_factory=dict)

    def item(self, slug: str) -> Item | None:
        """The gallery item with this slug."""
        return next((item for item in self.items if item.slug == slug), None)


class Shelf:
    """Finds the pictures in content/gallery/ and content/images/, and their thumbnails."""

    def __init__(self, content: Path, cache: Path) -> None:
        self.content = content
        self.thumbnails = Thumbnails(cache / "gallery")
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[Stamp, Picture | str]] = {}
        self._stamps: tuple[object, ...] = ()
        self._snapshot = Images()
        self._looked = -LOOK_INTERVAL

    @property
    def version(self) -> tuple[object, ...]:
        """Changes whenever the images do (for the page cache)."""
        self.current()
        return self._stamps

    def current(self) -> Images:
        """The snapshot, looked at again when the last look is over a second old."""
        with self._lock:
            if time.monotonic() - self._looked >= LOOK_INTERVAL:
                self._look()
                self._looked = time.monotonic()
            return self._snapshot

    def _look(self) -> None:
        files = {prefix: _image_files(self.content / name) for name, prefix in FOLDERS}
        listing = self.content / "gallery" / GALLERY_FILE
        # A source found undecodable (by any worker) adds a note there: look again then.
        refused = _stamp(self.thumbnails.refused)
        stamps = (_stamp(listing), refused, tuple((p, tuple(f.items())) for p, f in files.items()))
        if stamps == self._stamps:
            return
        by_url: dict[str, Picture] = {}
        for prefix, found in files.items():
            for name, stamp in found.items():
                picture = self._picture(self.content / prefix.strip("/") / name, stamp)
                if picture is not None:
                    by_url[prefix + name] = picture
        entries, _ = read_entries(self.content / "gallery")
        self._snapshot = Images(
            items=arrange(entries, by_url),
            by_url=by_url,
            by_digest={picture.digest: picture for picture in by_url.values()},
        )
        self._stamps = stamps

    def _picture(self, path: Path, stamp: Stamp) -> Picture | None:
        known = self._seen.get(str(path))
        if known is None or known[0] != stamp:
            try:
                found: Picture | str = inspect(path)
            except ImageRefused as e:
                log.warning("gallery image %s refused: %s", path, e)
                found = str(e)
            known = self._seen[str(path)] = (stamp, found)
        result = known[1]
        if isinstance(result, str) or self.thumbnails.refusal(result) is not None:
            return None
        return result


def arrange(entries: list[Entry], pictures: dict[str, Picture]) -> tuple[Item, ...]:
    """Listed images by their order (then as listed), then unlisted ones by name."""
    listed = {entry.file for entry in entries}
    ordered = sorted(enumerate(entries), key=lambda pair: (pair[1].order, pair[0]))
    # A listed file that is missing or refused is left out here; `flask check` names it.
    items = [
        Item(e, pictures[url]) for _, e in ordered if (url := f"/gallery/{e.file}") in pictures
    ]
    extra = sorted(url.removeprefix("/gallery/") for url in pictures if url.startswith("/gallery/"))
    items += [Item(unlisted(f), pictures[f"/gallery/{f}"]) for f in extra if f not in listed]
    return tuple(items)


def _image_files(folder: Path) -> dict[str, Stamp]:
    """Regular files with an image's ending (symbolic links are not followed out)."""
    found: dict[str, Stamp] = {}
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                suffix = os.path.splitext(item.name)[1].lower()  # noqa: PTH122 (a DirEntry)
                if suffix in SUFFIXES and item.is_file(follow_symlinks=False):
                    stat = item.stat(follow_symlinks=False)
                    found[item.name] = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    except OSError:
        pass  # no folder: no images
    return dict(sorted(found.items()))


def _stamp(path: Path) -> Stamp | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)
