"""ONNX graph → torch.nn.Module for the PP-OCR det/rec models.

onnx2torch cannot convert nodes whose padding is `auto_pad=SAME_UPPER` (the PP-OCRv6 graphs have
two 2×2 Convs and one 2×2 MaxPool so padded). For stride 1 the padding SAME asks for does not depend
on the input size, so we rewrite those nodes to explicit `pads` first; onnx2torch then handles the
asymmetric pads itself (a pad module before the op, -inf for MaxPool).

A converted graph reads some of its inputs on the host: the shape a Reshape asks for, a Slice's
starts and ends, a Resize's scales. On CUDA each such read of a device tensor waits for the device,
and makes the graph impossible to capture for replay (`graphs`); `to_device` leaves those inputs,
and the shapes the graph computes them from, in host memory.
"""
from __future__ import annotations

from pathlib import Path

import onnx
import torch
from onnx import helper

_PADDED_OPS = {"Conv", "MaxPool", "AveragePool"}


def _attr(node: onnx.NodeProto, name: str, default=None):
    for a in node.attribute:
        if a.name == name:
            return helper.get_attribute_value(a)
    return default


def explicit_same_padding(model: onnx.ModelProto) -> int:
    """Rewrite SAME_UPPER/SAME_LOWER padding in place into explicit pads; returns nodes changed."""
    changed = 0
    for node in model.graph.node:
        if node.op_type not in _PADDED_OPS:
            continue
        auto_pad = _attr(node, "auto_pad", b"NOTSET")
        if isinstance(auto_pad, bytes):
            auto_pad = auto_pad.decode()
        if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
            continue
        kernel = list(_attr(node, "kernel_shape"))
        strides = list(_attr(node, "strides", [1] * len(kernel)))
        dilations = list(_attr(node, "dilations", [1] * len(kernel)))
        if any(s != 1 for s in strides):
            # With stride > 1 SAME padding depends on the input size: no static rewrite exists.
            raise NotImplementedError(f"{node.name}: SAME padding with stride {strides}")
        begins, ends = [], []
        for k, d in zip(kernel, dilations):
            total = d * (k - 1)
            small, large = total // 2, total - total // 2
            # SAME_UPPER puts the odd pixel at the end, SAME_LOWER at the beginning.
            begin, end = (small, large) if auto_pad == "SAME_UPPER" else (large, small)
            begins.append(begin)
            ends.append(end)
        kept = [a for a in node.attribute if a.name not in ("auto_pad", "pads")]
        del node.attribute[:]
        node.attribute.extend(kept)
        node.attribute.append(helper.make_attribute("pads", begins + ends))
        changed += 1
    return changed


def load_onnx(path: Path) -> onnx.ModelProto:
    model = onnx.load(str(path))
    explicit_same_padding(model)
    return model


def _import_onnx2torch():
    """onnx2torch imports torchvision at load time, for its NMS and RoiAlign converters only.

    PP-OCR graphs use neither, and CPU-only torch has no matching torchvision on the package
    index, so where torchvision is absent a stand-in lets the converter load; a graph that did
    need those ops would fail at conversion, loudly.
    """
    try:
        import onnx2torch
    except ModuleNotFoundError as exc:
        if exc.name != "torchvision":
            raise
        import sys
        import types

        def _absent(*_args, **_kwargs):
            raise NotImplementedError("torchvision is not installed")

        ops = types.ModuleType("torchvision.ops")
        ops.nms = ops.box_convert = ops.roi_align = _absent
        stand_in = types.ModuleType("torchvision")
        stand_in.ops = ops
        sys.modules.setdefault("torchvision", stand_in)
        sys.modules.setdefault("torchvision.ops", ops)
        import onnx2torch
    return onnx2torch


def to_torch(model: onnx.ModelProto) -> torch.nn.Module:
    convert = _import_onnx2torch().convert

    module = convert(model)
    module.eval()
    return module


# Arguments after the first that these modules read on the host (index into the node's inputs).
_HOST_ARGUMENTS = {"OnnxReshape": (1,), "OnnxSlice": (1, 2, 3, 4), "OnnxResize": (1, 2, 3),
                   "OnnxExpand": (1,), "OnnxTile": (1,), "OnnxConstantOfShape": (0,)}


class HostShape(torch.nn.Module):
    """ONNX Shape with its result in host memory (onnx2torch's puts it beside its input)."""

    def __init__(self, start: int = 0, end: int | None = None):
        super().__init__()
        self.start, self.end = start, end

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tensor(x.shape[self.start:self.end], dtype=torch.int64)


def to_device(module: torch.fx.GraphModule, device: torch.device | str, dtype: torch.dtype) -> torch.fx.GraphModule:
    """The converted graph on `device` in `dtype`, except what it reads on the host: Shape
    results, and the initializers that only ever reach a host argument (directly or through other
    host-side nodes), which stay on the CPU with their own dtype."""
    kinds = {n: type(module.get_submodule(n.target)).__name__ for n in module.graph.nodes if n.op == "call_module"}
    host_nodes = set()
    for node in module.graph.nodes:  # topological order: a node's inputs come first
        if kinds.get(node) == "OnnxShape":
            host_nodes.add(node)
        elif node.op == "call_module":
            computed = [a for a in node.all_input_nodes if a.op != "get_attr"]
            if computed and all(a in host_nodes for a in computed):  # shape arithmetic
                host_nodes.add(node)
    host_values = set()
    for node in module.graph.nodes:
        if node.op == "get_attr" and all(_host_use(user, node, kinds, host_nodes) for user in node.users):
            host_values.add(node.target)
    tensors = {**dict(module.named_parameters()), **dict(module.named_buffers())}
    kept = {name: tensors[name] for name in host_values}
    for node in module.graph.nodes:
        if kinds.get(node) == "OnnxShape":
            old = module.get_submodule(node.target)
            _set_submodule(module, node.target, HostShape(old._start, old._end))
    module = module.to(device, dtype)
    for name, value in kept.items():
        owner, _, attr = name.rpartition(".")
        holder = module.get_submodule(owner) if owner else module
        holder._buffers[attr] = value.detach().cpu().clone()  # buffers and parameters alike: inference only
        holder._parameters.pop(attr, None)
    return module


def _host_use(user, value, kinds: dict, host_nodes: set) -> bool:
    if user in host_nodes:
        return True
    positions = _HOST_ARGUMENTS.get(kinds.get(user, ""), ())
    return any(i in positions for i, a in enumerate(user.args) if a is value)


def _set_submodule(module: torch.nn.Module, target: str, new: torch.nn.Module) -> None:
    owner, _, name = target.rpartition(".")
    setattr(module.get_submodule(owner) if owner else module, name, new)


def character_list(rec_model: onnx.ModelProto) -> list[str]:
    """The recogniser's alphabet, stored in the rec graph's metadata as one character per line."""
    for prop in rec_model.metadata_props:
        if prop.key == "character":
            return prop.value.splitlines()
    raise ValueError("rec model carries no 'character' metadata")
