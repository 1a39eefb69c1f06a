"""Matmul with B packed into contiguous panels, cache blocking and a register micro-kernel (GotoBLAS).

Tensor payload. The matmul (`linalg.matmul`, or a generic contraction whose A or B is stored transposed,
A[k, i] or B[j, k]) is packed along n by `nr` (a multiple of the vector width):
B[K,N] -> Bp[N/nr, K, nr] (an explicit copy, tiled and vectorised, padded with zeros where nr does not
divide N; from B[N, K] the same copy transposes `kb` x `nr` blocks), C[M,N] -> Cp[M, N/nr, nr] (a reshape when nr divides N). The packed contraction is interchanged
to (n-panel, k, m, n-in-panel), tiled for the caches (`ncr` panels x `kc` x `mc`), then into `mr` x `nr`
register tiles with a k loop of step 1; the accumulator tile is hoisted out of the k loop, so the inner loop
is `mr` broadcasts, `nr/lanes` contiguous loads of the panel and `mr*nr/lanes` FMAs. Loops whose trip does
not divide are peeled, so every full tile has static sizes. Fill and elementwise consumers of a chain
(matmul + bias + relu) are vectorised in place, row by row.
A batched contraction (`linalg.batch_matmul`, a generic with leading batch loops) is tiled by 1 along its
batch loops and the unit dims folded away (MLIR's `fold_unit_extent_dims_via_slices`), so each batch element
is the plain matmul above; its `threads` split the first batch loop instead (8x128x128x64 on 2 cores, one
process: 0.125 ms, serial 0.179 ms, the generic register tile 0.263 ms).
With `threads` > 1 the n-panels are first split into that many contiguous chunks, one task each on MLIR's
async runtime (whole panels: no thread gets a partial one; each reads all of A and its own panels of B and
C, as BLIS splits its jc loop), and B's panels are packed in as many chunks; the chain's elementwise ops stay
serial.
"""

from __future__ import annotations

from dataclasses import dataclass

from neurojit.compiler.host import Host

from ..analyze import KernelInfo
from . import model, parts
from .base import (Knob, Schedule, caches, contraction_worth_splitting, divisor_at_most, lanes, register_tile,
                   register_tile_knobs, register_tile_seeds, threads_knob)

ANY = parts.ANY
GEN = '!transform.op<"linalg.generic">'
PACK = '!transform.op<"linalg.pack">'

# `@name` (lower case): a knob; `@NAME`: a fragment or a type (see parts.fill)
BODY = """
@MATCH
  %p = transform.structured.pack %mm packed_sizes = [0, @nr, 0] : (@ANY) -> (@GEN)
  %pb = transform.get_producer_of_operand %p[1] : (@GEN) -> (@PACK)
@PANELS
  %pc = transform.get_producer_of_operand %p2[2] : (@GEN) -> (@PACK)
  %cpad, %cexp, %ctr = transform.structured.lower_pack %pc
      : (@PACK) -> (!transform.op<"tensor.pad">, !transform.op<"tensor.expand_shape">, !transform.op<"linalg.transpose">)
  %uc = transform.get_consumers_of_result %p2[0] : (@GEN) -> (!transform.op<"linalg.unpack">)
  %ue, %utr, %ucol, %usl = transform.structured.lower_unpack %uc : (!transform.op<"linalg.unpack">)
      -> (!transform.op<"tensor.empty">, !transform.op<"linalg.transpose">, !transform.op<"tensor.collapse_shape">, !transform.op<"tensor.extract_slice">)
  // pack B: rows of kb x nr, one masked vector copy each@PACK_THREADS
  %tb, %lb:2 = transform.structured.tile_using_for @PACKED tile_sizes [1, @kb] : (@PACK) -> (@ANY, @ANY, @ANY)
  transform.structured.vectorize %tb vector_sizes [1, @kb, @nr] : @ANY
  // (n-panel, k, m, n-in-panel): cache tiles, then mr x nr register tiles with a k loop of step 1
  %g = transform.structured.interchange %p2 iterator_interchange = [1, 2, 0, 3] : (@GEN) -> @ANY
  transform.annotate %g "nj.micro" : @ANY@THREADS
  %t1, %l1:3 = transform.structured.tile_using_for @TILED tile_sizes [@ncr, @kc, @mc, 0] : (@ANY) -> (@ANY, @ANY, @ANY, @ANY)
@PEEL_MC
@FUNC1
@CANON1
  %gs = transform.structured.match ops{["linalg.generic"]} attributes{nj.micro} in %f1 : (@ANY) -> @ANY
  %t2, %l2:2 = transform.structured.tile_using_for %gs tile_sizes [1, 0, @mr, 0] : (@ANY) -> (@ANY, @ANY, @ANY)
  %t3, %l3 = transform.structured.tile_using_for %t2 tile_sizes [0, 1, 0, 0] : (@ANY) -> (@ANY, @ANY)
@PEEL_MR
@FUNC2
@CANON2
  %mk = transform.structured.match ops{["linalg.generic"]} attributes{nj.micro} in %f2 : (@ANY) -> @ANY
  transform.structured.vectorize %mk : @ANY
@CONTRACT
@HOIST
"""

