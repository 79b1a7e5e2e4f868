"""Draw the sample site's gallery images (content/gallery/) with Pillow.

    .venv/bin/python bench/gallery_samples.py

Simple flat artwork for a back-pain blog. One picture is stored the way a phone stores
a portrait photo (pixels on their side, EXIF orientation 6) so the sample site shows
orientation being applied.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "content" / "gallery"
W, H = 1200, 800
INK = (38, 52, 64)
SKIN = (226, 172, 140)
TEAL = (31, 111, 92)


def gradient(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> Image.Image:
    """A vertical gradient."""
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    for y in range(size[1]):
        t = y / max(1, size[1] - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (size[0], y)], fill=colour)
    return image


def limb(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], width: int = 22) -> None:
    """A rounded stroke through points: an arm, a leg, a back."""
    draw.line(points, fill=INK, width=width, joint="curve")
    for x, y in (points[0], points[-1]):
        draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=INK)


def spine() -> Image.Image:
    """The spine from the side: its three gentle curves, vertebrae and discs."""
    image = gradient((W, H), (236, 244, 246), (210, 228, 232))
    draw = ImageDraw.Draw(image)
    draw.ellipse((440, 40, 760, 300), outline=(180, 200, 205), width=6)  # the head's outline
    for i in range(24):
        t = i / 23
        y = 150 + t * 600
        x = 600 + 55 * math.sin(t * 2 * math.pi * 1.1 + 0.4) - 20 * t
        size = 22 + 26 * t
        colour = (250, 244, 232) if i % 2 else (242, 232, 214)
        draw.rounded_rectangle(
            (x - size, y - 11, x + size, y + 11), radius=9, fill=colour, outline=INK, width=3
        )
        draw.line([(x + size, y), (x + size + 30 + 20 * t, y + 8)], fill=INK, width=5)
    draw.polygon([(560, 760), (660, 760), (620, 790)], fill=(242, 232, 214), outline=INK)
    for y, label in ((240, (90, 160, 230)), (420, (240, 170, 80)), (640, (200, 90, 90))):
        draw.rounded_rectangle((150, y - 12, 330, y + 12), radius=12, fill=label)
        draw.line([(330, y), (520, y)], fill=label, width=4)
    return image


def sunrise() -> Image.Image:
    """A walker on a path over hills at sunrise."""
    image = gradient((W, H), (255, 204, 150), (255, 240, 214))
    draw = ImageDraw.Draw(image)
    draw.ellipse((760, 260, 960, 460), fill=(255, 170, 80))
    draw.polygon(
        [(0, 520), (300, 400), (650, 500), (1000, 380), (1200, 460), (1200, 800), (0, 800)],
        fill=(120, 170, 120),
    )
    draw.polygon(
        [(0, 640), (400, 560), (800, 620), (1200, 560), (1200, 800), (0, 800)], fill=(80, 140, 100)
    )
    draw.polygon([(520, 800), (600, 600), (640, 600), (760, 800)], fill=(226, 206, 170))
    x, y = 590, 470  # the walker, mid-stride
    draw.ellipse((x - 22, y - 90, x + 22, y - 46), fill=INK)
    limb(draw, [(x, y - 44), (x + 6, y + 40)], 26)
    limb(draw, [(x + 6, y + 40), (x - 28, y + 110)])
    limb(draw, [(x + 6, y + 40), (x + 40, y + 108)])
    limb(draw, [(x + 2, y - 30), (x - 30, y + 20)], 16)
    limb(draw, [(x + 2, y - 30), (x + 36, y + 14)], 16)
    return image


def stretch() -> Image.Image:
    """Child's pose on a mat: a gentle stretch for the lower back."""
    image = gradient((W, H), (240, 236, 250), (226, 220, 244))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((180, 600, 1020, 640), radius=20, fill=(120, 190, 170))
    limb(draw, [(760, 590), (560, 590)], 30)  # shins on the mat
    limb(draw, [(760, 585), (700, 470)], 34)  # thighs
    draw.arc((420, 360, 760, 640), 200, 320, fill=INK, width=34)  # the rounded back
    draw.ellipse((400, 520, 470, 590), fill=INK)  # head down
    limb(draw, [(430, 560), (260, 588)], 18)  # arms reaching forward
    return image


