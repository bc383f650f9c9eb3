"""ASGI middleware in front of every route: request id, access log, metrics, and the upload
gate (multipart only; a body past the cap is refused by Content-Length, or cut off while it
streams in, so an unbounded body is never read)."""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any, Awaitable, Callable

from .logs import request_id
from .metrics import Metrics

log = logging.getLogger("gia.access")

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class BodyTooLarge(Exception):
    pass


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k.lower() == name:
            return v.decode("latin-1")
    return None


async def _json(send: Send, status: int, body: dict, rid: str, extra: list[tuple[bytes, bytes]] = ()) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
        *extra]})
    await send({"type": "http.response.body", "body": data})


class Gateway:
    def __init__(self, app: Callable, metrics: Metrics, upload_caps: dict[str, int]):
        self.app = app
        self.metrics = metrics
        self.upload_caps = upload_caps  # path -> largest body accepted, bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        rid = incoming if incoming and _SANE_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(rid)
        t0 = time.perf_counter()
        status = {"code": 500, "started": False}
        rid_header = (b"x-request-id", rid.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"], status["started"] = message["status"], True
                message = {**message, "headers": [*message.get("headers", []), rid_header]}
            await send(message)

        try:
            cap = self.upload_caps.get(scope["path"]) if scope["method"] == "POST" else None
            if cap is None:
                await self.app(scope, receive, send_with_id)
            else:
                await self._upload(scope, receive, send_with_id, cap, rid)
        except Exception:  # our own bug: logged with the request id, answered 500 with it
            log.exception("unhandled error", extra={"event": "bug", "path": scope["path"]})
            if not status["started"]:
                await _json(send_with_id, 500, {"error": "internal_error", "request_id": rid,
                                                "reason": "an internal error; quote the request id when reporting it"},
                            rid)
        finally:
            elapsed = time.perf_counter() - t0
            route = getattr(scope.get("route"), "path", None) or (
                scope["path"] if scope["path"] in self.upload_caps else "unmatched")  # bounded label values
            self.metrics.requests.labels(scope["method"], route, str(status["code"])).inc()
            self.metrics.latency.labels(scope["method"], route).observe(elapsed)
            log.info("request", extra={"event": "request", "method": scope["method"], "path": scope["path"],
                                       "status": status["code"], "ms": round(elapsed * 1000, 1),
                                       "client": (scope.get("client") or ("", 0))[0]})
            request_id.reset(token)

    async def _upload(self, scope: Scope, receive: Receive, send: Send, cap: int, rid: str) -> None:
        ctype = (_header(scope, b"content-type") or "").lower()
        if not ctype.startswith("multipart/form-data"):
            await _json(send, 415, {"error": "unsupported_media_type", "request_id": rid,
                                    "reason": "send the document as multipart/form-data (field `file`, or `files` for jobs)"},
                        rid)
            return
        length = _header(scope, b"content-length")
        if length and length.isdigit() and int(length) > cap:
            await _json(send, 413, {"error": "too_large", "request_id": rid,
                                    "reason": f"the upload is {int(length):,} bytes; at most {cap:,} are accepted"},
                        rid, [(b"connection", b"close")])
            return
        seen = {"bytes": 0, "over": False, "answered": False}

        async def capped_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                seen["bytes"] += len(message.get("body", b""))
                if seen["bytes"] > cap:
                    seen["over"] = True
                    raise BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            # the form parser turns our exception into its own 400; answer 413 instead
            if seen["over"]:
                if message["type"] == "http.response.start" and not seen["answered"]:
                    seen["answered"] = True
                    await _json(send, 413, {"error": "too_large", "request_id": rid,
                                            "reason": f"the upload is over the {cap:,} byte limit"},
                                rid, [(b"connection", b"close")])
                return
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except BodyTooLarge:
            pass
        if seen["over"] and not seen["answered"]:
            await _json(send, 413, {"error": "too_large", "request_id": rid,
                                    "reason": f"the upload is over the {cap:,} byte limit"}, rid,
                        [(b"connection", b"close")])