# B[K, N] packs to [N/nr, K, nr] with its outer dims swapped; B[N, K] packs to that order as it is.
PANELS = """  %p2, %pb2, %ub = transform.structured.pack_transpose %pb with_compute_op(%p) outer_perm = [1, 0]
      : (@PACK, @GEN) -> (@GEN, @PACK, @ANY)
"""
SAME = """  %p2 = transform.cast %p : @GEN to @GEN
  %pb2 = transform.cast %pb : @PACK to @PACK
"""

# With threads: B's panels are packed in as many chunks as the product's, one task each (measured at 512 on 2
# cores: 1.06x over packing them serially; the rest of the kernel's serial part is C's reshapes)
PACK_SPLIT = """  %pba = transform.cast %pb2 : @PACK to @ANY
"""

# Elementwise ops of a chain (fill, bias + relu), vectorised row by row before the matmul is packed.
CHAIN = """
  %ew = transform.merge_handles @NAMES : @ANY
  %tew, %lew:@RANK = transform.structured.tile_using_for %ew tile_sizes [@SIZES] : (@ANY) -> (@ANY, @LOOPS)
  transform.structured.vectorize %tew vector_sizes [@SIZES] : @ANY
"""

# A batched contraction: one batch element at a time (its first batch loop split over `threads` tasks), the
# unit batch dims folded away, so %mm is a plain contraction inside the innermost batch loop.
BATCH = """  %bg = transform.structured.generalize @OP : (@ANY) -> @ANY
@SPLIT
  %bt, %bl:@NB = transform.structured.tile_using_for @TILE tile_sizes [@SIZES] : (@ANY) -> (@ANY, @LOOPS)
  %bf = transform.structured.match ops{["func.func"]} in %root : (@ANY) -> @ANY
  transform.apply_patterns to %bf {
    transform.apply_patterns.linalg.fold_unit_extent_dims_via_slices
  } : @ANY
  %mm = transform.structured.match ops{["linalg.generic"]} in %bl#@LAST : (@ANY) -> @ANY
"""


def _contraction(info: KernelInfo):
    """(the kernel's contraction op, it as a plain matmul-shaped op, its batch loops)."""
    if info.matmul is not None:
        return info.matmul, info.matmul, 0
    op = info.batched
    return (op, op.unbatched, op.batch_dims) if op is not None else (None, None, 0)


def _batch_loops(op, nb: int) -> list[int]:
    """The batch loops that are tiled (by 1): those of more than one element (a unit one makes no loop)."""
    return [d for d in range(nb) if op.extents[d] > 1]


def _mnk(info: KernelInfo) -> tuple[int, int, int] | None:
    _, mm, _ = _contraction(info)
    return tuple(mm.extents) if mm is not None and min(mm.extents) >= 1 else None


