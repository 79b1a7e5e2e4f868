"""Renditions of a picture at a few widths, made once and kept on disk under CACHE_DIR.

A rendition's file name holds the source's content digest, so a changed source gets
new files (and new URLs) and an old file is never served for new content. Workers
share the folder: a lock file makes sure only one of them encodes a given rendition.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageOps

from folio.atomic import write_atomically
from folio.gallery.images import ImageRefused, Picture, decode

log = logging.getLogger(__name__)

#: Widths of whole pictures: a phone column, a desktop column at 2x, the viewer.
FULL_WIDTHS = (480, 960, 1600)
#: Sides of square crops: the sidebar widget and the gallery grid, at 1x to 3x.
SQUARE_SIDES = (160, 320, 480)
#: What each format's encoder is told; no metadata is ever passed in.
_ENCODERS: dict[str, dict[str, object]] = {
    "webp": {"format": "WEBP", "quality": 80, "method": 4},
    "jpg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
    "png": {"format": "PNG", "optimize": True},
}
MIMETYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
_NAME = re.compile(r"(?P<stem>.+)-(?P<kind>[ws])(?P<width>[0-9]{1,5})\.(?P<ext>webp|jpg|png)")
# Decoding a photo takes tens of megabytes: one at a time per process keeps a worker's
# memory bounded however many requests ask for missing thumbnails at once.
_DECODING = threading.BoundedSemaphore(1)


@dataclass(frozen=True)
class Rendition:
    """One file made from a picture: square (`s`) or whole (`w`), its width and format."""

    kind: str
    width: int
    height: int
    ext: str

    def name(self, picture: Picture) -> str:
        """The file name, also the last part of its URL: spine-w960.webp."""
        return f"{picture.stem}-{self.kind}{self.width}.{self.ext}"

    @property
    def mimetype(self) -> str:
        """The Content-Type it is served with."""
        return MIMETYPES[self.ext]


def fallback_ext(picture: Picture) -> str:
    """The format for browsers without WebP: PNG keeps transparency, JPEG the rest."""
    return "png" if picture.alpha else "jpg"


def renditions(picture: Picture, kind: str, ext: str) -> tuple[Rendition, ...]:
    """The widths made of a picture, never larger than the source."""
    if kind == "s":
        side = min(picture.width, picture.height)
        sides = sorted({min(s, side) for s in SQUARE_SIDES})
        return tuple(Rendition("s", s, s, ext) for s in sides)
    widths = sorted({min(w, picture.width) for w in FULL_WIDTHS})
    return tuple(Rendition("w", w, _scaled(picture, w), ext) for w in widths)


def find(picture: Picture, name: str) -> Rendition | None:
    """The rendition a file name asks for, if the picture has it."""
    match = _NAME.fullmatch(name)
    if match is None or match["stem"] != picture.stem:
        return None
    ext = match["ext"]
    if ext not in {"webp", fallback_ext(picture)}:
        return None
    width = int(match["width"])
    return next((r for r in renditions(picture, match["kind"], ext) if r.width == width), None)


def _scaled(picture: Picture, width: int) -> int:
    return max(1, round(picture.height * width / picture.width))


class Thumbnails:
    """Renditions on disk: CACHE_DIR/gallery/<digest>/<name>."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        #: Seconds spent making renditions in this process, and how many (for bench/logs).
        self.seconds = 0.0
        self.made = 0

    def path(self, picture: Picture, rendition: Rendition) -> Path:
        """Where the rendition is kept, made or not."""
        return self.folder / picture.digest / rendition.name(picture)

    @property
    def refused(self) -> Path:
        """The folder of notes on sources that could not be decoded, one per digest."""
        return self.folder / "refused"

    def refusal(self, picture: Picture) -> str | None:
        """Why the picture could not be decoded when someone last tried, if it could not."""
        try:
            return (self.refused / picture.digest).read_text(encoding="utf-8")
        except OSError:
            return None

    def ensure(self, picture: Picture, rendition: Rendition) -> Path:
        """The rendition's file, made now if missing; ImageRefused if the source is bad."""
        target = self.path(picture, rendition)
        if target.exists():
            return target
        if reason := self.refusal(picture):
            raise ImageRefused(reason)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target.parent / ".lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # another worker making it: wait, then reuse
            if not target.exists():
                self._make(picture, rendition, target)
        finally:
            os.close(fd)
        return target

    def _make(self, picture: Picture, rendition: Rendition, target: Path) -> None:
        started = time.perf_counter()
        with _DECODING:
            try:
                image = decode(picture.path, max(rendition.width, rendition.height))
            except ImageRefused as e:
                log.warning("gallery image %s refused: %s", picture.path, e)
                self.refused.mkdir(exist_ok=True)
                write_atomically(self.refused / picture.digest, str(e).encode(), durable=False)
                raise
            data = encode(image, rendition)
        write_atomically(target, data, durable=False)  # a lost file is made again
        self.seconds += time.perf_counter() - started
        self.made += 1


def encode(image: Image.Image, rendition: Rendition) -> bytes:
    """The rendition's bytes: cropped or scaled, encoded without any metadata."""
    size = (rendition.width, rendition.height)
    if rendition.kind == "s":
        resized = ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    else:
        resized = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    if rendition.ext == "jpg" and resized.mode != "RGB":
        resized = resized.convert("RGB")
    buffer = BytesIO()
    options = dict(_ENCODERS[rendition.ext])
    resized.save(buffer, **options)  # type: ignore[arg-type]
    return buffer.getvalue()
