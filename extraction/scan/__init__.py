"""Scanned and photographed pages: from pixels to positioned words and rulings.

A page image is straightened (paper found in a photo, quarter turns, skew), its rulings are found
with OpenCV morphology, its text is read by the OCR engine of `models`, and doubtful numbers in
table cells are read again from sharper pixels. The result is what a text-layer PDF page gives:
words and rulings in page coordinates (points), handed to the same grid builder
(`extraction.grid.build_tables`).
"""