@dataclass(frozen=True)
class PackedMatmul(Schedule):
    """Matmul with B packed into contiguous panels, cache blocking and a register micro-kernel (GotoBLAS)."""
    name = "packed_matmul"
    payload = "tensor"

    nr: int | None = None  # register tile: columns (a multiple of the vector width), the packing width
    mr: int | None = None  # register tile: rows
    kc: int | None = None  # cache block along k
    mc: int | None = None  # cache block along m
    ncr: int | None = None  # cache block along n, in panels of nr columns
    kb: int | None = None  # k rows per vector copy when packing B
    threads: int | None = None  # tasks the n-panels are split into (1: serial); starts at the host's cores

    def applies(self, info: KernelInfo) -> bool:
        # integers too: their products and sums are exact in any order (i32 128x96x80: 12.5x over naive, the
        # generic tile 10.4x; i64 8.3x, 6.8x)
        op, mm, nb = _contraction(info)
        if _mnk(info) is None or info.element not in ("f16", "bf16", "f32", "f64", "i32", "i64") or mm.layout is None or op.index_dims:
            return False
        if len(info.ops) == 1:
            return True
        if not info.straight_line or (nb and not _batch_loops(op, nb)):
            return False  # (a batch of one element each way: MLIR's tiling makes no loop to find it in)
        i = info.ops.index(op)  # a chain: fills or maps of C's initial value, then elementwise consumers
        # (the contraction by any name: a linalg.contract after its fill had only the generic tile, 33x against
        # 85x packed)
        chain = (all(o.name == "linalg.fill" or o.is_elementwise for o in info.ops[:i])
                 and all(o.is_elementwise for o in info.ops[i + 1:]))
        # every other op has C's loops (fill of C, elementwise consumers over C)
        return chain and all(len(o.iterators) == nb + 2 for o in info.ops if o is not op)

    def efficiency(self, info: KernelInfo, host: Host) -> float:
        # GotoBLAS-like: ~0.6 of peak measured at 256-1024 on znver4, less when k is too short to amortise
        # the accumulator tile's loads and stores, or n leaves lanes of the panels empty
        _, n, k = _mnk(info)
        return 0.6 * min(1.0, k / 64) * model.fill(n, 2 * lanes(info, host))

    def space(self, info: KernelInfo, host: Host) -> tuple[Knob, ...]:
        self.require(info)
        m, n, k = _mnk(info)
        vl = lanes(info, host)
        return (
            *register_tile_knobs(info, host),
            Knob("kc", 16, max(16, min(k, 1024)), log=True),
            Knob("mc", 8, max(8, min(m, 1024)), log=True),
            Knob("ncr", 1, max(1, -(-n // vl)), log=True),
            Knob("kb", 1, max(1, min(k, 16))),
            *threads_knob(self.threads if self.threads is not None else self.start(info, host)["threads"], host),
        )

    def seeds(self, info: KernelInfo, host: Host) -> list[dict[str, int]]:
        return register_tile_seeds(self.fitted(info, host).knobs(), host, _mnk(info)[0])

    def start(self, info: KernelInfo, host: Host) -> dict[str, int]:
        m, n, k = _mnk(info)
        c = caches()
        eb = info.element_bits // 8
        mr, nr = register_tile(info, host)
        # one kc x nr panel of B in half of L1, or in a sixteenth of L2 if that is longer (a longer k loop
        # loads and stores the accumulator tile less often: kc = 512 ran 1.4x kc = 128 at 1024 on znver4,
        # whose L2 streams the panel at full speed)
        kc = max(16, min(k, max(c.l1 // 2, c.l2 // 16) // (nr * eb)))
        # an mc x kc block of A in an eighth of L2 (measured: 64 beats 252 at 512 and 1024 on znver1,
        # the rest of L2 streams B panels and C tiles)
        mc = max(mr, min(m, c.l2 // 8 // (kc * eb)) // mr * mr)
        ncr = max(1, min(-(-n // nr), c.l3 // 4 // (kc * nr * eb)))  # a kc x nc block of B in L3
        return {"nr": nr, "mr": mr, "kc": kc, "mc": mc, "ncr": ncr, "kb": divisor_at_most(k, 8),
                "threads": min(host.cores, self._tasks(info)) if contraction_worth_splitting(info, host) else 1}

    @staticmethod
    def _tasks(info: KernelInfo) -> int:
        """The most tasks the split loop gives work to: a batch's first loop, else (any number of) n-panels."""
        op, _, nb = _contraction(info)
        return op.extents[_batch_loops(op, nb)[0]] if nb else 1 << 30

    def render(self, info: KernelInfo, host: Host) -> str:
        # one handle per op, so the script fails on a kernel with other ops (no silent no-op: a tensor
        # payload always "changes")
        body, names = parts.each_op(len(info.ops))
        op, mm, nb = _contraction(info)
        i = info.ops.index(op)
        others = names[:i] + names[i + 1:]
        if others:
            rank = nb + 2
            body += parts.fill(CHAIN, NAMES=", ".join(others), ANY=ANY, RANK=rank, LOOPS=", ".join([ANY] * rank),
                               SIZES=", ".join(["1"] * (rank - 1) + [str(2 * lanes(info, host))]))
        _, b_nk = mm.layout
        # 1 thread: no forall at all, the serial script exactly
        parallel = self.threads is not None and self.threads > 1
        split = parallel and not nb  # a batch splits its batch loop instead of the n-panels
        if nb:
            tiled = _batch_loops(op, nb)
            match = parts.fill(
                BATCH, OP=names[i], ANY=ANY, NB=len(tiled), LOOPS=", ".join([ANY] * len(tiled)), LAST=len(tiled) - 1,
                SIZES=", ".join(["1" if d in tiled else "0" for d in range(nb)] + ["0"] * 3),
                SPLIT=parts.distribute("%bg", nb + 3, tiled[0], self.knob("threads"), "bp") if parallel else "",
                TILE="%bp" if parallel else "%bg")
        else:
            match = f"  %mm = transform.cast {names[i]} : {ANY} to {ANY}"
        body += parts.fill(
            BODY, **{k: v for k, v in self.placeholders().items() if k != "threads"}, ANY=ANY, GEN=GEN, PACK=PACK,
            MATCH=match,
            THREADS="\n" + parts.distribute("%g", 4, 0, self.knob("threads"), "gp") if split else "",
            PACK_THREADS=("\n" + parts.fill(PACK_SPLIT, ANY=ANY, PACK=PACK)
                          + parts.distribute("%pba", 2, 0, self.knob("threads"), "bq")
                          + f"  %bqc = transform.cast %bq : {ANY} to {PACK}") if split else "",
            PACKED="%bqc" if split else "%pb2",
            TILED="%gp" if split else "%g",
            PANELS=parts.fill(SAME, GEN=GEN, PACK=PACK) if b_nk else parts.fill(PANELS, ANY=ANY, GEN=GEN, PACK=PACK),
            PEEL_MC=parts.peel("%l1#2", "pm"), PEEL_MR=parts.peel("%l2#1", "pr"),
            FUNC1=parts.func("%f1"), CANON1=parts.canonicalize("%f1"),
            FUNC2=parts.func("%f2"), CANON2=parts.canonicalize("%f2"),
            CONTRACT=parts.to_contract("%f2"), HOIST=parts.hoist("%f2"))
        return self.module(body + parts.bufferize_and_lower())
