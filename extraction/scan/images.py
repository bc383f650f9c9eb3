"""Page images from image files and from image-only PDF pages.

A page is kept as a `PageSource`, able to give its pixels at any resolution: the page is OCRed
at the resolution chosen for the text detector, and a doubtful cell is re-read from sharper
pixels (the original scan, or a higher-resolution render of a PDF page) when those exist.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Callable

import cv2
import numpy as np

from ..errors import CorruptInput, UnsupportedInput
from ..sniff import image_format

# An image file without a resolution tag is assumed to be a page of A4 paper (the reports'
# format) scanned to its width: 8.27 inches.
_A4_WIDTH_IN = 8.27


@dataclass
class PageSource:
    """One page as pixels at any resolution asked for: an image file is resampled, a PDF page is
    rendered. `native_dpi` is the resolution its pixels really have (more adds no detail)."""
    render: Callable[[float], np.ndarray]  # dpi -> grayscale uint8 page
    native_dpi: float
    notes: list[str] = field(default_factory=list)


def decode_images(data: bytes) -> list[tuple[np.ndarray, float | None]]:
    """Every frame of an image file (a TIFF may hold many pages), upright per its EXIF
    orientation, as grayscale with the resolution it declares (None when it declares none)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    kind = image_format(data)
    formats = None
    if kind == "heif":
        _open_heif()
        formats = ["HEIF"]
    elif kind == "avif":
        _can_open_avif()
        # once pillow-heif is registered, it would claim an AV1 file whose first brand is
        # HEIF's own, and fail to decode it
        formats = ["AVIF"]
    try:
        im = Image.open(io.BytesIO(data), formats=formats)
    except (UnidentifiedImageError, OSError) as exc:
        raise CorruptInput(f"the image cannot be decoded: {exc}") from None
    frames: list[tuple[np.ndarray, float | None]] = []
    try:
        n = getattr(im, "n_frames", 1)
        for i in range(n):
            im.seek(i)
            frame = ImageOps.exif_transpose(im)  # phone photos store rotation as an EXIF tag
            declared = frame.info.get("dpi") or im.info.get("dpi")
            frames.append((_square_pixels(_gray(frame), declared), _declared_dpi(declared)))
    except (OSError, ValueError, EOFError) as exc:
        if not frames:
            raise CorruptInput(f"the image cannot be decoded: {exc}") from None
    return frames


def _open_heif() -> None:
    """Let PIL open HEIF photos (an iPhone's .heic), through pillow-heif's libheif; it turns the
    picture upright as the file says, and leaves the EXIF orientation saying so."""
    try:
        from pillow_heif import register_heif_opener
    except ImportError:
        raise UnsupportedInput("a HEIC/HEIF photo, and pillow-heif is not installed to read it; "
                               "send it as JPEG, PNG or PDF") from None
    register_heif_opener()


def _can_open_avif() -> None:
    """Pillow reads AVIF itself when its build has libavif (its wheels do, from 11.3)."""
    from PIL import features

    if not features.check("avif"):
        raise UnsupportedInput("an AVIF picture, and this Pillow was built without AVIF; "
                               "send it as JPEG, PNG or PDF")


def _gray(frame) -> np.ndarray:
    if frame.mode in ("1", "L", "I", "I;16", "F", "LA"):
        return np.asarray(frame.convert("L"))
    return without_red_ink(np.asarray(frame.convert("RGB")))


# A pixel is red ink when its red exceeds both green and blue by this much (and is this bright);
# and beside such ink, by the second much: a seal's faded rim and its edges' pink, where a JPEG's
# colours are blurred over a few pixels (their grey ring crowded the rulings of a table the seal
# was stamped over, and the rulings were lost). Far from red ink, paper with a warm cast stays.
_RED_OVER, _RED_MIN = 60, 120
_PINK_OVER, _PINK_NEAR = 25, 5


def without_red_ink(rgb: np.ndarray) -> np.ndarray:
    """A colour page in grayscale with its red ink taken for paper: the seal stamped over the
    agency's name and the date (nearly every report carries one), a red letterhead and its rule.
    In grayscale the red is as dark as the print under it, and the date's digits drown in the
    seal; taken for paper, the seal is gone and black print over it stays black (red ink over
    black toner is still dark, and not red)."""
    r, g, b = cv2.split(rgb)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    # (compared in numpy: OpenCV takes a scalar beside an image of four pixels or fewer, a web
    # page's 1 x 1 placeholder, for a vector, and its mask comes back the wrong shape)
    over = cv2.subtract(r, cv2.max(g, b))
    red = (over > _RED_OVER) & (r > _RED_MIN)
    if red.any():
        near = cv2.dilate(red.astype(np.uint8), np.ones((2 * _PINK_NEAR + 1, 2 * _PINK_NEAR + 1), np.uint8)) > 0
        red |= near & (over > _PINK_OVER) & (r > _RED_MIN)
        gray[red] = _paper_round(gray, red)[red]
    return gray


