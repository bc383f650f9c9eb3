# Two commands on a fresh machine (see README.md):
#   make example   install everything, then extract the bundled example report into out/
#   make test      install everything, then run the test suite (what .ci/run runs)
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test,ray,xlsx,parquet,bench]"
	touch $(STAMP)

install: $(STAMP)

example: $(STAMP)
	$(BIN)/gia-extract extract extraction/examples/baoding_kjj_2022.txt --out out
	@echo "wrote out/baoding_kjj_2022.json"

# The jobs store is also tested against a real PostgreSQL server: its programs are installed where
# we can (root with apt); elsewhere that one test skips and says why.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } || \
	  echo "PostgreSQL server not installed: its test will skip"

test: $(STAMP) postgres
	$(BIN)/python -m pytest -q

# The benchmark's alternatives that share .venv (bench/README.md): pdfplumber, camelot-py, whose
# opencv-python-headless is the project's own cv2, and rapid-table (SLANet-plus, on scans). The
# install above takes them, so that the tests of their converters run in CI; this checks them.
bench-env: $(STAMP)
	$(BIN)/python -c "import cv2, camelot, pdfplumber, rapid_table; print('bench env ok, cv2', cv2.__version__, 'camelot', camelot.__version__)"

# img2table for the benchmark (bench/img2table_alt.py): its opencv-contrib-python would replace the
# project's cv2 in .venv, so it lives in a venv of its own that bench.run calls.
IMG2TABLE_VENV ?= .venv-img2table
bench-img2table-env:
	test -x $(IMG2TABLE_VENV)/bin/python || $(PY) -m venv $(IMG2TABLE_VENV)
	$(IMG2TABLE_VENV)/bin/python -m pip install -q --upgrade pip
	$(IMG2TABLE_VENV)/bin/python -m pip install -q -e . img2table
	$(IMG2TABLE_VENV)/bin/python -c "import cv2, img2table, extraction.pipeline, models.ocr; print('img2table env ok, cv2', cv2.__version__)"

.PHONY: install example test postgres bench-env bench-img2table-env
