"""The label text in a file a verifier was handed: a photo or PNG of the QR code, or this
platform's own printed labels and QR codes as PNG, SVG or PDF (footprint.labels.printed,
qr.py).

    text = label_text(path)    # the QR code's text: HTTPS://<HOST>/L/<B32>

Raster images are decoded with zxing-cpp; a PDF page is rendered with PDFium (pypdfium2) and
decoded the same way. An SVG is read from its structure rather than rendered: this
platform draws a QR code as an ``<svg viewBox="0 0 N N">`` holding one ``<path>`` of
``M x y h n v1 h-n z`` runs (qr.svg_element), so the modules are read back exactly and drawn
for the decoder. SVG files from elsewhere are not supported (convert them to PNG).
"""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING

from footprint.errors import Message

from .errors import LabelInvalid

if TYPE_CHECKING:
    from PIL import Image

SVG = "{http://www.w3.org/2000/svg}"
RUN = re.compile(r"M(\d+) (\d+)h(\d+)v1h-\3z")
RUNS = re.compile(r"(?:M\d+ \d+h(\d+)v1h-\1z)+")  # a whole path of such runs
PDF_DPI = 300
MODULE_PX = 8


class NotALabelFile(ValueError):
    """The file is not an image, PDF or SVG that could hold a label (a usage error); its
    argument a Message, the library's own words on the file as they wrote them."""


def label_text(path: Path) -> str:
    """The text of the label QR code in the file; LabelInvalid("malformed") if none."""
    head = path.read_bytes()[:512]
    if head.startswith(b"%PDF"):
        images = _pdf_pages(path)
    elif b"<svg" in head or path.suffix.lower() == ".svg":
        images = _svg_codes(path)
    else:
        images = [_image(path)]
    texts = [t for image in images for t in _decode(image)]
    if not texts:
        raise LabelInvalid("malformed", f"no QR code found in {path}")
    # a label holds one code; of several, the first that is a label URL
    return next((t for t in texts if re.search(r"/L/[A-Za-z2-7]+/?$", t.strip())), texts[0])


def _image(path: Path) -> Image.Image:
    # Pillow, like the QR decoder, loads only when a file is read
    from PIL import Image, UnidentifiedImageError
    try:
        image = Image.open(io.BytesIO(path.read_bytes()))  # no file left open if it fails
        image.load()
    except UnidentifiedImageError:
        raise NotALabelFile(Message("%(path)s: not an image, a PDF or an SVG file",
                                    path=str(path))) from None
    except OSError:  # Pillow's reasons for a damaged image ("Truncated File Read") are English
        raise NotALabelFile(Message("%(path)s: the image is damaged and cannot be read to its "
                                    "end", path=str(path))) from None
    return image


def _decode(image: Image.Image) -> list[str]:
    # the QR decoder loads only when a file is read, not for a URL or base32 text
    import zxingcpp
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return [barcode.text for barcode in found]


def _pdf_pages(path: Path) -> list[Image.Image]:
    # PDFium loads only for a PDF (the web's workers and other commands never need it)
    import pypdfium2
    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        # PDFium's reasons are English ("Data format error", "Incorrect password error")
        if "password" in str(exc).lower() or "security" in str(exc).lower():
            raise NotALabelFile(Message("%(path)s: the PDF is protected by a password; save "
                                        "the label without one", path=str(path))) from None
        raise NotALabelFile(Message("%(path)s: not a readable PDF: the file is damaged",
                                    path=str(path))) from None
    try:
        return [document[i].render(scale=PDF_DPI / 72).to_pil()
                for i in range(min(len(document), 10))]
    finally:
        document.close()


def _svg_codes(path: Path) -> list[Image.Image]:
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError as exc:
        line, column = exc.position
        raise NotALabelFile(Message("%(path)s: not a readable SVG file: its XML has an error at "
                                    "line %(line)s, column %(column)s", path=str(path),
                                    line=line, column=column + 1)) from None
    codes = []
    for svg in [root, *root.iter(f"{SVG}svg")]:
        size = _square_viewbox(svg.get("viewBox"))
        paths = [p for p in svg.findall(f"{SVG}path") if RUNS.fullmatch(p.get("d") or "")]
        if size and len(paths) == 1:
            codes.append(_draw(size, paths[0].get("d")))
    if not codes:
        raise NotALabelFile(Message("%(path)s: no QR code of this platform's labels in the SVG "
                                    "(only the labels and QR codes footprint draws are read; "
                                    "convert other SVG files to PNG)", path=str(path)))
    return codes


def _square_viewbox(text: str | None) -> int | None:
    match = re.fullmatch(r"\s*0\s+0\s+(\d+)\s+(\d+)\s*", text or "")
    if match and match.group(1) == match.group(2) and 21 <= int(match.group(1)) <= 200:
        return int(match.group(1))
    return None


def _draw(size: int, runs: str) -> Image.Image:
    """The modules of the path, drawn black on white at MODULE_PX pixels a module."""
    # Pillow loads only when a file is read (see _image)
    from PIL import Image
    image = Image.new("1", (size, size), 1)
    pixels = image.load()
    for match in RUN.finditer(runs):
        x, y, length = map(int, match.groups())
        for i in range(x, min(x + length, size)):
            if y < size:
                pixels[i, y] = 0
    return image.resize((size * MODULE_PX, size * MODULE_PX), Image.NEAREST)

