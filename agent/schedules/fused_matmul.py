"""Matmul with its elementwise epilogue fused into one loop nest of register tiles.

Tensor payload. The last op of a chain (fill -> matmul -> bias + relu) is tiled over (i, j) into `mc` x `nc`
cache blocks, then into `mr` x `nr` register tiles, and each time its producers (the matmul, the fill) are
fused into the tile (`structured.fuse`). Each register tile then holds a fill, a matmul over all of k and
the epilogue; the matmul's k loop (step `kt`) keeps the accumulator in registers (hoisted out of the loop),
the fill folds into a zero accumulator and the epilogue reads the accumulator straight from registers, so C
is written once, after the epilogue. Loops whose trip does not divide are peeled (inner loops first, so the
remainder copies of an outer loop are peeled too), so every tile has static sizes and vectorises unmasked.
B is read in place (rows of `nr` contiguous elements); no packing.
With `threads` > 1 the rows of the last op are first split into that many equal chunks (an scf.forall
whose iterations run as tasks on MLIR's async runtime) and the whole chain is fused into each chunk, so
every thread computes its rows of C start to end. `threads` divides the rows: a chunk of dynamic size
would leave register tiles of dynamic size, which do not vectorise unmasked.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from . import model, parts
from .base import (Knob, Schedule, caches, contraction_worth_splitting, lanes, register_tile, register_tile_knobs,
                   register_tile_seeds)

ANY = parts.ANY

# `@name` (lower case): a knob; `@NAME`: a fragment or a handle (see parts.fill)
BODY = """
  %ops = transform.structured.match ops{["linalg.fill", "linalg.matmul", "linalg.generic"]} in %root : (@ANY) -> @ANY
@SPLIT
  transform.annotate @LAST "nj.epilogue" : @ANY@THREADS
  %t1, %l1:2 = transform.structured.fuse @TILED tile_sizes [@mc, @nc] {apply_cleanup} : (@ANY) -> (@ANY, @ANY, @ANY)@SWEEP
  // the matmul must now live only in the tile: one left outside (its result used elsewhere) would be
  // vectorised whole
  %mmf = transform.structured.match ops{["linalg.matmul"]} in %root : (@ANY) -> @ANY
  %mm1 = transform.split_handle %mmf {pass_through_empty_handle = false} : (@ANY) -> (@ANY)
@PEEL_NC
@PEEL_MC
@FUNC1
@CANON1
  %ep = transform.structured.match ops{["linalg.generic"]} attributes{nj.epilogue} in %f1 : (@ANY) -> @ANY
  %t2, %l2:2 = transform.structured.fuse %ep tile_sizes [@mr, @nr] {apply_cleanup} : (@ANY) -> (@ANY, @ANY, @ANY)
@PEEL_NR
@PEEL_MR
@FUNC2
@CANON2
  %mm2 = transform.structured.match ops{["linalg.matmul"]} in %f2 : (@ANY) -> @ANY
  %t3, %l3 = transform.structured.tile_using_for %mm2 tile_sizes [0, 0, @kt] : (@ANY) -> (@ANY, @ANY)
@PEEL_KT
@FUNC3
@CANON3
  %lin = transform.structured.match ops{["linalg.fill", "linalg.matmul", "linalg.generic"]} in %f3 : (@ANY) -> @ANY
  transform.structured.vectorize %lin : @ANY
@CONTRACT
@HOIST
@FOLD
"""

# After hoisting: transfers through tensor.extract_slice / insert_slice become transfers on the whole
# tensor, so that a write and the read after it (fill -> accumulator, accumulator -> epilogue) meet and
# fold away (without it, every register tile goes through memory three times).
FOLD = """  transform.apply_patterns to %f3 {
    transform.apply_patterns.tensor.fold_tensor_subset_ops_into_vector_transfers
    transform.apply_patterns.canonicalization
  } : @ANY
  transform.apply_cse to %f3 : @ANY
"""

# The chain's producers (fill, matmul, the epilogue's first ops) into the forall of its last op: one-by-one,
# each where it is used (a producer that is the forall's destination is cloned into it, the forall then
# starts from that producer's own destination); the originals, dead now, are folded away.
INTO = """  %into = transform.merge_handles @PRODUCERS : @ANY
  %fused, %lpf2 = transform.structured.fuse_into_containing_op %into into %lpf : (@ANY, @ANY) -> (@ANY, @ANY)
@FUNC
@CANON
"""
# ... and the chunk's own copies, once `fuse` has cloned them into its tiles: the bound of a loop over a
# chunk of dynamic size (threads not dividing the rows) reads the copy's result's size; read it from its
# destination instead, then the copy is dead. (No canonicalizer: it would also fold a one-trip tile loop
# whose handle the peeling below still holds.)
SWEEP = """
@FUNC
  transform.apply_patterns to @F {
    transform.apply_patterns.memref.resolve_ranked_shaped_type_result_dims
  } : @ANY
  transform.apply_dce to @F : @ANY
