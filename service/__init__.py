"""The ways in: the `gia-extract` command line, the HTTP service (sync endpoint and jobs API) and
the batch runner over whole archives."""
import sys

# PyMuPDF 2.0 imports its optional layout analyser on `import pymupdf`, which loads an ONNX model
# (measured: +0.35 s and +56 MB in every process) for `Page.get_layout()`, which gia-extract never
# calls. The CLI, the service and the batch workers are our own processes, so they go without it;
# `extraction` used as a library leaves that choice to its host process.
if "pymupdf" not in sys.modules:
    sys.modules.setdefault("pymupdf.layout", None)
