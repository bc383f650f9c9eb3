"""POST /v1/extract through the real app (FastAPI's TestClient): a real report in, the contract out;
every kind of bad input answered with its own status, never a 500, and the service still up."""
from __future__ import annotations

import json

import pytest

from service.store import Store
from tests.service_fixtures import (client_for, encrypted_pdf, pdf_bytes, png_bytes, random_bytes,
                                    zip_archive)
from tests.shared_data import GOLDEN, SEEDS, load_scorer

pytestmark = pytest.mark.skipif(not SEEDS.exists(), reason=f"shared seeds not found at {SEEDS}")

SEED = "000_8ae95185705eeab5"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    with client_for(tmp_path_factory.mktemp("svc"), max_upload_bytes=200_000, max_pages=3,
                    max_pixels_per_page=1_000_000) as c:
        yield c


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text())["fields"]


def test_real_report_in_contract_out(client):
    data = (SEEDS / f"{SEED}.txt").read_bytes()
    r = client.post("/v1/extract", files={"file": (f"{SEED}.txt", data, "text/plain")})
    assert r.status_code == 200, r.text
    out = r.json()
    gold = golden(SEED)
    same = load_scorer().same
    assert out["fields"]["meta.agency"]["value"] == "鹤岗市科学技术局"
    assert out["fields"]["t2.licensing.decisions"]["value"] == 9 and out["fields"]["meta.year"]["value"] == 2022
    for key in ("meta.year", "t2.licensing.decisions", "t3.received_new.total", "t4.review.total"):
        assert out["fields"][key]["value"] is not None and same(gold[key], out["fields"][key]["value"]), key
    assert [k for k, v in gold.items() if not same(v, (out["fields"].get(k) or {}).get("value", "<absent>"))] == []
    assert out["source"]["kind"] == "text" and out["source"]["filename"] == f"{SEED}.txt"
    assert r.headers["x-request-id"] and r.headers["x-cache"] == "miss"


def test_known_document_comes_from_the_store(client):
    data = (SEEDS / "002_c762bceb15c3a5cd.txt").read_bytes()
    first = client.post("/v1/extract", files={"file": ("first.txt", data)})
    second = client.post("/v1/extract", files={"file": ("again.txt", data)})
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert second.json()["source"]["filename"] == "again.txt"
    assert second.json()["fields"] == first.json()["fields"]


