"""Sliding windows (convolutions and pooling, 1-D and 2-D, any stride): MLIR's own convolution vectoriser.

Tensor payload. Each window op is tiled to one output row (`oh` and the window's rows `kh` by 1), `ow`
output positions, `ch` channels (the channel loop the results are vectorised along: output channels of a
convolution, channels of a depthwise convolution or a pooling) and `cr` reduced channels of a
convolution; the window's columns `kw` stay whole. A 2-D tile is then a 1-D window op
(`structured.decompose`), which the vectoriser turns into per-(kw, position) outer products or max/add
steps on registers: the input row is read once per tile, as whole vectors, whatever the stride (a stride
only changes which slices of the loaded row each position takes: no gathers), the accumulators stay in
registers across the reduced channels (hoisted), and NCHW tiles are transposed in registers. Fills and
elementwise ops around are tiled and vectorised as in `VectorizeElementwise`.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo, OpInfo
from . import model, parts
from .base import Knob, Schedule, divisor_at_most, lanes
from .elementwise import vector_tile

ANY = parts.ANY

# Per named op, the role of each of its loops (in the op's loop order): n batch, oh/ow output rows/columns,
# ch the channels results are vectorised along, cr reduced channels, kh/kw window rows/columns.
ROLES: dict[str, tuple[str, ...]] = {
    "linalg.conv_2d_nhwc_hwcf": ("n", "oh", "ow", "ch", "kh", "kw", "cr"),
    "linalg.conv_2d_nchw_fchw": ("n", "ch", "oh", "ow", "cr", "kh", "kw"),
    "linalg.depthwise_conv_2d_nhwc_hwc": ("n", "oh", "ow", "ch", "kh", "kw"),
    "linalg.conv_2d": ("oh", "ow", "kh", "kw"),
    "linalg.conv_1d_nwc_wcf": ("n", "ow", "ch", "kw", "cr"),
    "linalg.conv_1d_ncw_fcw": ("n", "ch", "ow", "cr", "kw"),
    "linalg.depthwise_conv_1d_nwc_wc": ("n", "ow", "ch", "kw"),
    "linalg.conv_1d": ("ow", "kw"),
    **{f"linalg.pooling_nhwc_{k}": ("n", "oh", "ow", "ch", "kh", "kw")
       for k in ("sum", "max", "min", "max_unsigned", "min_unsigned")},
    **{f"linalg.pooling_nchw_{k}": ("n", "ch", "oh", "ow", "kh", "kw") for k in ("sum", "max")},
    **{f"linalg.pooling_nwc_{k}": ("n", "ow", "ch", "kw") for k in ("sum", "max", "min", "max_unsigned", "min_unsigned")},
    **{f"linalg.pooling_ncw_{k}": ("n", "ch", "ow", "kw") for k in ("sum", "max")},
}


def is_window(op: OpInfo) -> bool:
    return op.name in ROLES and len(ROLES[op.name]) == len(op.iterators) and min(op.extents) >= 1


@dataclass(frozen=True)
class VectorizeWindows(Schedule):
    """Convolutions and pooling (1-D, 2-D, any stride) by MLIR's convolution vectoriser, a row at a time."""
    name = "vectorize_windows"
    payload = "tensor"

    ow: int | None = None  # output positions per tile
    ch: int | None = None  # channels per tile, the vector loop (output channels of a convolution)
    cr: int | None = None  # reduced (input) channels per tile of a convolution
    ew_width: int | None = None  # elements per tile row of the fills and elementwise ops

    def applies(self, info: KernelInfo) -> bool:
        return (info.straight_line and info.element in ("f32", "f64", "i32", "i64")
                and any(is_window(op) for op in info.ops)
                and all(is_window(op) or op.is_elementwise or op.name == "linalg.fill" for op in info.ops))

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # measured on znver4: channels-last 1-D convolution 50x its naive loops (the generic tile 20x);
        # channels-first 3.7x at stride 1 (the generic tile 12x), 17-30x at stride 2 (the generic tile 1.8x:
        # its vectors would gather)
        op = max((op for op in info.ops if is_window(op)), key=model.work)
        roles = ROLES[op.name]
        if "ch" not in roles:  # the whole window in registers (2.5x a 1-D filter's naive loops, the tile 1.0x)
            return 0.4 * model.fill(op.extents[roles.index("ow")], lanes(info, host))
        last = roles.index("ch") > roles.index("ow")  # channels vary fastest (NHWC / NWC)
        return (0.5 if last else 0.15) * model.fill(op.extents[roles.index("ch")], lanes(info, host))

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        vl = lanes(info, host)
        roles = {r for op in info.ops if is_window(op) for r in ROLES[op.name]}
        knobs = (Knob("ow", 1, 8 * vl if "ch" not in roles else 32, log=True),)
        if "ch" in roles:
            knobs += (Knob("ch", max(1, vl // 2), 4 * vl, step=max(1, vl // 2)),)
        if "cr" in roles:
            knobs += (Knob("cr", 1, 64, log=True),)
        if any(not is_window(op) for op in info.ops):
            knobs += (Knob("ew_width", vl, 8 * vl, step=vl),)
        return knobs

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        vl = lanes(info, host)
        ops = [op for op in info.ops if is_window(op)]
        ext = {r: min(op.extents[ROLES[op.name].index(r)] for op in ops if r in ROLES[op.name])
               for r in ("ow", "ch", "cr") if any(r in ROLES[op.name] for op in ops)}
        if "ch" not in ext:  # no channels (linalg.conv_1d / conv_2d): the vectors run along the row
            return {"ow": min(ext["ow"], 4 * vl), "ch": vl, "cr": 8, "ew_width": 4 * vl}
        # measured on znver4 (16 lanes): an NCHW stride-2 convolution 8 positions x 16 output channels x 8
        # input channels (8x over its naive loops; 32 input channels 4x); an NCHW stride-2 pooling 4
        # positions x 8 channels (1.7x; 8 x 16 1.4x)
        if "cr" not in ext:  # pooling, depthwise: one max / multiply-add per loaded vector, transposes dominate
            return {"ow": min(ext["ow"], 4), "ch": min(ext["ch"], max(1, vl // 2)), "cr": 8, "ew_width": 4 * vl}
        return {"ow": min(ext["ow"], 8), "ch": min(ext["ch"], vl), "cr": divisor_at_most(ext.get("cr", 8), 8),
                "ew_width": 4 * vl}

    def render(self, info: KernelInfo, host: Host) -> str:
        body, names = parts.each_op(len(info.ops))
        windows = sorted({op.name for op in info.ops if is_window(op)})
        for i, (op, h) in enumerate(zip(info.ops, names)):
            if not is_window(op):
                body += parts.tile_vectorize(h, vector_tile(op.iterators, self.knob("ew_width"), None), f"e{i}")
                continue
            roles = ROLES[op.name]
            knob = {"ow": self.knob("ow"), "ch": self.knob("ch"), "cr": self.knob("cr"), "kw": "0"}
            sizes = [knob.get(r, "1") for r in roles]
            tiled = [r for r, s in zip(roles, sizes) if s != "0"]
            body += (f"  %w{i}t, %w{i}l:{len(tiled)} = transform.structured.tile_using_for {h} tile_sizes"
                     f" [{', '.join(sizes)}] : ({ANY}) -> ({', '.join([ANY] * (len(tiled) + 1))})\n")
            # partial tiles peeled off (inner loops first), so that every tile has static sizes
            for r in reversed([r for r in tiled if r in ("ow", "ch", "cr")]):
                body += parts.peel(f"%w{i}l#{tiled.index(r)}", f"p{i}{r}")
        body += parts.func("%f") + parts.canonicalize("%f")
        for j, name in enumerate(windows):
            if "kh" in ROLES[name]:  # a 2-D window of one row: a 1-D window op
                body += (f'  %d{j} = transform.structured.match ops{{["{name}"]}} in %f : ({ANY}) -> {ANY}\n'
                         f"  transform.foreach %d{j} : {ANY} {{\n  ^bb0(%d{j}o: {ANY}):\n"
                         f"    %d{j}r = transform.structured.decompose %d{j}o : ({ANY}) -> {ANY}\n  }}\n")
        # only the window ops are left to vectorise (vectorize_children_and_apply_patterns gave wrong
        # results on an NCHW convolution)
        body += (f"  %win = transform.structured.match interface{{LinalgOp}} in %f : ({ANY}) -> {ANY}\n"
                 f"  transform.structured.vectorize %win : {ANY}\n"
                 + parts.func("%fv") + parts.canonicalize("%fv") + parts.hoist("%fv"))
        return self.module(body + parts.bufferize_and_lower())