def desk() -> Image.Image:
    """A desk set up for the back: screen at eye level, feet flat, chair supporting the curve."""
    image = gradient((W, H), (244, 242, 236), (232, 228, 218))
    draw = ImageDraw.Draw(image)
    draw.rectangle((560, 470, 1080, 490), fill=(150, 110, 80))
    draw.rectangle((1040, 490, 1060, 760), fill=(150, 110, 80))
    draw.rounded_rectangle((800, 250, 1020, 400), radius=10, fill=INK)
    draw.rectangle((900, 400, 920, 470), fill=INK)
    draw.rounded_rectangle((300, 250, 340, 560), radius=16, fill=TEAL)  # chair back
    draw.rectangle((300, 540, 520, 570), fill=TEAL)
    draw.rectangle((400, 570, 420, 740), fill=TEAL)
    draw.ellipse((360, 160, 440, 240), fill=INK)
    limb(draw, [(380, 250), (370, 530)], 40)
    limb(draw, [(370, 530), (560, 530), (560, 740), (620, 740)], 30)
    limb(draw, [(380, 300), (470, 420), (640, 460)], 18)
    draw.line([(440, 200), (800, 300)], fill=(200, 120, 60), width=3)  # eye line to the screen
    return image


def sleep() -> Image.Image:
    """Sleeping on the side, a pillow between the knees."""
    image = gradient((W, H), (44, 58, 96), (70, 86, 130))
    draw = ImageDraw.Draw(image)
    draw.ellipse((960, 80, 1060, 180), fill=(250, 240, 200))
    draw.rounded_rectangle((120, 480, 1080, 620), radius=30, fill=(220, 226, 240))
    draw.rounded_rectangle((160, 400, 360, 480), radius=30, fill=(250, 250, 255))
    draw.ellipse((230, 340, 320, 430), fill=SKIN)
    draw.rounded_rectangle((300, 380, 1000, 500), radius=50, fill=(150, 170, 220))  # the duvet
    draw.rounded_rectangle((700, 440, 800, 500), radius=20, fill=(250, 250, 255))
    return image


def heat_and_ice() -> Image.Image:
    """A hot-water bottle and an ice pack, side by side (drawn with transparency)."""
    image = Image.new("RGBA", (1000, 700), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((120, 200, 440, 620), radius=70, fill=(220, 80, 60, 255))
    draw.rectangle((240, 130, 320, 210), fill=(180, 60, 45, 255))
    for y in range(260, 600, 40):
        draw.line([(160, y), (400, y)], fill=(240, 120, 100, 255), width=8)
    draw.rounded_rectangle((560, 260, 900, 560), radius=40, fill=(150, 210, 240, 230))
    for x, y in ((640, 330), (760, 360), (700, 460), (820, 470)):
        draw.rounded_rectangle(
            (x - 36, y - 36, x + 36, y + 36), radius=10, fill=(230, 248, 255, 255)
        )
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    spine().save(OUT / "spine-curves.png", optimize=True)
    sunrise().save(OUT / "sunrise-walk.jpg", quality=80, optimize=True, progressive=True)
    desk().save(OUT / "desk-setup.webp", quality=80)
    sleep().save(OUT / "side-sleeping.jpg", quality=80, optimize=True)
    heat_and_ice().save(OUT / "heat-or-ice.png", optimize=True)
    # Stored on its side like a phone's portrait photo; EXIF orientation 6 turns it upright.
    exif = Image.Exif()
    exif[0x0112] = 6
    stretch().transpose(Image.Transpose.ROTATE_90).save(
        OUT / "childs-pose.jpg", quality=80, optimize=True, exif=exif
    )
    total = sum(path.stat().st_size for path in OUT.iterdir() if path.suffix != ".yml")
    print(f"wrote {OUT}: {total:,} bytes")


if __name__ == "__main__":
    main()
