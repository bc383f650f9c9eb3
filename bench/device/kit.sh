#!/usr/bin/env bash
# Packs what `bench.gpu_pipeline` needs on a GPU machine that has Python, PyTorch (CUDA), NumPy,
# OpenCV, Pillow, lxml and onnx, but none of our other dependencies and no network: the device
# tool's machine (its image lists those packages). One call there carries at most 64 MiB, so:
#   - the other dependencies' wheels for that Python, unpacked into one tar.xz, with PyMuPDF 2.0's
#     layout package left out (51 MB of models the pipeline never uses, loaded by `import pymupdf`
#     when present);
#   - the PP-OCR det/rec ONNX files from the rapidocr wheel installed here (GIA_OCR_MODEL_DIR);
#   - ../shared/score.py (GIA_SHARED_DIR), which scores the run.
# Versions are those installed in .venv, so both machines run the same code.
#
#   bench/device/kit.sh [PYTHON_VERSION]     # default 3.12 (the device's); writes .devcarry/kit/
#
# Then `run` there with carry [".devcarry/kit"] and `bench/device/run.sh` (see that file).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYVER=${1:-3.12}
PY=${PY:-.venv/bin/python}
KIT=${KIT:-.devcarry/kit}
ONNX2TORCH=${ONNX2TORCH:-onnx2torch==1.5.15}

pinned() {  # NAME==VERSION of each, as installed here
  "$PY" - "$@" <<'PYEOF'
import importlib.metadata as m, sys
print(" ".join(f"{n}=={m.version(n)}" for n in sys.argv[1:]))
PYEOF
}

rm -rf "$KIT"
mkdir -p "$KIT/wheels" "$KIT/site" "$KIT/models" "$KIT/shared"
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version "$PYVER" --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d "$KIT/wheels" \
  $(pinned pymupdf opencc rapidfuzz pydantic pydantic-core annotated-types typing-inspection typing-extensions \
           beautifulsoup4 soupsieve python-docx) "$ONNX2TORCH"
for whl in "$KIT"/wheels/*.whl; do
  "$PY" -m zipfile -e "$whl" "$KIT/site"
done
rm -rf "$KIT/site/pymupdf/layout" "$KIT/site/pymupdf/mupdf-devel"
find "$KIT/site" -name __pycache__ -prune -exec rm -rf {} +
tar -cJf "$KIT/site.tar.xz" -C "$KIT/site" .
rm -rf "$KIT/wheels" "$KIT/site"

models=$("$PY" -c "from models.config import rapidocr_models; print(rapidocr_models())")
det=$("$PY" -c "from models.config import DET_FILE; print(DET_FILE)")
rec=$("$PY" -c "from models.config import REC_FILE; print(REC_FILE)")
cp "$models/$det" "$models/$rec" "$KIT/models/"
cp "$("$PY" -c "from tests.shared_data import SHARED; print(SHARED)")/score.py" "$KIT/shared/"
du -sh "$KIT"
echo "kit for Python $PYVER in $KIT: carry it with [\"$KIT\"] and run bench/device/run.sh there"
