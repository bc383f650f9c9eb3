"""`python -m service.openapi_export [PATH]`: write the service's OpenAPI document (default
openapi/openapi.json); a test keeps the committed file equal to what the app generates."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT = Path(__file__).resolve().parents[1] / "openapi" / "openapi.json"


def openapi_text() -> str:
    from .app import create_app
    from .settings import Settings

    return json.dumps(create_app(Settings()).openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m service.openapi_export",
                                 description="Write the service's OpenAPI document.")
    ap.add_argument("path", nargs="?", type=Path, default=DEFAULT, help=f"where to write it (default {DEFAULT})")
    target = ap.parse_args(argv).path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(openapi_text(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