_PAPER_BLOCK = 8  # pixels: a block of a page holds paper between its characters


def _paper_round(gray: np.ndarray, red: np.ndarray) -> np.ndarray:
    """The paper's grey level round each pixel: the brightest pixel of its block where the block
    holds no red, else of the nearest such blocks. Red ink is taken for this paper, not for white:
    white on a grey or tinted page drew the seal's ring as a line darker than its paper round it
    (its inside as paper), and the ring crowded the rulings the seal was stamped over. (A block
    with red in it may hold only print besides: the date's digits under the seal.)"""
    h, w = gray.shape
    k = _PAPER_BLOCK
    shape = (-(-h // k) * k, -(-w // k) * k)
    padded, reddened = np.zeros(shape, np.uint8), np.ones(shape, bool)
    padded[:h, :w], reddened[:h, :w] = gray, red
    blocks = padded.reshape(shape[0] // k, k, shape[1] // k, k).max(axis=(1, 3))
    blocks[reddened.reshape(shape[0] // k, k, shape[1] // k, k).any(axis=(1, 3))] = 0
    if not blocks.any():
        return np.full_like(gray, 255)
    for _ in range(max(blocks.shape)):  # blocks with red in them take their neighbours' paper
        empty = blocks == 0
        if not empty.any():
            break
        blocks = np.where(empty, cv2.dilate(blocks, np.ones((3, 3), np.uint8)), blocks)
    return np.repeat(np.repeat(blocks, k, axis=0), k, axis=1)[:h, :w]


def _square_pixels(gray: np.ndarray, declared) -> np.ndarray:
    """The image stretched to square pixels when its resolution differs across and down: a fax in
    standard mode is 204 x 98 dpi, and read as it is, its text would be half as tall as wide."""
    try:
        x, y = float(declared[0]), float(declared[1])
    except (TypeError, ValueError, IndexError):
        return gray
    if x <= 0 or y <= 0 or abs(x / y - 1.0) <= 0.05 or not 0.4 <= x / y <= 2.5:
        return gray  # square, or a ratio no scanner or fax writes (fine: 1, standard: 2.08)
    h, w = gray.shape[:2]
    return cv2.resize(gray, (w, max(1, round(h * x / y))), interpolation=cv2.INTER_CUBIC if x > y else cv2.INTER_AREA)


def _declared_dpi(value) -> float | None:
    try:
        d = float(value[0])
    except (TypeError, ValueError, IndexError):
        return None
    # 72 and 96 are what software writes when it knows nothing; a scan says 150-600.
    return d if 100 <= d <= 1200 else None


def guess_dpi(gray: np.ndarray) -> float:
    """A page without a resolution tag: assume its shorter side is an A4 page's width."""
    return min(gray.shape[:2]) / _A4_WIDTH_IN


def resample(gray: np.ndarray, factor: float) -> np.ndarray:
    if abs(factor - 1.0) < 0.02:
        return gray
    interp = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(gray, None, fx=factor, fy=factor, interpolation=interp)


_PHOTO_NOTE = "photographed page: the paper was cut out of its background and flattened"
# inches: the short side of the largest sheet a report is printed on (B3's is 13.9), and A3's
_LARGEST_SHEET_IN = 14.0
_A3_SHORT_IN = 11.69


def image_source(gray: np.ndarray, dpi: float | None) -> PageSource:
    """A page from an image: a photographed sheet is first cut out of its background and
    flattened (its resolution is then unknown, and guessed from the A4 width)."""
    from .geometry import find_paper, unwarp_paper

    notes = []
    quad = find_paper(gray)
    if quad is not None:
        gray = unwarp_paper(gray, quad)
        dpi = None
        notes.append(_PHOTO_NOTE)
    native = dpi or guess_dpi(gray)
    return PageSource(lambda d: resample(gray, d / native), native, notes)


def rows_of(source: PageSource, top_in: float, bottom_in: float) -> PageSource:
    """The band of `source` from `top_in` to `bottom_in` inches down it, as a page of its own."""
    def render(dpi: float) -> np.ndarray:
        full = source.render(dpi)
        return full[round(top_in * dpi):round(bottom_in * dpi)]

    return PageSource(render, source.native_dpi, source.notes)


def pdf_source(page, clip=None, overlaid: bool | None = None) -> PageSource:
    """An image-only PDF page (or the `clip` rectangle of a page: a picture on it), rendered on
    demand. Its native resolution is that of the largest image it shows (a scan placed on the
    page), capped at 400 dpi. `overlaid`: whether anything but pictures shows on the page (text
    not hidden, paths), where the caller knows; None: looked at here."""
    import threading

    import pymupdf

    area = pymupdf.Rect(clip) if clip is not None else page.rect
    native = 300.0
    best = 0.0
    colour = False
    infos = page.get_image_info()
    for info in infos:
        box = pymupdf.Rect(info["bbox"])
        if clip is not None and not box.intersects(area):
            continue
        colour = colour or (info.get("colorspace", 1) >= 3 and box.intersects(area))
        if box.width > 1 and box.width * box.height > best:
            best = box.width * box.height
            native = min(400.0, info["width"] / (box.width / 72.0))
    native_dpi = int(round(native))
    kept: list[np.ndarray] = []
    lock = threading.Lock()
    jpeg = _page_jpeg(page, infos, overlaid) if clip is None else None

    def at(dpi: int) -> np.ndarray:
        if colour:  # rendered in colour to take its red ink (a seal) for paper
            pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False, clip=area)
            return without_red_ink(np.frombuffer(pix.samples_mv, dtype=np.uint8).reshape(pix.height, pix.width, 3))
        pix = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY, alpha=False, clip=area)
        return np.frombuffer(pix.samples_mv, dtype=np.uint8).reshape(pix.height, pix.width).copy()

    notes: list[str] = []
    photo: list = []  # once looked for: the flattened sheet's render, or None
    maybe_photo = clip is None and best >= _PHOTO_PAGE_SHARE * abs(area)

    def native_render() -> np.ndarray:
        nonlocal jpeg
        with lock:
            if not kept and jpeg is not None:
                decoded = _decoded(*jpeg)
                if decoded is None:
                    jpeg = None  # MuPDF may still draw what libjpeg-turbo gives up on
                else:
                    kept.append(decoded)
            if not kept:
                kept.append(at(native_dpi))
            return kept[0]

    def render(dpi: float) -> np.ndarray:
        if maybe_photo:
            full = native_render()
            with lock:
                if not photo:
                    photo.append(_photographed(full, area))
                    if photo[0] is not None:
                        notes.append(_PHOTO_NOTE)
            if photo[0] is not None:
                return photo[0](dpi)
        d = int(round(dpi))
        if jpeg is None and (native_dpi % d or d > native_dpi):
            return at(d)
        # A decoded JPEG serves every resolution. So does a render at a whole multiple of the one
        # asked for (300 -> 150 dpi): MuPDF's smooth downscaling cost twice a render at the scan's
        # own resolution reduced by OpenCV's whole-pixel area averaging (25 vs 14 + 1 ms), and that
        # render is kept for the sharper second readings of the same page, which rendered it again
        # (14 ms). Other factors (200 -> 150) gain nothing there.
        return _scaled(native_render(), native_dpi, d, area)

    return PageSource(render, native, notes)


def _scaled(full: np.ndarray, native: int, dpi: int, area) -> np.ndarray:
    """The page at `dpi` from its pixels at `native` dpi, cut or padded to the size MuPDF renders
    the page at `dpi` (a pixel's rounding apart)."""
    import pymupdf

    size = (area * pymupdf.Matrix(dpi / 72.0, dpi / 72.0)).irect
    if dpi == native:
        return _fit(full.copy(), size.height, size.width)
    k = dpi / native
    interp = cv2.INTER_AREA if k < 1 else cv2.INTER_CUBIC
    return _fit(cv2.resize(full, None, fx=k, fy=k, interpolation=interp), size.height, size.width)


def _page_jpeg(page, infos: list[dict], overlaid: bool | None) -> tuple[bytes, bool, tuple[int, int]] | None:
    """The JPEG a scanner's PDF page is made of (its bytes, whether in colour, its height and
    width), when the page shows nothing but that one picture, upright over the whole page
    (`infos`: the page's image info; `overlaid`: see pdf_source):
    then its pixels are the page at the scan's resolution. libjpeg-turbo (OpenCV's) decodes them
    in a third of the time MuPDF's rendering takes (a 300-dpi A4 page: 23 vs 76 ms), a
    scanned page's largest CPU cost after the models. Any other page (a picture drawn turned
    or with a mask, a JBIG2 or fax picture, visible text or lines over it, annotations) is
    rendered by MuPDF."""
    import pymupdf

    if page.rotation % 360 or page.first_annot is not None or page.first_widget is not None:
        return None
    listed = page.get_images(full=True)
    if len(infos) != 1 or len(listed) != 1:
        return None  # more than one picture, or an inline one
    # (image info's xrefs=True would decode the picture to find its xref: the cost saved here)
    info, xref = infos[0], listed[0][0]
    if (listed[0][2], listed[0][3]) != (info.get("width"), info.get("height")):
        return None
    a, b, c, d, _, _ = info["transform"]
    box, rect = pymupdf.Rect(info["bbox"]), page.rect
    if abs(b) > 1e-3 or abs(c) > 1e-3 or a <= 0 or d <= 0 or max(abs(u - v) for u, v in zip(box, rect)) > 0.5:
        return None
    if info.get("bpc") != 8 or info.get("colorspace") not in (1, 3) or info.get("has-mask"):
        return None
    doc = page.parent
    if doc.xref_get_key(xref, "Filter")[1] not in ("/DCTDecode", "[/DCTDecode]"):
        return None
    if any(doc.xref_get_key(xref, key)[0] != "null" for key in ("SMask", "Mask", "Decode", "ImageMask")):
        return None
    if overlaid is None:
        # a scanner's own OCR laid over the scan as invisible text is not drawn; visible text is
        from ..readers.pdf import drawn_invisibly

        overlaid = bool(page.get_cdrawings()) or not all(map(drawn_invisibly, page.get_texttrace()))
    if overlaid:
        return None
    return doc.xref_stream_raw(xref), info["colorspace"] == 3, (info["height"], info["width"])


def _decoded(data: bytes, colour: bool, shape: tuple[int, int]) -> np.ndarray | None:
    """A page's JPEG (`_page_jpeg`) as grayscale, red ink taken for paper on a colour page. A PDF
    draws a JPEG as stored, so an orientation tag in it is ignored, as MuPDF ignores it."""
    flags = (cv2.IMREAD_COLOR if colour else cv2.IMREAD_GRAYSCALE) | cv2.IMREAD_IGNORE_ORIENTATION
    img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flags)
    if img is None or img.shape[:2] != shape:
        return None
    return without_red_ink(cv2.cvtColor(img, cv2.COLOR_BGR2RGB)) if colour else img


# A picture covering this share of a PDF page may be a photograph of a sheet (a phone's photos
# saved as a PDF): its paper is looked for in the page's first render, and flattened, as in an
# image file.
_PHOTO_PAGE_SHARE = 0.9


def photographed(source: PageSource) -> bool:
    """Whether the page (once rendered) is a photograph of a sheet, cut out of its background."""
    return _PHOTO_NOTE in source.notes


def _photographed(full: np.ndarray, area) -> Callable[[float], np.ndarray] | None:
    """For a PDF page whose picture is a photograph of a sheet on a darker background (`full`: the
    page rendered at its native resolution): the sheet cut out and flattened, rendered fitted into
    the page (scaled to fit, white around), so that the words stay in the page's points."""
    import pymupdf

    from .geometry import find_paper, unwarp_paper

    quad = find_paper(full)
    if quad is None:
        return None
    flat = unwarp_paper(full, quad)
    # Around the sheet, its own shade, not white: the edge between a photographed sheet's grey
    # and white was a ruling across the page (a booklet's spread, fitted into its photo's page,
    # left a band of white under it an inch high; its edge joined the two pages' halves).
    rim = np.concatenate([flat[-3:].ravel(), flat[:, -3:].ravel()])
    paper = int(np.median(rim))

    # A phone's PDF may size its page from the photo's pixels (at 72, 96 or 150 to the inch: a page
    # 20 inches wide), and the sheet fitted to that page read as print two or three times its size.
    # So a sheet is an A4 page, its size guessed from its width as an image file's is, unless it is
    # wider than high with its lines across: an A3 sheet of two pages, maybe, fitted to the page
    # unless that makes it larger than any a report is printed on, and then an A3 sheet. (An A4
    # page photographed on its side is wider than high too, its lines running down it.)
    from .geometry import lines_run_vertically

    short, sheet_dpi = min(flat.shape[:2]), guess_dpi(flat)
    upright = flat.shape[0] >= flat.shape[1] or lines_run_vertically(flat, sheet_dpi)

    def render(dpi: float) -> np.ndarray:
        size = (area * pymupdf.Matrix(dpi / 72.0, dpi / 72.0)).irect
        k = min(size.width / flat.shape[1], size.height / flat.shape[0])
        if upright:
            k = min(k, dpi / sheet_dpi)  # (never more than the page holds: its foot was cut off)
        elif short * k / dpi > _LARGEST_SHEET_IN:
            k = dpi * _A3_SHORT_IN / short
        return _fit(resample(flat, k), size.height, size.width, paper)

    return render


def _fit(img: np.ndarray, h: int, w: int, fill: int = 255) -> np.ndarray:
    """img cut or padded with `fill` at its bottom and right to h x w."""
    img = img[:h, :w]
    if img.shape != (h, w):
        img = cv2.copyMakeBorder(img, 0, h - img.shape[0], 0, w - img.shape[1], cv2.BORDER_CONSTANT, value=fill)
    return img
