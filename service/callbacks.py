"""A job's completion callback: one POST of a small JSON body to the URL the client gave, to hosts
the configuration allows only (a service that POSTs anywhere it is told is an SSRF relay)."""
from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

log = logging.getLogger("gia.callbacks")


class CallbackRefused(ValueError):
    pass


def check_callback_url(url: str, allowed_hosts: tuple[str, ...]) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused("callback_url must be an http(s) URL")
    if parts.hostname.lower() not in {h.lower() for h in allowed_hosts}:
        raise CallbackRefused(f"callback_url host {parts.hostname!r} is not allowed here (GIA_CALLBACK_HOSTS)")
    return url


def post_callback(url: str, payload: dict, attempts: int = 3, timeout: float = 10.0) -> bool:
    body = json.dumps(payload, ensure_ascii=False).encode()
    for attempt in range(attempts):
        try:
            req = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json", "User-Agent": "gia-extract"})
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                if 200 <= resp.status < 300:
                    return True
        except (urllib.error.URLError, OSError, ValueError) as e:
            log.warning("callback failed", extra={"event": "callback_failed", "url": url, "attempt": attempt + 1,
                                                  "error": str(e)})
        time.sleep(0.5 * 2 ** attempt)
    return False
