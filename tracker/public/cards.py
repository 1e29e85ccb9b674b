"""Share cards: the PNG that Open Graph and Twitter show for a commitment, drawn with Pillow.

1200×630 (the size both recommend), Noto Sans CJK TC from Debian's fonts-noto-cjk. Without
that font the card is still drawn, with Pillow's own font, which has no CJK glyphs: a
warning is logged once and the README says so (install fonts-noto-cjk). Long titles wrap
(CJK between any two characters, Latin between words) and end in an ellipsis after three
lines. A palette of 32 colours keeps the file well under 100 KB.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
TITLE_LINES = 3
FONT_DIR = Path("/usr/share/fonts/opentype/noto")
FONT_FILES = {"regular": "NotoSansCJK-Regular.ttc", "bold": "NotoSansCJK-Bold.ttc"}
FONT_FACE = "Noto Sans CJK TC"
INK, MUTED, PAPER, ACCENT = "#1f2328", "#57606a", "#ffffff", "#0f3d75"
# The status badges' colours of the site's stylesheet (white text on each is at least 4.5:1).
STATUS_COLOURS = {
    "tracking": "#1d4ed8",
    "achieved": "#166534",
    "delayed": "#b91c1c",
    "stale": "#4b5563",
    "other": "#4b5563",
}
ELLIPSIS = "…"
# A run of Latin letters and digits (a word) stays together; anything else is one piece.
_PIECES = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’.,:;!?%\-/)\]]*|\s+|.", re.S)


@dataclass(frozen=True)
class CardText:
    site: str
    title: str
    status: str
    status_slug: str
    agency: str
    updated: str


@functools.cache
def _face_index(path: Path) -> int | None:
    for index in range(10):
        try:
            name, _style = ImageFont.truetype(str(path), 12, index=index).getname()
        except OSError:
            return None
        if name == FONT_FACE:
            return index
    return None


@functools.cache
def font(weight: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Return Noto Sans CJK TC at SIZE, or Pillow's default font when it is not installed."""
    path = FONT_DIR / FONT_FILES[weight]
    index = _face_index(path) if path.exists() else None
    if index is None:
        _warn_missing_font(path)
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size, index=index)


@functools.cache
def _warn_missing_font(path: Path) -> None:
    logger.warning(
        "share cards: %s (%s) not found; drawing with Pillow's default font, which has no "
        "Chinese characters (install Debian's fonts-noto-cjk)",
        path,
        FONT_FACE,
    )


def has_cjk_font() -> bool:
    return all(
        (FONT_DIR / name).exists() and _face_index(FONT_DIR / name) is not None
        for name in FONT_FILES.values()
    )


def wrap(text: str, typeface, width: int, max_lines: int) -> list[str]:
    """Return TEXT in at most MAX_LINES lines no wider than WIDTH, the last ellipsised."""
    text = " ".join(text.split())
    lines: list[str] = []
    line = ""
    pieces = _PIECES.findall(text)
    while pieces:
        piece = pieces.pop(0)
        candidate = line + piece
        if typeface.getlength(candidate) <= width:
            line = candidate
            continue
        if not line.strip():
            # One word wider than the line: cut it between characters.
            if len(piece) > 1:
                pieces[:0] = list(piece)
                continue
            line = candidate
            continue
        lines.append(line.rstrip())
        line = ""
        if not piece.isspace():
            pieces.insert(0, piece)
        if len(lines) == max_lines:
            break
    else:
        if line.strip():
            lines.append(line.rstrip())
        return lines
    if not "".join(pieces).strip():
        return lines
    # Text left over: the last line ends in an ellipsis that fits.
    last = lines[-1]
    while last and typeface.getlength(last + ELLIPSIS) > width:
        last = last[:-1]
    lines[-1] = last.rstrip() + ELLIPSIS
    return lines


def ellipsised(text: str, typeface, width: int) -> str:
    return wrap(text, typeface, width, 1)[0] if text.strip() else ""


def render_card(card: CardText) -> bytes:
    """Return the share card as PNG bytes."""
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    colour = STATUS_COLOURS.get(card.status_slug, STATUS_COLOURS["other"])
    inner = WIDTH - 2 * MARGIN
    draw.rectangle((0, 0, WIDTH, 14), fill=colour)
    draw.text(
        (MARGIN, 52),
        ellipsised(card.site, font("bold", 34), inner),
        font=font("bold", 34),
        fill=ACCENT,
    )

    title_font = font("bold", 58)
    y = 128
    for line in wrap(card.title, title_font, inner, TITLE_LINES):
        draw.text((MARGIN, y), line, font=title_font, fill=INK)
        y += 80

    badge_font = font("bold", 34)
    badge_top = 410
    label_width = int(badge_font.getlength(card.status))
    draw.rounded_rectangle(
        (MARGIN, badge_top, MARGIN + label_width + 48, badge_top + 62), radius=31, fill=colour
    )
    draw.text((MARGIN + 24, badge_top + 8), card.status, font=badge_font, fill=PAPER)

    detail_font = font("regular", 30)
    draw.text(
        (MARGIN, 500), ellipsised(card.agency, detail_font, inner), font=detail_font, fill=MUTED
    )
    draw.text((MARGIN, 548), card.updated, font=detail_font, fill=MUTED)

    buffer = io.BytesIO()
    # 32 colours hold the five inks and their anti-aliased edges; the fast octree and zlib's
    # default level draw a card in a fifth of the time of median cut with optimize=True, for a
    # file about 10 % larger (bench/RESULTS.md).
    image.quantize(colors=32, method=Image.Quantize.FASTOCTREE).save(buffer, format="PNG")
    return buffer.getvalue()
