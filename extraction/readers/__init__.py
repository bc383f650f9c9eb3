"""One reader per input kind. Each turns bytes into a raw `Document` (text not yet normalised:
the pipeline normalises every block once, whatever the reader)."""
