"""Builders shared by the service tests: an app over a temp SQLite file, and the bad inputs."""
from __future__ import annotations

import contextlib
import io
import random
import zipfile
from pathlib import Path
from typing import Iterator

from fastapi.testclient import TestClient

from service.app import create_app
from service.settings import Settings


@contextlib.contextmanager
def client_for(tmp_path: Path, **changes) -> Iterator[TestClient]:
    settings = Settings(db_path=str(tmp_path / "gia.db"), workers=0, job_workers=1, shutdown_grace_s=10)
    app = create_app(settings.with_(**changes))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def pdf_bytes(text: str = "hello", pages: int = 1) -> bytes:
    import pymupdf

    doc = pymupdf.open()
    for i in range(pages):
        doc.new_page().insert_text((72, 72), f"{text} {i + 1}")
    return doc.tobytes()


def encrypted_pdf() -> bytes:
    import pymupdf

    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "secret")
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="owner", user_pw="user")


def zip_archive(parts: tuple[str, ...] = ("report.txt",)) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in parts:
            z.writestr(name, "二、主动公开政府信息情况")
    return buf.getvalue()


def png_bytes(width: int, height: int) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (width, height), 255).save(buf, format="PNG")
    return buf.getvalue()


def random_bytes(n: int = 4096) -> bytes:
    return random.Random(7).randbytes(n)
