"""Fonts for label images, found on the system (none is shipped).

A CJK font is used when one is installed (Debian: fonts-wqy-microhei or fonts-noto-cjk;
or set FOOTPRINT_CJK_FONT to a .ttf/.ttc/.otf file, or to "none" to use none). Without one
the PNG and PDF labels print the English product name instead of the Chinese one; the SVG
always carries the Chinese text and leaves the font to the viewer.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

CJK_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
LATIN_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)
LATIN_BOLD_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
    "C:/Windows/Fonts/arialbd.ttf",
)
PROBE = "碳足迹标签"  # a font that has these draws the label's Chinese


def _has_glyphs(path: Path, text: str) -> bool:
    try:
        font = TTFont(str(path), fontNumber=0, lazy=True)
        cmap = font.getBestCmap() or {}
        font.close()
    except Exception:  # noqa: BLE001 - an unreadable font is no font
        return False
    return all(ord(c) in cmap for c in text)


def _fc_list_cjk() -> list[Path]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                             timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    paths = [Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip()]
    return sorted(p for p in paths if p.suffix.lower() in (".ttf", ".ttc", ".otf"))


@lru_cache(maxsize=1)
def cjk_font() -> Path | None:
    """A font file that draws Chinese, or None."""
    chosen = os.environ.get("FOOTPRINT_CJK_FONT")
    if chosen is not None:
        if chosen.strip().lower() in ("", "none"):
            return None
        return Path(chosen) if _has_glyphs(Path(chosen), PROBE) else None
    for candidate in [Path(p) for p in CJK_CANDIDATES] + _fc_list_cjk():
        if candidate.is_file() and _has_glyphs(candidate, PROBE):
            return candidate
    return None


@lru_cache(maxsize=2)
def latin_font(bold: bool = False) -> Path | None:
    """A Unicode Latin font (DejaVu Sans, Liberation Sans ...), or None."""
    for candidate in (LATIN_BOLD_CANDIDATES if bold else LATIN_CANDIDATES):
        if Path(candidate).is_file():
            return Path(candidate)
    return None
