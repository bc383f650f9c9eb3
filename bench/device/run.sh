#!/usr/bin/env bash
# On the GPU machine, in the repository root, with the kit of bench/device/kit.sh carried:
#
#   bench/device/run.sh NAME "GPU_PIPELINE_ARGS" [NAME "ARGS" ...]
#   e.g. bench/device/run.sh p15t8 "--reports 4 --repeat 8 --processes 15 --threads 8 --ocr-server"
#        bench/device/run.sh rt "GIA_OCR_THREADS=1 --tool rapid_table --reports 4 --processes 15 --threads 8 --ocr-server"
#        (the second with a kit made by `bench/device/kit.sh 3.12 rapid_table`)
#
# ARGS may start with environment settings for that run only, e.g. "GIA_REC_WIDTHS=fine --reports 4".
#
# Unpacks the kit, checks that everything imports, then runs `python3 -m bench.gpu_pipeline ARGS
# --out $OUT/NAME` for each pair, GPU use logged each second by nvidia-smi dmon beside it
# ($OUT/NAME.dmon.txt), the run's own output in $OUT/NAME.log. $OUT is the device tool's folder
# that comes back (out/device when run elsewhere). GIA_OCR_ENGINE=torch unless set: set it to
# rapidocr to run the same command on the CPU engine.
set -uo pipefail
KIT=${KIT:-.devcarry/kit}
SITE=${SITE:-/tmp/gia-site}
MODELS=${MODELS:-/tmp/gia-models}
OUT=${OUT:-out/device}
PYTHON=${PYTHON:-python3}
mkdir -p "$SITE" "$MODELS" "$OUT"
KIT=$(cd "$KIT" && pwd) || { echo "no kit at $KIT: run bench/device/kit.sh first"; exit 2; }
tar -xJf "$KIT/site.tar.xz" -C "$SITE" && tar -xJf "$KIT/models.tar.xz" -C "$MODELS" \
  || { echo "cannot unpack the kit in $KIT: run bench/device/kit.sh first"; exit 2; }
export PYTHONPATH="$SITE${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
export GIA_OCR_ENGINE=${GIA_OCR_ENGINE:-torch} GIA_OCR_MODEL_DIR="$MODELS" GIA_SHARED_DIR="$KIT/shared"
"$PYTHON" - <<'PYEOF' || exit 3
import importlib.util
import os
import bs4, docx, opencc, pydantic, pymupdf, rapidfuzz  # noqa: F401  the kit
from tests.shared_data import load_scorer
load_scorer()
line = f"kit ok: pymupdf {pymupdf.__version__}, engine {os.environ['GIA_OCR_ENGINE']}"
if os.environ["GIA_OCR_ENGINE"] == "torch":
    import onnx2torch, torch  # noqa: F401
    from models.gpu.model_files import ocr_model_files
    ocr_model_files()
    line += f", torch {torch.__version__}, " + (torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no CUDA")
if importlib.util.find_spec("rapid_table"):  # a kit made with "rapid_table"
    import onnxruntime, rapid_layout, rapid_table  # noqa: F401
    from bench.rapid_table_alt import _rapid_table
    from models.layout import layout_engine
    _rapid_table(), layout_engine()
    line += f", rapid_table with onnxruntime {onnxruntime.__version__} {onnxruntime.get_available_providers()}"
print(line, flush=True)
PYEOF
status=0
while [ $# -ge 2 ]; do
  name=$1 args=$2
  shift 2
  dmon=
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi dmon -s u -d 1 > "$OUT/$name.dmon.txt" 2>&1 &
    dmon=$!
  fi
  envs=() opts=()
  for tok in $args; do
    if [ ${#opts[@]} -eq 0 ] && [[ $tok =~ ^[A-Z_][A-Z0-9_]*= ]]; then envs+=("$tok"); else opts+=("$tok"); fi
  done
  env "${envs[@]}" "$PYTHON" -m bench.gpu_pipeline "${opts[@]}" --out "$OUT/$name" > "$OUT/$name.log" 2>&1 || status=$?
  [ -n "$dmon" ] && kill "$dmon" 2>/dev/null
  echo "== $name: $args (exit $status)"
  grep -v "INFO" "$OUT/$name.log" | tail -n 25
done
exit $status
