"""Draw the favicon's raster forms (static/favicon.ico, static/icon-180.png) with Pillow.

They match static/favicon.svg, which browsers that read SVG icons use instead. Run it
again after changing the SVG's design: `python tools/make_icons.py`.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "static"
GREEN, CREAM = (47, 93, 80), (244, 239, 230)
#: The vertebrae of the SVG: x, y, width, height on a 64-unit square.
BONES = ((27, 9, 10, 8), (26, 20, 12, 8), (25, 31, 14, 8), (26, 42, 12, 8), (28, 53, 8, 5))


def draw(size: int) -> Image.Image:
    """The icon at size × size pixels."""
    scale = size / 64
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, size - 1, size - 1), radius=round(14 * scale), fill=GREEN)
    for x, y, width, height in BONES:
        box = (x * scale, y * scale, (x + width) * scale, (y + height) * scale)
        pen.rounded_rectangle(box, radius=max(1, round(3 * scale)), fill=CREAM)
    return image


def main() -> None:
    """Write favicon.ico (16, 32 and 48 px) and the 180 px touch icon."""
    draw(48).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    draw(180).convert("RGB").save(STATIC / "icon-180.png", optimize=True)


if __name__ == "__main__":
    main()
