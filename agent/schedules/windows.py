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

import math
import re
from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo, OpInfo, map_results
from . import model, parts
from .base import ELEMENTS, Knob, Schedule, divisor_at_most, lanes, split_at, worth_splitting
from .elementwise import vector_tile

ANY = parts.ANY

# Per named op, the role of each of its loops (in the op's loop order): n batch, oh/ow output rows/columns,
# ch the channels results are vectorised along, cr reduced channels, kh/kw window rows/columns.
ROLES: dict[str, tuple[str, ...]] = {
    "linalg.conv_2d_nhwc_hwcf": ("n", "oh", "ow", "ch", "kh", "kw", "cr"),
    # TFLite's and IREE's filter layout: made the one above first, its filter transposed (`TRANSPOSED`)
    "linalg.conv_2d_nhwc_fhwc": ("n", "oh", "ow", "ch", "kh", "kw", "cr"),
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


# window ops the schedule first rewrites as another (`transform.structured.transpose_conv2d`: the filter
# transposed by a linalg.transpose into a buffer, tiled and vectorised like the maps): the op the rest sees
TRANSPOSED = {"linalg.conv_2d_nhwc_fhwc": "linalg.conv_2d_nhwc_hwcf"}


def is_window(op: OpInfo) -> bool:
    return op.name in ROLES and len(ROLES[op.name]) == len(op.iterators) and min(op.extents) >= 1


def even_splits(info: KernelInfo, most: int, cores: int) -> tuple[int, ...]:
    """Task counts up to `most` that cut every split window op's loop into equal chunks (uneven chunks leave
    the convolution vectoriser dynamic shapes it refuses: 3 tasks over a stride-2 convolution's 28 output
    rows were a schedule_error); 1 always."""
    loops = [op.extents[d] for op in info.ops if is_window(op) and (d := split_dim(op, info, cores)) is not None]
    return (1,) + tuple(t for t in range(2, most + 1) if loops and all(e % t == 0 for e in loops))


def split_dim(op: OpInfo, info: KernelInfo, cores: int) -> int | None:
    """The loop of a window op that a parallel script cuts into chunks, one task each (images, then output
    rows, then output positions: never the channels, the vector loop), or None to keep it serial: only an op
    that does enough to pay for the tasks. Measured by the evaluator on 2 cores, over the naive loops: an NCHW
    stride-2 convolution 8.3x in one task, 14.4x split along its output rows; a 1-D convolution 25x -> 43x."""
    roles = ROLES[op.name]
    return split_at(op, info, cores, [roles.index(r) for r in ("n", "oh", "ow") if r in roles])


@dataclass(frozen=True)
class VectorizeWindows(Schedule):
    """Convolutions and pooling (1-D, 2-D, any stride) by MLIR's convolution vectoriser, a row at a time."""
    name = "vectorize_windows"
    payload = "tensor"

    ow: int | None = None  # output positions per tile
    ch: int | None = None  # channels per tile, the vector loop (output channels of a convolution)
    cr: int | None = None  # reduced (input) channels per tile of a convolution
    ew_width: int | None = None  # elements per tile row of the fills and elementwise ops
    threads: int | None = None  # tasks the split loop of each big window op is cut into (1: serial)

    def applies(self, info: KernelInfo) -> bool:
        return (info.straight_line and info.element in ELEMENTS
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
        if any(not is_window(op) and op.iterators for op in info.ops):  # (a 0-d fill has no tile)
            knobs += (Knob.of("ew_width", ew_widths(info, vl)),)
        t = self.threads if self.threads is not None else self.start(info, host)["threads"]
        split = any(is_window(op) and split_dim(op, info, host.cores) is not None for op in info.ops)
        choices = {*even_splits(info, max(t, host.cores), host.cores), t}  # a pinned count stays in its space
        return knobs + ((Knob.of("threads", choices),) if t > 1 and split else ())

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        vl = lanes(info, host)
        return {**self._start(info, vl), "ew_width": min(ew_widths(info, vl), key=lambda w: (abs(w - 4 * vl), w)),
                "threads": max(even_splits(info, host.cores, host.cores))}

    def _start(self, info: KernelInfo, vl: int) -> dict[str, int]:
        ops = [op for op in info.ops if is_window(op)]
        ext = {r: min(op.extents[ROLES[op.name].index(r)] for op in ops if r in ROLES[op.name])
               for r in ("ow", "ch", "cr") if any(r in ROLES[op.name] for op in ops)}
        if "ch" not in ext:  # no channels (linalg.conv_1d / conv_2d): the vectors run along the row
            return {"ow": min(ext["ow"], 4 * vl), "ch": vl, "cr": 8}
        # measured on znver4 (16 lanes): an NCHW stride-2 convolution 8 positions x 16 output channels x 8
        # input channels (8x over its naive loops; 32 input channels 4x); an NCHW stride-2 pooling 4
        # positions x 8 channels (1.7x; 8 x 16 1.4x)
        if "cr" not in ext:  # pooling, depthwise: one max / multiply-add per loaded vector, transposes dominate
            return {"ow": min(ext["ow"], 4), "ch": min(ext["ch"], max(1, vl // 2)), "cr": 8}
        return {"ow": min(ext["ow"], 8), "ch": min(ext["ch"], vl), "cr": divisor_at_most(ext.get("cr", 8), 8)}

    def render(self, info: KernelInfo, host: Host) -> str:
        body, names = parts.each_op(len(info.ops))
        windows = sorted({TRANSPOSED.get(op.name, op.name) for op in info.ops if is_window(op)})
        for i, (op, h) in enumerate(zip(info.ops, names)):
            if not is_window(op):
                body += parts.tile_vectorize(h, vector_tile(op.iterators, self.knob("ew_width"), None), f"e{i}")
                continue
            if op.name in TRANSPOSED:  # the op the rest works on, and its filter's transpose as a map's tile
                body += (f"  %x{i} = transform.structured.transpose_conv2d {h} : ({ANY}) -> {ANY}\n"
                         f"  %x{i}t = transform.get_producer_of_operand %x{i}[1] : ({ANY}) -> {ANY}\n"
                         + parts.tile_vectorize(f"%x{i}t", vector_tile(("parallel",) * 4, self.knob("ew_width"), None),
                                                f"xt{i}"))
                h = f"%x{i}"
            roles = ROLES[op.name]
            d = split_dim(op, info, host.cores) if self.threads and self.threads > 1 else None
            if d is not None:  # chunks of loop d, one task each; the tiles below work inside a chunk
                body += parts.distribute(h, len(op.iterators), d, self.knob("threads"), f"s{i}")
                h = f"%s{i}"
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
                 + parts.func("%fv") + parts.approximate_math("%fv") + parts.canonicalize("%fv") + parts.hoist("%fv"))
        rank = max(len(map_results(op.maps[0])) for op in info.ops if is_window(op))  # a padded input's
        plane = max((math.prod(s[-2:]) for s in info.arg_shapes if len(s) == rank), default=0)
        return self.module(body + _copy_out(rank, plane))


# Channels-first pooling: the channel loop is not the innermost of the data, and the output row's loop reads
# its input with a stride (`2 * ow + kw`), which neither vectoriser takes as contiguous vectors
CHANNELS_FIRST = {f"linalg.pooling_nchw_{k}" for k in ("sum", "max")} | {f"linalg.pooling_ncw_{k}" for k in ("sum", "max")}


@dataclass(frozen=True)
class PackWindows(Schedule):
    """Channels-first pooling (NCHW, NCW; any window, stride, dilation, channel count) on channel blocks.

    Tensor payload. The pooling is packed (`structured.pack`) into blocks of channels, channels last
    (C -> C/b x .. x b; b one vector, or the largest divisor of C below it, so no block is padded and every
    tile is static), so every window step is one contiguous vector max/add. The unpack is tiled to `oh`
    output rows of one block, and the packed pooling and the input's pack are fused into that loop: each
    tile transposes only the 2*`oh`+1 input rows it reads (AVX-512's 16 x 16 shuffle network, other shapes
    one flat shuffle) into a buffer that stays in L1, instead of a whole packed copy of the input (1.6 MB for
    a 32 x 113 x 113 map: a fresh allocation each call, whose page faults cost as much as the pooling). The
    pooling tile is then split into one output position per vector (the window's loops whole: unit dims
    fold, the `2 * ow + kw` map becomes `kw`; a dilated window loop is stepped one term at a time), vectorised
    as a multi-reduction, and the result block is transposed back into the output rows (the copy into the
    output, which bufferization makes, vectorised too).
    """
    name = "pack_windows"
    payload = "tensor"

    oh: int | None = None  # output rows per tile (2-D windows): consecutive rows share input rows
    threads: int | None = None  # tasks the channel blocks are split over (a divisor of the block count)

    def applies(self, info: KernelInfo) -> bool:
        pools = [op for op in info.ops if op.name in CHANNELS_FIRST]
        return (info.straight_line and info.element in ELEMENTS and len(pools) == 1
                and is_window(pools[0]) and all(op is pools[0] or op.name == "linalg.fill" for op in info.ops))

    def _block(self, info: KernelInfo, host: Host) -> int:
        """Channels a block: one vector, or the largest divisor of the channel count below it (every tile
        then has static sizes: no padded block, no masks); a divisor under half a vector fills it poorly."""
        op = self._pool(info)
        return divisor_at_most(op.extents[ROLES[op.name].index("ch")], lanes(info, host))

    def _pool(self, info: KernelInfo) -> OpInfo:
        return next(op for op in info.ops if op.name in CHANNELS_FIRST)

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # measured on znver4 (2 shared cores, warm calls): a 3x3 stride-2 NCHW max pooling, 32 channels,
        # 2.2-3.0x its naive loops (VectorizeWindows 2.6x; before this tiling, a whole packed copy: 1.8x);
        # a block of b channels fills b / vl of the lanes
        return 0.3 * self._block(info, host) / lanes(info, host)

    def _rows(self, info: KernelInfo) -> tuple[int, ...]:
        """The `oh` a tile may have: divisors of the output's rows up to 8 (static tiles); none for 1-D."""
        op = self._pool(info)
        if "oh" not in ROLES[op.name]:
            return ()
        oh = op.extents[ROLES[op.name].index("oh")]
        return tuple(d for d in range(1, min(8, oh) + 1) if oh % d == 0)

    def _tasks(self, info: KernelInfo, host: Host) -> tuple[int, ...]:
        """The task counts the channel blocks split evenly over (whole blocks each: static tiles), up to the
        host's cores (the run's --threads)."""
        op = self._pool(info)
        blocks = max(1, op.extents[ROLES[op.name].index("ch")] // self._block(info, host))
        return tuple(t for t in range(1, max(host.cores, self.threads or 1) + 1) if blocks % t == 0)

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        rows = self._rows(info)
        tasks = self._tasks(info, host)
        split = (self.threads if self.threads is not None else self._start_threads(info, host)) > 1
        # (a serial script has no split loop to take the knob)
        return (((Knob.of("oh", rows),) if len(rows) > 1 else ())
                + ((Knob.of("threads", tasks),) if len(tasks) > 1 and split else ()))

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        # 2 rows: 5 input rows transposed for 2 output rows at stride 2 (1 row: 3 for 1; 4 or 8: no faster)
        rows = self._rows(info)
        return {"oh": max((d for d in rows if d <= 2), default=1), "threads": self._start_threads(info, host)}

    def _start_threads(self, info: KernelInfo, host: Host) -> int:
        # split over the cores where the pooling reads enough (the 32 x 113 x 113 max pooling on 2 cores,
        # measured on znver3: 1.62x its naive loops in one task, 3.0x in two)
        return max(self._tasks(info, host)) if worth_splitting(model.work(self._pool(info)), info) else 1

    def render(self, info: KernelInfo, host: Host) -> str:
        op = self._pool(info)
        roles = ROLES[op.name]
        vl = lanes(info, host)
        b = self._block(info, host)
        spatial = sum(1 for r in roles if r in ("oh", "ow"))  # 1 or 2
        rank = 3 + spatial  # packed tensors: n, channel block, rows / columns, the block's lanes
        rows = self._rows(info)
        pack = ", ".join(str(b) if r == "ch" else "0" for r in roles)
        # the knob is MLIR's own tunable (tile_using_for takes a param): valid MLIR as written
        unpack = ", ".join(["1", str(b)] + (["%oh"] if rows else []) + ["0"])
        param = f", {parts.PARAM}" if rows else ""
        # a window loop whose input index is scaled (a dilation, `ow * 2 + kw * 2`) would stay scaled after
        # folding: stepped one term at a time instead (the accumulator hoisted into registers)
        position = ", ".join("1" if r in ("n", "ch", "oh", "ow") or re.search(rf"\bd{i} \* ", op.maps[0]) else "0"
                             for i, r in enumerate(roles)) + ", 0"
        in_tile = ", ".join(["1"] * (rank - 2) + [str(vl), str(b)])  # [n, cb, rows.., w, lanes]
        out_tile = ", ".join(["1", "1", str(b)] + ["1"] * (spatial - 1) + [str(vl)])  # [n, cb, lanes, rows.., w]
        gen = '!transform.op<"linalg.generic">'
        lp = '!transform.op<"linalg.pack">'
        lu = '!transform.op<"linalg.unpack">'
        split, tiled, within = "", "%up", "%f"
        if self.threads is not None and self.threads > 1:
            # the output's channel blocks split over tasks first (whole blocks each), the pooling, its fill and
            # its input's pack fused into the split loop, then tiled inside it as below
            split = (parts.distribute("%up", rank - 1, 1, self.knob("threads"), "sp")
                     + f'  %sg = transform.structured.match ops{{["linalg.generic"]}} in %f : ({ANY}) -> {ANY}\n'
                     f"  %sgf, %sgl = transform.structured.fuse_into_containing_op %sg into %spf"
                     f" : ({ANY}, {ANY}) -> ({ANY}, {ANY})\n"
                     f'  %sp0 = transform.structured.match ops{{["linalg.pack", "linalg.fill"]}} in %f : ({ANY}) -> {ANY}\n'
                     f"  %spp, %spl = transform.structured.fuse_into_containing_op %sp0 into %sgl"
                     f" : ({ANY}, {ANY}) -> ({ANY}, {ANY})\n")
            tiled, within = "%sp", "%spf"
        body = ((self.tune_knob("oh", rows) if rows else "") +
            f'  %p = transform.structured.match ops{{["{op.name}"]}} in %root : ({ANY}) -> {ANY}\n'
            f"  %pk = transform.structured.pack %p packed_sizes = [{pack}] : ({ANY}) -> ({gen})\n"
            + parts.func("%f") + parts.canonicalize("%f")
            # one block of `oh` output rows a tile; the pooling, its output's fill and its input's pack fused in
            + f'  %up = transform.structured.match ops{{["linalg.unpack"]}} in %f : ({ANY}) -> {ANY}\n'
            + split
            + f"  %ut, %ul:{spatial + 1} = transform.structured.tile_using_for {tiled} tile_sizes [{unpack}]"
            f" : ({ANY}{param}) -> ({', '.join([ANY] * (spatial + 2))})\n"
            f'  %g = transform.structured.match ops{{["linalg.generic"]}} in {within} : ({ANY}) -> {ANY}\n'
            f"  %gf, %gl = transform.structured.fuse_into_containing_op %g into %ul#{spatial}"
            f" : ({ANY}, {ANY}) -> ({ANY}, {ANY})\n"
            f'  %pf = transform.structured.match ops{{["linalg.pack", "linalg.fill"]}} in {within} : ({ANY}) -> {ANY}\n'
            f"  %pff, %pfl = transform.structured.fuse_into_containing_op %pf into %gl : ({ANY}, {ANY}) -> ({ANY}, {ANY})\n"
            # the packed buffers: one tile's worth each, not slices of whole packed tensors
            f"  transform.apply_patterns to %f {{\n    transform.apply_patterns.tensor.fold_tensor_empty\n"
            f"    transform.apply_patterns.canonicalization\n  }} : {ANY}\n"
            f'  %pk2 = transform.structured.match ops{{["linalg.pack"]}} in %f : ({ANY}) -> {lp}\n'
            f"  %lpa, %lpe, %lpt = transform.structured.lower_pack %pk2 : ({lp}) -> (!transform.op<\"tensor.pad\">,"
            f' !transform.op<"tensor.expand_shape">, !transform.op<"linalg.transpose">)\n'
            f'  %up2 = transform.structured.match ops{{["linalg.unpack"]}} in %f : ({ANY}) -> {lu}\n'
            f"  %lue, %lut, %luc, %lus = transform.structured.lower_unpack %up2 : ({lu}) -> (!transform.op<\"tensor.empty\">,"
            f' !transform.op<"linalg.transpose">, !transform.op<"tensor.collapse_shape">,'
            f' !transform.op<"tensor.extract_slice">)\n'
            + parts.canonicalize("%f")
            # the two transposes in vl x vl blocks (the partial last column block peeled: no masks in the loop)
            # (the packs' transposes: the input's, and the output's unless its initial contents are a fill)
            + f"  %ti, %til:{rank} = transform.structured.tile_using_for %lpt tile_sizes [{in_tile}]"
            f' : (!transform.op<"linalg.transpose">) -> ({", ".join([ANY] * (rank + 1))})\n'
            f"  %to, %tol:{rank} = transform.structured.tile_using_for %lut tile_sizes [{out_tile}]"
            f' : (!transform.op<"linalg.transpose">) -> ({", ".join([ANY] * (rank + 1))})\n'
            + parts.peel(f"%til#{rank - 2}", "pi") + parts.peel(f"%tol#{rank - 1}", "po")
            # the pooling tile: one output position (a vector of channels) per step, the window whole
            + f'  %g2 = transform.structured.match ops{{["linalg.generic"]}} in %f : ({ANY}) -> {ANY}\n'
            f"  %gt, %gtl:{position.count('1')} = transform.structured.tile_using_for %g2 tile_sizes [{position}]"
            f" : ({ANY}) -> ({', '.join([ANY] * (position.count('1') + 1))})\n"
            f"  transform.apply_patterns to %f {{\n"
            f"    transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices\n"
            f"    transform.apply_patterns.canonicalization\n  }} : {ANY}\n"
            f'  %vs = transform.structured.match ops{{["linalg.generic", "linalg.transpose", "linalg.copy",'
            f' "linalg.fill"]}} in %f : ({ANY}) -> {ANY}\n'
            f"  transform.foreach %vs : {ANY} {{\n  ^bb0(%v: {ANY}):\n"
            f"    transform.structured.vectorize %v : {ANY}\n  }}\n"
            + parts.canonicalize("%f") + parts.hoist("%f")
            # full 16 x 16 blocks as AVX-512's 16 x 16 shuffle network first; the rest (the peeled partial
            # blocks, other lane counts) as one flat shuffle each, not element by element
            + f"  transform.apply_patterns to %f {{\n    transform.apply_patterns.vector.transfer_permutation_patterns\n"
            f'    transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_16x16"\n  }} : {ANY}\n'
        )
        return self.module(body + _copy_out())


PLANE = 8192  # elements of a copy's two inner dims vectorised as one unrolled tile, at most


def _copy_out(rank: int | None = None, plane: int = 0) -> str:
    """Bufferize and lower. The copies bufferization makes are vectorised too, not left to scalar loops
    (which LLVM did not vectorise: a padded depthwise input copied 2.7x slower): whole where they are
    small (`rank` None: the block's rows of the pooling's transposed tile, collapsed first), else tiled by 1
    along all but their two innermost dims first (one if those span more than PLANE elements, `plane`):
    a whole padded input's interior (1x112x112x64) vectorised at once became 31K vector loads and stores
    and took 80 s to compile; tiles of 112 x 64 compile in 1 s and copy as fast, rows of 64 were 2x slower
    (measured on znver4). A copy of another rank than `rank` is left to the loops."""
    if rank is None:
        tile = f"    transform.structured.vectorize %cp : {ANY}\n"
    else:
        sizes = [1] * max(1, rank - (2 if plane <= PLANE else 1)) + [0]
        tile = (f"    transform.sequence %cp : {ANY} failures(suppress) {{\n    ^bb1(%cp0: {ANY}):\n"
                f"      %cpt, %cpl:{len(sizes) - 1} = transform.structured.tile_using_for %cp0 tile_sizes "
                f"[{', '.join(map(str, sizes))}] : ({ANY}) -> ({', '.join([ANY] * len(sizes))})\n"
                f"      transform.structured.vectorize %cpt : {ANY}\n    }}\n")
    return (parts.bufferize("%root") + parts.func("%fb", "%bz")
            + f'  %cps = transform.structured.match ops{{["linalg.copy"]}} in %fb : ({ANY}) -> {ANY}\n'
            f"  transform.foreach %cps : {ANY} {{\n  ^bb0(%cp: {ANY}):\n" + tile + "  }\n"
            + parts.lower_vectors("%fb"))


def ew_widths(info: KernelInfo, vl: int) -> tuple[int, ...]:
    """Tile widths for the fills and maps around the windows: multiples of the lanes, up to 8 of them, that
    divide each such op's last extent or cover it whole. A remainder tile of these fills does not vectorise
    (MLIR's masked vectorisation refused widths 16, 32 and 48 on a 56-wide pooling output, and 48 on a 64-wide
    one: a schedule_error for every such trial); with none of that kind, every multiple."""
    ext = [op.extents[-1] for op in info.ops if not is_window(op)]
    # an extent itself too (a row of up to 1 KiB, 16 AVX-512 vectors, whatever this host's width), for a padded
    # row none of the multiples divides (130 = 128 + 2: the fill of an avg pool's padded 1x64x130x130 input had
    # no width that vectorises)
    row = 1024 * 8 // info.element_bits
    every = tuple(sorted({*range(vl, 8 * vl + 1, vl), *(e for e in ext if vl < e <= row)}))
    return tuple(w for w in every if all(e % w == 0 or w >= e for e in ext)) or every