"""


@dataclass(frozen=True)
class FusedMatmulEpilogue(Schedule):
    """Matmul with its elementwise epilogue fused into one loop nest of register tiles."""
    name = "fused_matmul_epilogue"
    payload = "tensor"

    mc: int | None = None  # cache block: rows
    nc: int | None = None  # cache block: columns
    mr: int | None = None  # register tile: rows
    nr: int | None = None  # register tile: columns (a multiple of the vector width)
    kt: int | None = None  # step of the matmul's k loop in a register tile
    threads: int | None = None  # tasks the rows are split into (1: serial); starts at the host's cores

    def applies(self, info: KernelInfo) -> bool:
        if info.mnk is None or info.element not in ("f32", "f64") or not info.is_matmul_chain:
            return False
        after = info.ops[info.ops.index(info.matmul) + 1:]
        kept = info.matmul.out_args[:1]
        if kept and kept[0] >= 0 and all(kept[0] not in op.out_args for op in after):
            # the product is itself a result of the kernel (written to an argument no later op writes): it
            # must be stored whole, so the chain cannot live in the epilogue's tiles (the fuse leaves the
            # matmul outside and the schedule fails to apply); the packed matmul takes it
            return False
        if info.sums_widened and any(op.name != "linalg.fill" for op in info.ops[:info.ops.index(info.matmul)]):
            # a half C += A B, its sums widened to f32 (wide_sums.py: C extended into an f32 buffer, the matmul,
            # the buffer rounded into C): the fuse finds two payloads for one tile; the packed matmul takes it
            return False
        # an epilogue to fuse, every op of it 2-d over C (no transposes, no reductions)
        return bool(after) and all(len(op.iterators) == 2 for op in info.ops if op is not info.matmul)

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # the epilogue costs nothing extra (C written once); measured 1.25x the packed matmul on a
        # 256 x 512 x 256 dense layer, where B's k x nc block fits L2
        _, n, k = info.mnk
        if any(info.matmul.layout or ()):
            # B (or A) stored transposed, as torch's Linear has its weight: read as stored, unpacked, each
            # vector of B gathers (measured 9.3x over naive on torch_linear_relu, the packed matmul 51x)
            return 0.05
        fits = k * 2 * register_tile(info, host)[1] * info.element_bits // 8 <= caches().l2
        return (0.7 if fits else 0.4) * min(1.0, k / 64) * model.fill(n, lanes(info, host))

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        m, n, k = info.mnk
        vl = lanes(info, host)
        mr, _ = register_tile(info, host)
        t = self.threads if self.threads is not None else self.start(info, host)["threads"]
        return (
            *register_tile_knobs(info, host),
            Knob("mc", 1, max(m, mr + 2), log=True),
            Knob("nc", vl, max(n, 2 * vl), log=True),
            Knob("kt", 1, max(1, min(k, 8))),
            *((Knob.of("threads", _divisors(m, max(host.cores, t))),) if t > 1 else ()),
        )

    def seeds(self, info: KernelInfo, host: Host) -> list[dict[str, int]]:
        return register_tile_seeds(self.fitted(info, host).knobs(), host, info.mnk[0])

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        m, n, k = info.mnk
        c = caches()
        eb = info.element_bits // 8
        mr, nr = register_tile(info, host)
        # B is not packed: a k x nc block of it, read by every row tile of the block, stays in half of L2;
        # the mr rows of A a register tile reads stay in L1 across the block's nc / nr tiles (on znver1 at
        # 256x256x512: nc = 128 measured 6% faster than 64). kt = 1: unrolling k 4 or 8 times measured
        # 10-25% slower there.
        nc = max(nr, min(n // nr * nr, c.l2 // 2 // (k * eb) // nr * nr))
        mc = max(mr, min(m, 64) // mr * mr)
        return {"mc": mc, "nc": nc, "mr": mr, "nr": nr, "kt": 1,
                "threads": max(_divisors(m, host.cores)) if contraction_worth_splitting(info, host) else 1}

    def render(self, info: KernelInfo, host: Host) -> str:
        split, names = parts.split("%ops", len(info.ops), "op")
        threads = ""
        if self.threads is not None and self.threads > 1:  # 1 thread: no forall at all, the serial script exactly
            threads = "\n" + parts.distribute(names[-1], 2, 0, self.knob("threads"), "lp") + parts.fill(
                INTO, PRODUCERS=", ".join(names[:-1]), ANY=ANY, FUNC=parts.func("%f0"), CANON=parts.canonicalize("%f0"))
        body = parts.fill(
            BODY, **{k: v for k, v in self.placeholders().items() if k != "threads"}, ANY=ANY, SPLIT=split,
            LAST=names[-1], THREADS=threads, TILED="%lp" if threads else names[-1],
            SWEEP=parts.fill(SWEEP, FUNC=parts.func("%f0s"), F="%f0s", ANY=ANY) if threads else "",
            PEEL_NC=parts.peel("%l1#1", "pn"), PEEL_MC=parts.peel("%l1#0", "pm"),
            PEEL_NR=parts.peel("%l2#1", "qn"), PEEL_MR=parts.peel("%l2#0", "qm"), PEEL_KT=parts.peel("%l3", "pk"),
            FUNC1=parts.func("%f1"), FUNC2=parts.func("%f2"), FUNC3=parts.func("%f3"),
            CANON1=parts.canonicalize("%f1"), CANON2=parts.canonicalize("%f2"), CANON3=parts.canonicalize("%f3"),
            CONTRACT=parts.to_contract("%f3"), FOLD=parts.fill(FOLD, ANY=ANY), HOIST=parts.hoist("%f3"))
        return self.module(body + parts.bufferize_and_lower())


def _divisors(rows: int, cap: int) -> tuple[int, ...]:
    """Thread counts that split `rows` into equal chunks, up to `cap`."""
    return tuple(d for d in range(1, max(1, cap) + 1) if rows % d == 0)
