"""Why a document could not be read. Each error carries the HTTP status the service answers with,
so the CLI, the batch runner and the service all report the same reason."""
from __future__ import annotations


class ExtractionError(Exception):
    status_code = 422
    code = "unreadable"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class UnsupportedInput(ExtractionError):
    """The bytes are of a kind we do not read (an archive, an executable, a spreadsheet...)."""
    status_code = 415
    code = "unsupported_type"


class EmptyInput(ExtractionError):
    status_code = 422
    code = "empty"


class CorruptInput(ExtractionError):
    """The bytes claim a kind (e.g. %PDF) but cannot be parsed as one."""
    code = "corrupt"


class EncryptedInput(ExtractionError):
    code = "encrypted"


class NeedsOCR(ExtractionError):
    """An image-only document and no OCR engine available for it."""
    code = "needs_ocr"


class NotAReport(ExtractionError):
    """Readable, but not a government information-disclosure annual report."""
    code = "not_a_report"


class TooLarge(ExtractionError):
    status_code = 413
    code = "too_large"
