#!/usr/bin/env bash
# Packs what `bench.gpu_pipeline` needs on a GPU machine that has Python, PyTorch (CUDA), NumPy,
# OpenCV, Pillow, lxml and onnx, but none of our other dependencies and no network: the device
# tool's machine (its image lists those packages). One call there carries at most 64 MiB, so:
#   - the other dependencies' wheels for that Python, unpacked into one tar.xz, with PyMuPDF 2.0's
#     layout package left out (51 MB of models the pipeline never uses, loaded by `import pymupdf`
#     when present);
#   - the PP-OCR det/rec ONNX files from the rapidocr wheel installed here, in models.tar.xz
#     (GIA_OCR_MODEL_DIR where run.sh unpacks them; xz takes 5 MB off their 31);
#   - ../shared/score.py (GIA_SHARED_DIR), which scores the run;
#   - with "rapid_table": RapidTable and rapid-layout (their models in their wheels) and what they
#     import that the machine lacks, for `bench.gpu_pipeline --tool rapid_table`. To fit, OpenCC's
#     command-line tools, headers and static libraries (which its Python binding never loads) are
#     left out of every kit.
# Versions are those installed in .venv, so both machines run the same code.
#
#   bench/device/kit.sh [PYTHON_VERSION] [rapid_table]   # default 3.12 (the device's); writes .devcarry/kit/
#
# Then `run` there with carry [".devcarry/kit"] and `bench/device/run.sh` (see that file).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYVER=${1:-3.12}
TOOL=${2:-}
LIMIT=$((64 * 1024 * 1024))  # what one device call carries, the working tree included
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
mkdir -p "$KIT/wheels" "$KIT/site" "$KIT/shared"
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version "$PYVER" --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d "$KIT/wheels" \
  $(pinned pymupdf opencc rapidfuzz pydantic pydantic-core annotated-types typing-inspection typing-extensions \
           beautifulsoup4 soupsieve python-docx) "$ONNX2TORCH"
case "$TOOL" in
  "") ;;
  rapid_table)  # onnxruntime, OpenCV, PyYAML, requests and tqdm are on the machine already
    "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$KIT/wheels" \
      $(pinned rapid-table rapid-layout omegaconf colorlog) ;;
  *) echo "kit.sh: unknown tool $TOOL (rapid_table, or none)" >&2; exit 2 ;;
esac
for whl in "$KIT"/wheels/*.whl; do
  "$PY" -m zipfile -e "$whl" "$KIT/site"
done
rm -rf "$KIT/site/pymupdf/layout" "$KIT/site/pymupdf/mupdf-devel" \
       "$KIT/site/opencc/clib/bin" "$KIT/site/opencc/clib/include" "$KIT/site/opencc/clib/lib64"
find "$KIT/site" -name __pycache__ -prune -exec rm -rf {} +
tar -cf - -C "$KIT/site" . | xz -9e -T1 > "$KIT/site.tar.xz"
rm -rf "$KIT/wheels" "$KIT/site"

models=$("$PY" -c "from models.config import rapidocr_models; print(rapidocr_models())")
det=$("$PY" -c "from models.config import DET_FILE; print(DET_FILE)")
rec=$("$PY" -c "from models.config import REC_FILE; print(REC_FILE)")
tar -cf - -C "$models" "$det" "$rec" | xz -9e -T1 > "$KIT/models.tar.xz"
cp "$("$PY" -c "from tests.shared_data import SHARED; print(SHARED)")/score.py" "$KIT/shared/"
du -sh "$KIT"
size=$(( $(du -sb "$KIT" | cut -f1) + $(git ls-files -z | xargs -0 cat | wc -c) ))
if [ "$size" -gt "$LIMIT" ]; then
  echo "kit.sh: kit and working tree come to $size bytes, over the $LIMIT a device call carries" >&2
  exit 3
fi
echo "kit for Python $PYVER${TOOL:+ with $TOOL} in $KIT ($size of $LIMIT bytes with the working tree):" \
     "carry it with [\"$KIT\"] and run bench/device/run.sh there"
