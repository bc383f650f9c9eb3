"""Whether PDFium, as installed here, draws the corpus's Chinese text.

The synthetic reports (tests.synth.pdf_report) print in PyMuPDF's "china-s" font, which is not
embedded in the file (as in many real reports): whatever draws the page supplies a CJK font of its
own. PyMuPDF carries one. PDFium (pypdfium2, which img2table and camelot render pages with) looks
for one in the system's font folders and, finding none, draws no glyph at all. Our reader, PyMuPDF
find_tables, pdfplumber and camelot take cell text from the text layer, so that costs them nothing;
img2table finds a table's rows and columns from the text it sees in the page image, and without the
Chinese labels it drops them and then the tables (bench/README.md). A CJK font in the system's font
folders (`make bench-cjk-font`) is what a Chinese user's machine has.
"""
from __future__ import annotations


def pdfium_draws_cjk() -> bool | None:
    """True when PDFium draws a non-embedded CJK font here; None without pypdfium2 or PyMuPDF."""
    try:
        import pymupdf
        import pypdfium2
    except ImportError:
        return None
    doc = pymupdf.open()
    page = doc.new_page(width=80, height=40)
    page.insert_text((10, 30), "政府信息", fontname="china-s", fontsize=16)
    data = doc.tobytes()
    doc.close()
    pdf = pypdfium2.PdfDocument(data)
    try:
        pixels = pdf[0].render(scale=2).to_numpy()
    finally:
        pdf.close()
    return bool((pixels[..., :3] < 128).any())
