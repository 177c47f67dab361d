"""QR codes of label URLs.

The QR code holds the label URL at error-correction level Q (25 % of the code may be
damaged); ``qr_version`` says which version (size) it takes. PNG and SVG for the web and for
printing; ``dark_runs`` is the one walk of the modules that SVG and PDF drawings share.
"""
from __future__ import annotations

import io

import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_H, ERROR_CORRECT_L, ERROR_CORRECT_M, ERROR_CORRECT_Q

QUIET_ZONE = 4  # modules of white around the code, as ISO/IEC 18004 requires
LEVELS = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q, "H": ERROR_CORRECT_H}
LEVEL = "Q"  # the labels' error-correction level: 25 % of the code may be damaged


def qr_code(url: str, level: str = LEVEL) -> qrcode.QRCode:
    """The smallest QR code at ``level`` (default Q) that holds ``url``."""
    code = qrcode.QRCode(error_correction=LEVELS[level], border=QUIET_ZONE)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_version(url: str, level: str = LEVEL) -> int:
    """The QR version (1-40; version v is 17 + 4v modules wide) the URL needs at ``level``."""
    return qr_code(url, level).version


def qr_modules(url: str) -> list[list[bool]]:
    """The code's dark (True) and light modules, without the quiet zone."""
    return [list(row) for row in qr_code(url).modules]


def qr_png(url: str, scale: int = 8) -> bytes:
    """A black-on-white PNG of the code, ``scale`` pixels a module, with the quiet zone."""
    modules = qr_modules(url)
    size = len(modules) + 2 * QUIET_ZONE
    image = Image.new("1", (size, size), 1)
    pixels = image.load()
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                pixels[x + QUIET_ZONE, y + QUIET_ZONE] = 0
    image = image.resize((size * scale, size * scale), Image.NEAREST)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def dark_runs(modules):
    """(row, first column, length) of each horizontal run of dark modules, in module units
    with the quiet zone included: the code is drawn one rectangle per run."""
    for y, row in enumerate(modules):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                yield y + QUIET_ZONE, start + QUIET_ZONE, x - start
            else:
                x += 1


def _qr_path(modules) -> str:
    """An SVG path of the dark modules, one rectangle per horizontal run."""
    return "".join(f"M{x} {y}h{length}v1h-{length}z" for y, x, length in dark_runs(modules))


def svg_element(modules, x=0.0, y=0.0, size=None, unit="") -> str:
    n = len(modules) + 2 * QUIET_ZONE
    size = n if size is None else size
    return (f'<svg x="{x:g}" y="{y:g}" width="{size:g}{unit}" height="{size:g}{unit}" '
            f'viewBox="0 0 {n} {n}" shape-rendering="crispEdges">'
            f'<rect width="{n}" height="{n}" fill="#ffffff"/>'
            f'<path d="{_qr_path(modules)}" fill="#000000"/></svg>')


def qr_svg(url: str, size_mm: float | None = None) -> str:
    """The code as a standalone SVG (one path); ``size_mm`` sets its printed size."""
    modules = qr_modules(url)
    n = len(modules) + 2 * QUIET_ZONE
    size = f'width="{size_mm:g}mm" height="{size_mm:g}mm" ' if size_mm else \
        f'width="{n * 4}" height="{n * 4}" '
    return (f'<svg xmlns="http://www.w3.org/2000/svg" {size}viewBox="0 0 {n} {n}" '
            f'shape-rendering="crispEdges"><rect width="{n}" height="{n}" fill="#ffffff"/>'
            f'<path d="{_qr_path(modules)}" fill="#000000"/></svg>\n')
