"""Synthetic scans and photos of the synthetic PDF reports, deterministic by seed.

`scan_pages(pdf, seed, ...)` rasterises each page of a text-layer PDF (tests.synth.pdf_report)
the way a scanner or a phone would deliver it: a resolution between 150 and 300 dpi, a tilt of up
to ±2°, blur, sensor noise, JPEG compression, one page lying on its side (turned 90°), a table
ruling printed faint and another one broken into pieces, streaks down the sheet (`streaks`: a
copier's, from a speck on its glass); `photo=True` instead puts the sheet on a
darker background under a perspective (a phone held at an angle) with uneven light.

Containers: `scan_pdf` (an image-only PDF, one JPEG per page, as a scanner's PDF), `searchable_pdf`
(the same with another OCR's reading laid over each page as invisible text, as a scanner's
"searchable PDF"), `scan_tiff` (one multi-page TIFF), `scan_jpegs` (one JPEG per page).

`sealed_colour_pages` gives clean colour scans with a red seal stamped over a line of the last page
(its ink multiplied with the print under it, as a stamp's is), for `scan_pdf`.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import cv2
import numpy as np
import pymupdf


@dataclass
class ScanStyle:
    dpi: int = 200
    tilt: float = 0.0  # degrees, counter-clockwise
    blur: float = 0.0  # Gaussian sigma in pixels
    noise: float = 0.0  # standard deviation of the grey-level noise
    jpeg: int = 80  # JPEG quality
    turned: tuple[int, ...] = ()  # 1-based pages lying on their side (turned 90° clockwise)
    faint_ruling: bool = False  # one table ruling printed light grey
    broken_ruling: bool = False  # one table ruling with gaps
    photo: bool = False
    # streaks a speck on a copier's glass draws down the sheet: each its x as a share of the sheet's
    # width, down the whole sheet; or (x, top, bottom), as shares of its width and height
    streaks: tuple[float | tuple[float, float, float], ...] = ()


def style_for(seed: int, **over) -> ScanStyle:
    """A random but plausible scanner for this seed; keyword arguments override."""
    rng = np.random.default_rng(seed)
    style = ScanStyle(dpi=int(rng.choice([150, 200, 240, 300])), tilt=float(rng.uniform(-2, 2)),
                      blur=float(rng.uniform(0.3, 1.0)), noise=float(rng.uniform(3, 10)),
                      jpeg=int(rng.integers(55, 90)), faint_ruling=True, broken_ruling=True)
    for k, v in over.items():
        setattr(style, k, v)
    return style


def scan_pages(pdf: bytes, seed: int, style: ScanStyle | None = None) -> list[np.ndarray]:
    """Each page of `pdf` as a grayscale scan (JPEG-compressed pixels)."""
    style = style or style_for(seed)
    rng = np.random.default_rng(seed)
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    out = []
    for page in doc:
        pix = page.get_pixmap(dpi=style.dpi, colorspace=pymupdf.csGRAY, alpha=False)
        img = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width).copy()
        rulings = _table_rulings(page, style.dpi / 72.0)
        if rulings and style.faint_ruling:
            _faint(img, rulings[int(rng.integers(len(rulings)))])
        if rulings and style.broken_ruling:
            _broken(img, rulings[int(rng.integers(len(rulings)))], rng)
        if style.photo:
            img = _photo(img, rng)
        else:
            img = _tilt(img, style.tilt + float(rng.uniform(-0.3, 0.3)))
        for streak in style.streaks:
            x, top, bottom = streak if isinstance(streak, tuple) else (streak, 0.0, 1.0)
            h, w = img.shape
            _streak(img[int(top * h):int(bottom * h)], int(x * w), max(2, style.dpi // 70))
        if style.blur > 0:
            img = cv2.GaussianBlur(img, (0, 0), style.blur)
        if style.noise > 0:
            img = np.clip(img.astype(np.float32) + rng.normal(0, style.noise, img.shape), 0, 255).astype(np.uint8)
        if page.number + 1 in style.turned:
            img = np.ascontiguousarray(np.rot90(img, -1))
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, style.jpeg])
        out.append(cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE))
    doc.close()
    return out


def _table_rulings(page: pymupdf.Page, k: float) -> list[tuple[int, int, int, int]]:
    """Horizontal rulings at least 100 pt long, in pixels (x0, y, x1, y)."""
    out = []
    for path in page.get_drawings():
        for item in path["items"]:
            if item[0] == "l":
                p, q = item[1], item[2]
                if abs(p.y - q.y) < 0.5 and abs(q.x - p.x) >= 100:
                    out.append((int(min(p.x, q.x) * k), int(p.y * k), int(max(p.x, q.x) * k), int(p.y * k)))
    return out


def _faint(img: np.ndarray, line: tuple[int, int, int, int]) -> None:
    x0, y, x1, _ = line
    band = img[max(0, y - 3):y + 4, x0:x1]
    band[band < 200] = 205  # a light grey line where it was black


def _broken(img: np.ndarray, line: tuple[int, int, int, int], rng: np.random.Generator) -> None:
    x0, y, x1, _ = line
    for _ in range(max(2, (x1 - x0) // 120)):
        gx = int(rng.integers(x0, max(x0 + 1, x1 - 12)))
        img[max(0, y - 3):y + 4, gx:gx + int(rng.integers(4, 12))] = 255


def _streak(img: np.ndarray, x: int, width: int, darken: float = 0.7) -> None:
    """A grey band down `img`, over the print as over the paper (toner's is)."""
    band = img[:, x:x + width].astype(np.float32) * darken
    img[:, x:x + width] = band.astype(np.uint8)


def _tilt(img: np.ndarray, angle: float) -> np.ndarray:
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)


