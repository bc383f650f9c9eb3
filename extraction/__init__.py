"""gia-extract: government information-disclosure annual reports to canonical structured data.

Data flows one way: input bytes -> Document (pages -> blocks: paragraphs and tables, each a grid
of cells with spans) -> canonical fields -> consistency checks -> confidence.
"""

__version__ = "0.1.0"
