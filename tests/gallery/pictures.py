"""Test images made on the spot: phone photos with GPS, bombs, impostors."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from PIL import ExifTags, Image

# How a camera stores an upright picture for each orientation tag.
_STORED = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}
#: Where the made-up phone photos were taken: these bytes must never be served.
GPS_MARK = "Folio test camera"


def photo(
    path: Path,
    size: tuple[int, int] = (1200, 800),
    *,
    orientation: int = 1,
    gps: bool = False,
    colour: tuple[int, int, int] = (200, 60, 40),
) -> Path:
    """A JPEG like a phone's: upright, `size` with its left half red and right half blue.

    With an orientation, the pixels are stored turned and the EXIF tag says how to turn
    them back, as a phone stores a portrait photo.
    """
    image = Image.new("RGB", size, colour)
    image.paste((40, 60, 200), (size[0] // 2, 0, size[0], size[1]))
    if orientation in _STORED:
        image = image.transpose(_STORED[orientation])
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = GPS_MARK
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {
                ExifTags.GPS.GPSLatitudeRef: "N",
                ExifTags.GPS.GPSLatitude: (51.0, 30.0, 26.0),
                ExifTags.GPS.GPSLongitudeRef: "W",
                ExifTags.GPS.GPSLongitude: (0.0, 7.0, 39.0),
            }
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", exif=exif, quality=90, comment=GPS_MARK.encode())
    return path


def png(path: Path, size: tuple[int, int] = (600, 400), *, alpha: bool = False) -> Path:
    """A PNG, transparent on its right half when `alpha`."""
    image = Image.new("RGBA" if alpha else "RGB", size, (30, 140, 90, 255)[: 4 if alpha else 3])
    if alpha:
        image.paste((0, 0, 0, 0), (size[0] // 2, 0, size[0], size[1]))
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG")
    return path


def bomb(path: Path, side: int = 20_000) -> Path:
    """A tiny PNG that claims side×side pixels (a decompression bomb)."""
    data = BytesIO()
    Image.new("1", (side, side)).save(data, "PNG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.getvalue())
    return path


def truncated(path: Path) -> Path:
    """A JPEG cut off halfway through its pixels."""
    whole = photo(path.with_name("whole-" + path.name)).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    path.with_name("whole-" + path.name).unlink()
    return path


SVG_WITH_SCRIPT = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    "<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