def _photo(img: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The sheet on a darker desk, seen at an angle, lit unevenly."""
    h, w = img.shape
    margin = int(0.08 * max(h, w))
    H, W = h + 2 * margin, w + 2 * margin
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    jitter = rng.uniform(-0.03, 0.03, (4, 2)) * np.float32([w, h])
    dst = src + margin + jitter.astype(np.float32)
    m = cv2.getPerspectiveTransform(src, dst)
    desk = np.full((H, W), 70, np.uint8)
    out = cv2.warpPerspective(img, m, (W, H), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT,
                              dst=desk)
    light = np.linspace(1.0, 0.82, W, dtype=np.float32)[None, :] * np.linspace(1.0, 0.9, H, dtype=np.float32)[:, None]
    return np.clip(out.astype(np.float32) * light, 0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------- containers

def sealed_colour_pages(pdf: bytes, dpi: int, under: str, diameter_in: float = 1.5,
                        fade: float = 1.0) -> list[np.ndarray]:
    """The pages of `pdf` rendered in colour (BGR), a round red seal stamped over the last page's
    last line reading `under` (the agency's name or the date above a signature); `fade` < 1 stamps
    it pale, pink more than red."""
    from PIL import Image

    from .docx_report import seal_png

    doc = pymupdf.open(stream=pdf, filetype="pdf")
    out = []
    for page in doc:
        pix = page.get_pixmap(dpi=dpi)
        img = cv2.cvtColor(np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3],
                           cv2.COLOR_RGB2BGR)
        if page.number == len(doc) - 1:
            box = page.search_for(under)[-1] * (dpi / 72.0)
            size = int(diameter_in * dpi)
            x0 = int((box.x0 + box.x1 - size) / 2)
            y0 = max(0, int((box.y0 + box.y1 - size) / 2))
            seal = np.asarray(Image.open(io.BytesIO(seal_png())).convert("RGB").resize((size, size)))
            ink = 1.0 - fade * (1.0 - cv2.cvtColor(seal, cv2.COLOR_RGB2BGR).astype(np.float32) / 255.0)
            region = img[y0:y0 + size, x0:x0 + size]
            region[:] = (region.astype(np.float32) * ink[:region.shape[0], :region.shape[1]]).astype(np.uint8)
        out.append(img)
    return out


def _jpeg(img: np.ndarray, quality: int) -> bytes:
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return buf.tobytes()


def scan_pdf(pages: list[np.ndarray], dpi: int) -> bytes:
    """An image-only PDF: each scan placed on a page of its physical size."""
    doc = pymupdf.open()
    for img in pages:
        h, w = img.shape[:2]
        page = doc.new_page(width=w * 72.0 / dpi, height=h * 72.0 / dpi)
        page.insert_image(page.rect, stream=_jpeg(img, 90))
    out = doc.tobytes(garbage=3, deflate=True, no_new_id=True)
    doc.close()
    return out


def searchable_pdf(pages: list[np.ndarray], dpi: int, text_pdf: bytes, misread: str = "") -> bytes:
    """scan_pdf with the text of `text_pdf` laid over each page in invisible text (render mode 3),
    where the characters stood; every character found in `misread` (pairs "ab": a is read as b)
    is read wrong, as a poor OCR engine would."""
    swap = dict(zip(misread[::2], misread[1::2]))
    out = pymupdf.open(stream=scan_pdf(pages, dpi), filetype="pdf")
    src = pymupdf.open(stream=text_pdf, filetype="pdf")
    for sp, op in zip(src, out):
        k = op.rect.width / sp.rect.width
        for block in sp.get_text("rawdict")["blocks"]:
            for line in block.get("lines", []):
                for span in line["spans"]:
                    for ch in span["chars"]:
                        x0, _, _, y1 = ch["bbox"]
                        op.insert_text((x0 * k, y1 * k - 1), swap.get(ch["c"], ch["c"]), fontname="china-s",
                                       fontsize=span["size"] * k, render_mode=3)
    data = out.tobytes(garbage=3, deflate=True, no_new_id=True)
    out.close()
    src.close()
    return data


def scan_tiff(pages: list[np.ndarray], dpi: int) -> bytes:
    from PIL import Image

    ims = [Image.fromarray(p) for p in pages]
    buf = io.BytesIO()
    ims[0].save(buf, format="TIFF", save_all=True, append_images=ims[1:], dpi=(dpi, dpi),
                compression="tiff_deflate")
    return buf.getvalue()


def scan_jpegs(pages: list[np.ndarray], dpi: int, quality: int = 85) -> list[bytes]:
    from PIL import Image

    out = []
    for p in pages:
        buf = io.BytesIO()
        Image.fromarray(p).save(buf, format="JPEG", quality=quality, dpi=(dpi, dpi))
        out.append(buf.getvalue())
    return out


def screen_pages(pdf: bytes, dpi: int) -> list[np.ndarray]:
    """Each page of `pdf` as a screen shows it: grayscale pixels, no tilt, no noise."""
    doc = pymupdf.open(stream=pdf, filetype="pdf")
    out = []
    for page in doc:
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False)
        out.append(np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width).copy())
    doc.close()
    return out


def leaning_apart(pdf: bytes, seed: int, tilts: list[float], **style) -> list[np.ndarray]:
    """Page i of `pdf` scanned on its own, tilted tilts[i] degrees (the rest of the scanner:
    style_for(seed, **style)), as pages fed one by one lean each their own way."""
    return [scan_pages(pdf, seed + i, style_for(seed, tilt=t, **style))[i] for i, t in enumerate(tilts)]


def stacked(pages: list[np.ndarray], dpi: int, trim_in: float | None = None) -> np.ndarray:
    """`pages` one under another in one tall image, as a report is posted as one picture: whole
    sheets (trim_in None), or each cut to its print with trim_in inches of its paper kept round it,
    the narrower ones widened with their paper."""
    if trim_in is not None:
        keep = int(trim_in * dpi)
        cut = []
        for p in pages:
            rows = np.flatnonzero((p < 128).sum(axis=1) >= 3)
            cols = np.flatnonzero((p < 128).sum(axis=0) >= 3)
            if rows.size == 0:
                continue
            y0, y1 = max(0, rows[0] - keep), min(p.shape[0], rows[-1] + keep + 1)
            x0, x1 = max(0, cols[0] - keep), min(p.shape[1], cols[-1] + keep + 1)
            cut.append(p[y0:y1, x0:x1])
        pages = cut
    width = max(p.shape[1] for p in pages)
    return np.vstack([np.pad(p, ((0, 0), (0, width - p.shape[1])), constant_values=int(np.median(p[:, -5:])))
                      for p in pages])


def closeup_pages(pdf: bytes, seed: int, dpi: int = 200, keystone: float = 0.025, turn: float = 6.0) -> list[np.ndarray]:
    """Each page of `pdf` photographed close up, as a phone held over it: the sheet fills the
    picture (no desk to find it by), seen in perspective (each corner moved up to `keystone` of the
    page), turned up to `turn` degrees, lit unevenly, blurred, grainy and JPEG-compressed."""
    rng = np.random.default_rng(seed)
    out = []
    for img in screen_pages(pdf, dpi):
        h, w = img.shape
        src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
        centre = np.float32([w / 2, h / 2])
        corners = centre + 0.92 * (src - centre) + rng.uniform(-keystone, keystone, (4, 2)) * np.float32([w, h])
        warp = cv2.getPerspectiveTransform(src, corners.astype(np.float32))
        spin = np.vstack([cv2.getRotationMatrix2D((w / 2, h / 2), float(rng.uniform(-turn, turn)), 1.0), [0, 0, 1]])
        photo = cv2.warpPerspective(img, spin @ warp, (w, h), flags=cv2.INTER_LINEAR, borderValue=235)
        light = np.linspace(1.0, 0.8, w, dtype=np.float32)[None, :] * np.linspace(0.95, 1.0, h, dtype=np.float32)[:, None]
        photo = np.clip(photo.astype(np.float32) * light + rng.normal(0, 5, photo.shape), 0, 255).astype(np.uint8)
        photo = cv2.GaussianBlur(photo, (0, 0), 0.7)
        out.append(cv2.imdecode(cv2.imencode(".jpg", photo, [cv2.IMWRITE_JPEG_QUALITY, 80])[1], cv2.IMREAD_GRAYSCALE))
    return out


def phone_screenshot(page_html: str, width_pt: float = 360.0, scale: float = 3.0) -> bytes:
    """A web page as a phone's scrolling screenshot shows it, as one PNG: laid out in a column
    `width_pt` wide (a phone's CSS pixels) at a phone's type sizes, every pixel `scale` device
    pixels, as tall as its content, with no resolution tag (a phone writes none)."""
    css = ("body{font-size:17px;} h1,h2,h3{font-size:22px; font-weight:normal;}"
           " table{font-size:7px; border-collapse:collapse;} td,th{border:1px solid black; padding:1px;}")
    story = pymupdf.Story(html=page_html, user_css=css)
    out = io.BytesIO()
    writer = pymupdf.DocumentWriter(out)
    column = pymupdf.Rect(0, 0, width_pt, 14400)  # tall enough for a report at this width
    device = writer.begin_page(column)
    more, filled = story.place(column + (12, 12, -12, -12))
    assert not more, "the page did not fit in the column"
    story.draw(device)
    writer.end_page()
    writer.close()
    doc = pymupdf.open(stream=out.getvalue(), filetype="pdf")
    pix = doc[0].get_pixmap(dpi=round(72 * scale), colorspace=pymupdf.csGRAY,
                            clip=pymupdf.Rect(0, 0, width_pt, filled[3] + 12))
    gray = np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width)
    doc.close()
    return cv2.imencode(".png", gray)[1].tobytes()
