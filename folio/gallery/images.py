"""Source images looked at safely: only raster formats, bounded bytes and pixels.

Nothing here trusts a file's name: the format is what Pillow finds in its bytes, and a
file that is not one of ours (an SVG, a script, a truncated JPEG, a decompression
bomb) is refused with a reason, never passed on.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

#: What Pillow may open here; everything else (SVG above all) is refused unread.
FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
#: File name endings the gallery looks at; other files in its folder are reported.
SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})
#: A larger source is refused before it is read (phone photos are 2-12 MB).
MAX_BYTES = 40 * 1024 * 1024
#: More pixels than a 48-megapixel phone photo is refused before decoding: a small
#: file can claim huge dimensions (a decompression bomb) and take gigabytes to decode.
MAX_PIXELS = 50_000_000
#: Part of every digest: a change to how renditions are made gives them new URLs.
RENDITION_VERSION = b"folio-renditions-1"
# Pillow's orientation tag in EXIF.
_ORIENTATION = 0x0112
_SRGB = ImageCms.createProfile("sRGB")


class ImageRefused(ValueError):
    """A file that is not an image the site serves; str() says why."""


@dataclass(frozen=True)
class Picture:
    """A source image as the site shows it: upright, with its digest and kind."""

    path: Path
    digest: str
    width: int
    height: int
    alpha: bool
    format: str

    @property
    def stem(self) -> str:
        """The file name without its ending, for readable rendition names."""
        return self.path.stem


def inspect(path: Path) -> Picture:
    """Read a source's header and digest; ImageRefused when it is not one we serve."""
    data = _read(path)
    with _opened(data) as image:
        upright = _upright_size(image)
        alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
        digest = hashlib.sha256(RENDITION_VERSION + data).hexdigest()[:20]
        return Picture(path, digest, *upright, alpha=alpha, format=str(image.format))


def decode(path: Path, largest: int) -> Image.Image:
    """The source's pixels, upright, in sRGB, with no metadata at all.

    `largest` is the longest side wanted: JPEGs decode at a reduced scale when they
    can, which is most of the time and memory saved on a phone photo.
    """
    data = _read(path)
    with _opened(data) as image:
        if image.format == "JPEG":
            image.draft("RGB", (largest, largest))
        try:
            image.load()
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as e:
            raise ImageRefused(f"cannot be decoded: {e}") from None
        upright = ImageOps.exif_transpose(image)
        return _clean(upright)


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise ImageRefused(f"cannot be read: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise ImageRefused(f"is over {MAX_BYTES // (1024 * 1024)} MB")
    return data


class _opened:
    """Image.open on bytes with our format list and pixel limit, as a context manager."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.image: Image.Image | None = None

    def __enter__(self) -> Image.Image:
        with warnings.catch_warnings():
            # Pillow warns, then raises, above its own limit: ours is lower, and a bomb
            # is refused either way, never half-decoded.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                image = Image.open(io.BytesIO(self.data), formats=list(FORMATS))
            except UnidentifiedImageError:
                raise ImageRefused("is not a JPEG, PNG, WebP or GIF image") from None
            except (Image.DecompressionBombWarning, Image.DecompressionBombError):
                raise ImageRefused("claims more pixels than Pillow allows") from None
            except (OSError, ValueError, SyntaxError) as e:
                raise ImageRefused(f"cannot be read as an image: {e}") from None
        self.image = image
        width, height = image.size
        if width < 1 or height < 1 or width * height > MAX_PIXELS:
            image.close()
            raise ImageRefused(
                f"is {width}×{height} pixels; the limit is {MAX_PIXELS:,} (a decompression bomb?)"
            )
        return image

    def __exit__(self, *exc: object) -> None:
        if self.image is not None:
            self.image.close()


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """The size once EXIF orientation is applied (5-8 turn the picture a quarter)."""
    try:
        orientation = image.getexif().get(_ORIENTATION, 1)
    except (OSError, ValueError, SyntaxError):
        orientation = 1  # unreadable EXIF: decode() drops it anyway
    width, height = image.size
    return (height, width) if orientation in {5, 6, 7, 8} else (width, height)


def _clean(image: Image.Image) -> Image.Image:
    """A new image from the pixels alone: no EXIF, GPS, XMP, ICC or comments survive."""
    icc = image.info.get("icc_profile")
    alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    converted = image.convert("RGBA" if alpha else "RGB")
    if icc:
        # Colours in a camera's own space (Display P3 on phones) are moved to sRGB,
        # which browsers assume once the profile is gone.
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            converted = ImageCms.profileToProfile(converted, source, _SRGB) or converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels as they are
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())