BAD_INPUTS = [
    # name, bytes, expected status, expected code
    ("empty.pdf", b"", 422, "empty"),
    ("blank.txt", b"   \n\t  ", 422, "empty"),
    ("random.bin", random_bytes(), 415, "unsupported_type"),
    ("reports.zip", zip_archive(), 415, "unsupported_type"),
    ("truncated.pdf", pdf_bytes("truncated")[:300], 422, "corrupt"),
    ("locked.pdf", encrypted_pdf(), 422, "encrypted"),
    ("letter.pdf", pdf_bytes("a letter, not a report"), 422, "not_a_report"),
    ("notes.txt", "会议纪要：今天讨论了天气。".encode(), 422, "not_a_report"),
    ("long.pdf", pdf_bytes("page", pages=5), 413, "too_large"),
    ("huge-scan.png", png_bytes(1500, 1000), 413, "too_large"),
    ("fake.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 422, "corrupt"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, 415, "unsupported_type"),
    ("program.exe", b"MZ" + b"\x90" * 300, 415, "unsupported_type"),
    ("report.ofd", zip_archive(("OFD.xml", "Doc_0/Document.xml")), 415, "unsupported_type"),
    ("tables.xlsx", zip_archive(("[Content_Types].xml", "xl/workbook.xml")), 415, "unsupported_type"),
    # (its text, GBK bytes as \'hh escapes, is no report to the text reader)
    ("report.rtf", b"{\\rtf1\\ansi\\ansicpg936{\\fonttbl{\\f0\\fnil\\fcharset134 SimSun;}}\\f0 "
     + "".join(f"\\'{b:02x}" for b in "政府信息公开工作年度报告".encode("gbk")).encode() + b"\\par}", 415,
     "unsupported_type"),
]


@pytest.mark.parametrize("name,data,status,code", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_answers_its_status_and_service_stays_up(client, name, data, status, code):
    r = client.post("/v1/extract", files={"file": (name, data, "application/octet-stream")})
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"] == code and body["reason"] and body["request_id"] == r.headers["x-request-id"]
    assert client.get("/healthz").status_code == 200
    if name.endswith((".ofd", ".xlsx", ".rtf")):  # the reason names the format, not "a ZIP archive"
        assert {"ofd": "OFD", "xlsx": "Excel", "rtf": "RTF"}[name.rsplit(".", 1)[1]] in body["reason"], body["reason"]


def test_oversize_declared_length_refused_before_reading(client):
    big = b"x" * 300_000
    r = client.post("/v1/extract", files={"file": ("big.txt", big)})
    assert r.status_code == 413 and r.json()["error"] == "too_large"


def test_oversize_streamed_without_length_is_cut_off(client):
    boundary = "gia-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.txt\"\r\n"
            "Content-Type: text/plain\r\n\r\n").encode()
    sent = {"bytes": 0}

    def body():  # a generator: sent chunked, no Content-Length to refuse it by
        yield head
        for _ in range(400):
            sent["bytes"] += 8192
            yield b"x" * 8192
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post("/v1/extract", content=body(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413 and r.json()["error"] == "too_large"
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("kwargs,status,code", [
    ({"json": {"file": "report.txt"}}, 415, "unsupported_media_type"),
    ({"content": b"raw bytes", "headers": {"Content-Type": "application/pdf"}}, 415, "unsupported_media_type"),
    ({"files": {"document": ("a.txt", b"x")}}, 422, "invalid_request"),
], ids=["json-body", "raw-pdf-body", "wrong-field-name"])
def test_wrong_request_shape(client, kwargs, status, code):
    r = client.post("/v1/extract", **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error"] == code


def test_unknown_route_and_method(client):
    assert client.get("/v1/nothing").json()["error"] == "not_found"
    assert client.get("/v1/extract").status_code == 405


def test_request_id_is_kept_when_sane(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    assert client.get("/healthz", headers={"X-Request-ID": "bad id;drop"}).headers["x-request-id"] != "bad id;drop"


def test_metrics_count_requests_pages_and_review(client):
    client.post("/v1/extract", files={"file": ("s.txt", (SEEDS / "003_7fc331a43b9dfbe6.txt").read_bytes())})
    text = client.get("/metrics").text
    assert 'gia_http_requests_total{method="POST",route="/v1/extract",status="200"}' in text
    assert "gia_http_request_seconds_bucket" in text and "gia_queue_depth" in text
    pages = [l for l in text.splitlines() if l.startswith("gia_pages_total ")]
    assert pages and float(pages[0].split()[1]) >= 1
    assert "gia_fields_under_review_total" in text


def test_bug_answers_500_with_request_id(tmp_path):
    with client_for(tmp_path, extractor="tests.service_standins:buggy_extract") as c:
        r = c.post("/v1/extract", files={"file": ("a.txt", (SEEDS / f"{SEED}.txt").read_bytes())})
        assert r.status_code == 500 and r.json()["error"] == "internal_error"
        assert r.json()["request_id"] == r.headers["x-request-id"]
        assert c.get("/healthz").status_code == 200


def test_time_limit_kills_the_worker_and_service_goes_on(tmp_path):
    with client_for(tmp_path, workers=1, time_limit_s=1.5, extractor="tests.service_standins:stuck_extract") as c:
        r = c.post("/v1/extract", files={"file": ("a.txt", (SEEDS / f"{SEED}.txt").read_bytes())})
        assert r.status_code == 422 and r.json()["error"] == "timeout"
        assert "gia_worker_restarts 1.0" in c.get("/metrics").text
        r = c.post("/v1/extract", files={"file": ("b.txt", b"")})  # the replacement worker answers
        assert r.status_code == 422 and r.json()["error"] == "empty"


def test_worker_processes_extract_real_reports(tmp_path):
    with client_for(tmp_path, workers=1) as c:
        r = c.post("/v1/extract", files={"file": ("x.txt", (SEEDS / "004_1fe2932832f48954.txt").read_bytes())})
        assert r.status_code == 200
        gold = golden("004_1fe2932832f48954")
        same = load_scorer().same
        assert all(same(v, r.json()["fields"][k]["value"]) for k, v in gold.items())


def test_each_report_of_a_volume_from_its_own_route(tmp_path):
    """A volume of three departments' reports: /v1/extract answers the first and names the others;
    /v1/extract/reports answers each, right, in order, through a worker process; asked again, from
    the store, kept apart from the first report's answer."""
    from tests.synth.form import build_report, synth_answers, wrong_fields
    from tests.synth.text_report import render_text

    texts = [render_text(build_report(synth_answers(seed), seed=seed), "markdown", seed=1)
             for seed in (160010, 160011, 160012)]
    volume = "\n\n".join(t.text for t in texts).encode()
    with client_for(tmp_path, workers=1) as c:
        first = c.post("/v1/extract", files={"file": ("volume.md", volume)})
        assert first.status_code == 200 and any("2 other reports after this one" in w for w in first.json()["warnings"])
        each = c.post("/v1/extract/reports", files={"file": ("volume.md", volume)})
        assert each.status_code == 200 and each.headers["x-cache"] == "miss"
        reports = each.json()["reports"]
        assert [wrong_fields(t.answer, r) for t, r in zip(texts, reports)] == [[], [], []]
        assert [r["warnings"][0][:16] for r in reports] == [f"report {n} of 3 in" for n in (1, 2, 3)]
        again = c.post("/v1/extract/reports", files={"file": ("again.md", volume)})
        assert again.headers["x-cache"] == "hit"
        assert [r["source"]["filename"] for r in again.json()["reports"]] == ["again.md"] * 3
        assert c.post("/v1/extract", files={"file": ("volume.md", volume)}).json()["fields"] == first.json()["fields"]
        one = c.post("/v1/extract/reports", files={"file": ("x.txt", (SEEDS / f"{SEED}.txt").read_bytes())})
        assert len(one.json()["reports"]) == 1 and one.json()["reports"][0]["fields"]["meta.year"]["value"] == 2022


def test_worker_processes_share_one_ocr_server(tmp_path):
    from tests.synth.form import build_report, synth_answers
    from tests.synth.pdf_report import render_pdf
    from tests.synth.scan import scan_pages, scan_pdf, style_for

    report = build_report(synth_answers(43), seed=43)
    style = style_for(43, dpi=150, turned=())
    scan = scan_pdf(scan_pages(render_pdf(report), 43, style), style.dpi)
    with client_for(tmp_path, workers=2, ocr_server=True) as c:
        r = c.post("/v1/extract", files={"file": ("scan.pdf", scan)})
        assert r.status_code == 200, r.text
        s = load_scorer().score_doc({"fields": report.answer}, r.json(), 0.9)
        assert s["right"] >= 0.97 * s["fields"] and s["silent"] == 0, s["wrong"]
        served = c.app.state.gia.pool.ocr_server_stats()
        assert served["requests"] > 0 and served["recognized_crops"] > 100  # the worker's OCR ran there
    with pytest.raises(RuntimeError, match="GIA_OCR_SERVER needs extraction worker processes"):
        with client_for(tmp_path, workers=0, ocr_server=True):
            pass


def test_api_keys_and_rate_limit(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'gia.db'}")
    key = store.create_key("alice")
    store.close()
    assert key not in (tmp_path / "gia.db").read_bytes().decode("latin-1")  # only its hash is kept
    with client_for(tmp_path, require_api_key=True, rate_limit_per_minute=3) as c:
        assert c.post("/v1/extract", files={"file": ("a.txt", b"x")}).status_code == 401
        assert c.post("/v1/extract", files={"file": ("a.txt", b"x")}, headers={"X-API-Key": "nope"}).status_code == 401
        ok = c.post("/v1/extract", files={"file": ("a.txt", b"")}, headers={"X-API-Key": key})
        assert ok.status_code == 422 and ok.json()["error"] == "empty"  # through auth to the document
        codes = [c.post("/v1/extract", files={"file": ("a.txt", b"")}, headers={"X-API-Key": key}) for _ in range(3)]
        limited = [r for r in codes if r.status_code == 429]
        assert limited and int(limited[0].headers["retry-after"]) >= 1


def test_cors_when_configured(tmp_path):
    with client_for(tmp_path, cors_origins=("https://portal.example",)) as c:
        r = c.get("/healthz", headers={"Origin": "https://portal.example"})
        assert r.headers["access-control-allow-origin"] == "https://portal.example"
    with client_for(tmp_path) as c:
        assert "access-control-allow-origin" not in c.get("/healthz", headers={"Origin": "https://x.example"}).headers


def test_committed_openapi_matches_the_app():
    from service.openapi_export import DEFAULT, openapi_text

    assert DEFAULT.read_text(encoding="utf-8") == openapi_text(), "run: python -m service.openapi_export"


def test_openapi_export_takes_options_as_options_not_as_the_path(tmp_path, monkeypatch, capsys):
    from service.openapi_export import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0 and "usage" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []  # it used to write the document to a file named --help
    assert main([str(tmp_path / "api.json")]) == 0 and (tmp_path / "api.json").stat().st_size > 1000


def test_settings_from_environment_and_documented():
    from pathlib import Path

    from service.settings import settings_from_env, settings_table

    s = settings_from_env({"GIA_WORKERS": "3", "GIA_REQUIRE_API_KEY": "true", "GIA_CORS_ORIGINS": "a, b",
                           "GIA_TIME_LIMIT_S": "2.5"})
    assert (s.workers, s.require_api_key, s.cors_origins, s.time_limit_s) == (3, True, ("a", "b"), 2.5)
    with pytest.raises(ValueError, match="GIA_WORKERS"):
        settings_from_env({"GIA_WORKERS": "many"})
    readme = Path(__file__).resolve().parents[1] / "service" / "README_service.md"
    assert settings_table() in readme.read_text(encoding="utf-8")
