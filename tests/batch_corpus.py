"""Folders of documents for the batch tests and the throughput benchmark: the real seed reports,
synthetic reports in every kind the synth renderers draw, and the files an archive really holds
that are not reports (corrupt, encrypted, empty, a meeting notice), with what each should become."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pymupdf

from tests.shared_data import SEEDS

NOT_A_REPORT = "会议通知\n各位同事：本周五下午三点在三楼会议室召开部门例会，请准时参加。\n办公室\n2024年3月1日\n"


@dataclass
class Corpus:
    root: Path
    good: list[Path] = field(default_factory=list)  # distinct reports: one result each
    duplicates: dict[Path, Path] = field(default_factory=dict)  # copy -> the original it repeats
    failing: dict[Path, str] = field(default_factory=dict)  # file -> the error code it must get


def misbehaving_folder(folder: Path, good: int) -> Path:
    """A document that hangs, one that crashes its worker (for `misbehaving_extract`), then `good`
    plain seed reports."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    (folder / "a_hangs.txt").write_bytes(seeds[0].read_bytes() + HANG_MARKER.encode())
    (folder / "b_crashes.txt").write_bytes(seeds[1].read_bytes() + CRASH_MARKER.encode())
    for i, seed in enumerate(seeds[2:2 + good]):
        (folder / f"{chr(ord('c') + i)}.txt").write_bytes(seed.read_bytes())
    return folder


def synthetic_reports(seed: int) -> dict[str, bytes]:
    """One synthetic report per kind a renderer exists for (`<kind>` -> file bytes)."""
    from tests.synth.form import build_report, synth_answers

    out: dict[str, bytes] = {}
    report = build_report(synth_answers(seed), seed=seed)
    renderers = (("html", "html_report", "render"), ("docx", "docx_report", "render"),
                 ("pdf", "pdf_report", "render_pdf"))
    for suffix, module, fn in renderers:
        try:
            mod = __import__(f"tests.synth.{module}", fromlist=[fn])
        except ImportError:
            continue
        out[suffix] = getattr(mod, fn)(report)
    return out


def encrypted_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "2023年度政府信息公开工作年度报告")
    data = doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    doc.close()
    return data


def corrupt_pdf() -> bytes:
    """A PDF header over bytes that hold no page (a truncated download)."""
    return b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" + bytes(range(256)) * 4


def build_mixed(root: Path) -> Corpus:
    """Every kind of report plus one of each trouble an archive holds."""
    corpus = Corpus(root)
    reports = root / "reports"
    reports.mkdir(parents=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        corpus.good.append(_copy(seed, reports / seed.name))
    for kind, data in synthetic_reports(7).items():
        corpus.good.append(_write(reports / f"synthetic_2023.{kind}", data))
    # the same bytes again under another name, and another report under a name already used
    first = corpus.good[0]
    corpus.duplicates[_copy(first, root / "resent" / "copy_of_first.txt")] = first
    other = sorted(SEEDS.glob("*.txt"))[1].read_bytes() + "\n\n".encode()
    corpus.good.append(_write(root / "resent" / first.name, other))
    corpus.failing[_write(root / "trouble" / "truncated.pdf", corrupt_pdf())] = "corrupt"
    corpus.failing[_write(root / "trouble" / "locked.pdf", encrypted_pdf())] = "encrypted"
    corpus.failing[_write(root / "trouble" / "empty.txt", b"")] = "empty"
    corpus.failing[_write(root / "trouble" / "notice.txt", NOT_A_REPORT.encode())] = "not_a_report"
    return corpus


def build_many(root: Path, count: int) -> list[Path]:
    """`count` distinct reports: the seeds with a distinguishing line appended, and synthetic
    reports of every kind from different random answers."""
    root.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    out: list[Path] = []
    i = 0
    while len(out) < count:
        if i % 2 == 0:
            seed = seeds[(i // 2) % len(seeds)]
            data = seed.read_bytes() + f"\n\n（归档副本 {i}）\n".encode()
            out.append(_write(root / f"{seed.stem}_copy{i:03d}.txt", data))
        else:
            for kind, data in synthetic_reports(1000 + i).items():
                if len(out) < count:
                    out.append(_write(root / f"synthetic_{i:03d}.{kind}", data))
        i += 1
    return out


def _copy(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)
    return dst.resolve()


def _write(dst: Path, data: bytes) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(data)
    return dst.resolve()


# -- stand-ins for the pipeline, named with --extractor, to exercise the batch machinery --------

HANG_MARKER = "（本文件使处理进程挂起）"
CRASH_MARKER = "（本文件使处理进程崩溃）"


def misbehaving_extract(data: bytes, filename: str, options=None):
    """The real pipeline, except that a document carrying HANG_MARKER never finishes (a reader
    stuck in a pathological file) and one carrying CRASH_MARKER kills its process (a native
    library's segfault)."""
    import os
    import time

    from extraction.pipeline import extract

    if HANG_MARKER.encode() in data:
        while True:
            time.sleep(1)
    if CRASH_MARKER.encode() in data:
        os._exit(139)
    return extract(data, filename, options)


def slow_extract(data: bytes, filename: str, options=None):
    """The real pipeline, a quarter second slower per document, so a test can stop a batch midway."""
    import time

    from extraction.pipeline import extract

    time.sleep(0.25)
    return extract(data, filename, options)


def thread_counting_extract(data: bytes, filename: str, options=None):
    """The real pipeline, its result carrying the OpenCV thread count of the worker that read it."""
    import cv2

    from extraction.pipeline import extract

    result = extract(data, filename, options)
    result.warnings.append(f"opencv threads: {cv2.getNumThreads()}")
    return result
