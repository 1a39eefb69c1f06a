"""What a kernel computes, as plain data the schedule library and the providers can read.

`analyze(text)` parses the kernel (it must already have passed the evaluator's baseline checks: parsing
happens in this process), generalises named ops to see every linalg op as loops + indexing maps, and
records for each op its name, iterator types, loop extents, element type, and for a reduction the op that
combines each output (its combiner). From that it classifies the kernel: a matmul-like contraction (and its
fill / elementwise consumers: a chain), an elementwise map, a row reduction. A kernel written as plain
`affine`/`scf` loops is described by the linalg ops its loop nests raise to, where they all do
(compiler/raise_linalg.py, `linalg_raised`), else has no ops; `loops` counts its loops.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass

from mlir import ir

from neurojit.compiler.collapse import collapse_reductions
from neurojit.compiler.flops import GENERALIZE, loop_bounds, loop_sizes
from neurojit.compiler.kernel import parse_module, public_funcs, signature_of, walk
from neurojit.compiler.raise_linalg import raise_to_linalg
from neurojit.compiler.linalg_loops import loops_form
from neurojit.compiler.raise_loops import scf_form, sequential_form
from neurojit.compiler.errors import NeuroJITError
from neurojit.compiler.source import read_source
from neurojit.compiler.wide_sums import widen_sums

from .loops import affine_facts
from .scf_nest import ScfLoop, scf_loops

log = logging.getLogger(__name__)


def map_results(m: str) -> list[str]:
    """The result expressions of an affine map's text: "(d0, d1, d2) -> (d0, d2 + d1)" -> ["d0", "d2 + d1"]."""
    rhs = m.split("->", 1)[1].strip()
    exprs, depth, cur = [], 0, ""
    for ch in rhs[rhs.index("(") + 1:rhs.rindex(")")]:
        if ch == "," and depth == 0:
            exprs.append(cur.strip())
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    return exprs + [cur.strip()] if cur.strip() else exprs


# Reduction combiners the vectoriser recognises (linalg's getCombinerOpKind): these may be split into partial
# results per lane and reassociated; any other reduction must keep each output's order of terms.
COMBINERS = frozenset({
    "arith.addf", "arith.addi", "arith.mulf", "arith.muli", "arith.andi", "arith.ori", "arith.xori",
    "arith.maximumf", "arith.minimumf", "arith.maxnumf", "arith.minnumf",
    "arith.maxsi", "arith.minsi", "arith.maxui", "arith.minui"})


@dataclass(frozen=True)
class OpInfo:
    """One linalg op of the public function, in program order."""
    name: str  # as written: linalg.matmul, linalg.fill, linalg.generic, ...
    iterators: tuple[str, ...]  # "parallel" / "reduction" per loop (empty for ops without loops)
    extents: tuple[int, ...]  # loop extents, -1 where no operand gives one
    element: str  # element type of the first output: f32, f64, i32, i64
    maps: tuple[str, ...]  # indexing maps as text, inputs then outputs
    body: tuple[str, ...]  # op names in the body (arith.mulf, ...)
    outputs: int = 1  # how many of the maps (the last ones) are outputs
    # per output, the body op that folds the output's running value with the new term (arith.addf, ...), ""
    # where the yielded value is not one op applied to the output and a term (argmax's select pair)
    combiners: tuple[str, ...] = ()
    # per output, the public function's argument it writes (-1: a local buffer, or not known)
    out_args: tuple[int, ...] = ()
    # the loops whose index its body reads (`linalg.index`: an argmax's position along its reduction): a schedule
    # that packs one of them (transform.structured.pack) renumbers it under the body (seen: a row sum plus its
    # row number, raised from loops, packed along the rows, wrong)
    index_dims: tuple[int, ...] = ()

    @property
    def reductions(self) -> int:
        return sum(1 for k in self.iterators if k == "reduction")

    @property
    def is_elementwise(self) -> bool:
        return bool(self.iterators) and self.reductions == 0 and self.name != "linalg.fill"

    @property
    def inputs(self) -> int:
        return len(self.maps) - self.outputs

    @property
    def reducible(self) -> bool:
        """A reduction that vector code may reassociate: one output, folded by a combiner the vectoriser knows
        (partial results per lane, combined at the end)."""
        return (self.reductions > 0 and self.outputs == 1 and len(self.combiners) == 1
                and self.combiners[0] in COMBINERS)

    @property
    def is_contraction(self) -> bool:
        """A matmul-shaped contraction: 2 parallel + 1 reduction loops, a multiply-accumulate body (a
        linalg.matmul, a generic, a linalg.contract: told by its loops and maps, not its name)."""
        if self.name in ("linalg.matmul",):
            return True
        return (len(self.iterators) == 3 and self.reductions == 1
                and any("mul" in b for b in self.body) and any("add" in b for b in self.body)
                and len(self.maps) == 3 and self._splits_loops())

    def _splits_loops(self) -> bool:
        """Each input indexes the reduction loop and one of the two parallel loops, each a different one (A[i, k],
        B[k, j] in any order): not a sum of squared deviations, (x[i, j, k] - m[i, j])^2, which has the same
        loops, body ops and number of maps (a GroupNorm's variance was taken for a matmul)."""
        red = f"d{self.iterators.index('reduction')}"
        ins = [map_results(m) for m in self.maps[:2]]
        if any(len(r) != 2 or red not in r or not all(re.fullmatch(r"d\d+", x) for x in r) for r in ins):
            return False
        others = {x for r in ins for x in r if x != red}
        return len(others) == 2

    @property
    def layout(self) -> tuple[bool, bool] | None:
        """For a contraction over loops (i, j, k) into C[i, j]: (A stored as A[k, i], B stored as B[j, k]);
        None for any other loop order or operand layout."""
        if not self.is_contraction or self.iterators != ("parallel", "parallel", "reduction") or len(self.maps) != 3:
            return None
        a, b, c = (map_results(m) for m in self.maps)
        if c != ["d0", "d1"] or a not in (["d0", "d2"], ["d2", "d0"]) or b not in (["d2", "d1"], ["d1", "d2"]):
            return None
        return a == ["d2", "d0"], b == ["d1", "d2"]

    @property
    def batch_dims(self) -> int:
        """How many leading loops of a batched matmul-shaped contraction are its batch (linalg.batch_matmul,
        torch's 4-d attention products): parallel loops every operand indexes first, in loop order, around a
        contraction that `unbatched` sees as a plain one; 0 for any other op."""
        n = len(self.iterators) - 3
        if n < 1 or self.is_contraction or len(self.maps) != 3 or self.outputs != 1:
            return 0
        if self.iterators[n:] != ("parallel", "parallel", "reduction") or "reduction" in self.iterators[:n]:
            return 0
        if not (any("mul" in b for b in self.body) and any("add" in b for b in self.body)):
            return 0
        batch = [f"d{i}" for i in range(n)]
        for m in self.maps:
            res = map_results(m)
            if res[:n] != batch or any(re.search(rf"\bd{i}\b", r) for r in res[n:] for i in range(n)):
                return 0
        return n if self.unbatched.layout is not None else 0

    @property
    def unbatched(self) -> "OpInfo":
        """A batched contraction's one batch element: its last three loops, the maps without the batch."""
        n = len(self.iterators) - 3
        dims = ", ".join(f"d{i}" for i in range(3))

        def inner(m: str) -> str:
            res = [re.sub(r"\bd(\d+)\b", lambda g: f"d{int(g.group(1)) - n}", r) for r in map_results(m)[n:]]
            return f"({dims}) -> ({', '.join(res)})"
        return OpInfo("linalg.generic", self.iterators[n:], self.extents[n:], self.element,
                      tuple(inner(m) for m in self.maps), self.body, self.outputs, self.combiners)

    @property
    def is_row_reduction(self) -> bool:
        """Innermost loop reduced, the others parallel (row sum / max, a matrix-vector product, a dot product
        with a 0-d output), and every input that the reduction indexes is contiguous along it (not a batched
        matmul's B)."""
        if not (len(self.iterators) >= 1 and self.iterators[-1] == "reduction" and self.reductions == 1
                and not self.is_contraction and not self.batch_dims):  # (batched: the packed matmul's)
            return False
        if any(not re.fullmatch(r"d\d+", r) for m in self.maps[self.inputs:] for r in map_results(m)):
            # an output indexed by a constant (torch-mlir's keepdim form, (d0, d1) -> (d0, 0)): MLIR's
            # reduction tiling asserts on it (SIGABRT in the worker); the generic register tile takes it
            return False
        red = f"d{len(self.iterators) - 1}"
        for m in self.maps[:-1]:
            res = map_results(m)
            if any(re.search(rf"\b{red}\b", r) for r in res) and res[-1] != red:
                return False
        return True


@dataclass(frozen=True)
class KernelInfo:
    """A kernel's public function, classified for schedule selection."""
    name: str  # the public function's name
    ops: tuple[OpInfo, ...]
    arg_shapes: tuple[tuple[int, ...], ...]
    arg_dtypes: tuple[str, ...]
    local_buffers: int  # memref.alloc / memref.alloca in the public function
    straight_line: bool  # only linalg ops (+ constants, allocs, deallocs, reshaping views) in the body
    loops: int = 0  # affine.for / scf.for / affine.parallel / scf.parallel ops in the public function
    affine: bool = False  # every loop is an affine.for, or raised to one (`scf_raised`): MLIR's affine passes apply
    loop_widths: tuple[int, ...] = ()  # vector sizes the affine super-vectoriser may use and vectorises at
    parallel_loops: int = 0  # affine loops proved parallel and worth spreading over cores (loops.spread_loops)
    scf_loops: tuple[ScfLoop, ...] = ()  # the scf.for loops, where every loop is one (scf_nest.scf_loops)
    # per loop affine-parallelize proves parallel (program order): whether spreading it pays (loops.spread_loops)
    spread: tuple[bool, ...] = ()
    # its loops are scf.for of constant bounds, seen (`affine`, `loop_widths`, `spread`) as the affine.for they
    # are once raised: an affine schedule asks for that payload (compiler/raise_loops.py)
    scf_raised: bool = False
    # some affine loop's trip count no vector width divides: split into a main loop and the rest (the payload
    # "affine" does that too: compiler/split_loops.py)
    loops_split: bool = False
    # its loops are affine.for, and `scf_loops` describes the scf.for loops they lower to (payload "scf")
    affine_lowered: bool = False
    # its loops raise to linalg ops (compiler/raise_linalg.py), which `ops` describes: a structured schedule asks
    # for that form (`neurojit.loops = "linalg"`); the loop schedules take the loops as written
    linalg_raised: bool = False
    # every loop the super-vectoriser takes (at any of `loop_widths`) is innermost and carries nothing: LLVM's
    # loop vectoriser, which the naive lowering runs, vectorises it as well (loops.vector_widths)
    inner_widths: bool = False
    # some affine loop yields one of its iter_args as it came in: MLIR's unrolling gets it wrong (loops.rotates)
    rotates: bool = False
    # the affine loops to unroll and jam for reuse across rows, as `transform.structured.match` orders the
    # `affine_loops` affine loops of the raised form (inner before outer: loops.row_jams)
    row_jams: tuple[int, ...] = ()
    affine_loops: int = 0
    jam_sums: bool = False  # some of them for the sums their inner loops carry (else for rows they share)
    jam_most: int = 0  # the smallest constant trip count among them: no more copies than that (0: none constant)
    # sums (products) in innermost affine loops whose carried term joins early: summed last, the loop's chain
    # is shorter (compiler/recurrences.py: a Gauss-Seidel sweep, an IIR filter)
    recurrences: int = 0
    # affine loops in which one iteration writes an element every iteration reads (Floyd-Warshall's row k), split
    # there (compiler/alias_split.py), and how many parallel loops of the split kernel are worth spreading
    alias_splits: int = 0
    alias_spread: int = 0
    # loads of arrays that innermost loops read down a column beside a row, which a transposed copy kept in step
    # serves (compiler/mirror.py: nussinov), and how many parallel loops of the mirrored kernel are worth spreading
    mirrored: int = 0
    mirror_spread: int = 0
    # column loops that no statement mixes, run a block of columns at a time inside one loop over the blocks
    # (compiler/column_blocks.py: a triangular solve with many right-hand sides), and how many parallel loops of the
    # blocked kernel are worth spreading
    column_blocks: int = 0
    block_spread: int = 0
    # f16 contractions seen summing into f32 buffers (compiler/wide_sums.py): a structured schedule asks for that
    sums_widened: int = 0

    @property
    def affine_payload(self) -> bool:
        """Whether an affine schedule sees the kernel as the payload "affine" gives it (raised or split)."""
        return self.scf_raised or self.loops_split

    @property
    def matmul(self) -> OpInfo | None:
        found = [op for op in self.ops if op.is_contraction]
        return found[0] if len(found) == 1 else None

    @property
    def batched(self) -> OpInfo | None:
        """The one batched matmul-shaped contraction (`OpInfo.batch_dims`), where the kernel has no plain one."""
        found = [op for op in self.ops if op.batch_dims]
        return found[0] if len(found) == 1 and not any(op.is_contraction for op in self.ops) else None

    @property
    def mnk(self) -> tuple[int, int, int] | None:
        """(M, N, K) of the single matmul-like op, when there is one with known extents."""
        mm = self.matmul
        if mm is None or min(mm.extents) < 1:
            return None
        return mm.extents[0], mm.extents[1], mm.extents[2]

    @property
    def is_matmul(self) -> bool:
        """Exactly one op, a linalg.matmul."""
        return len(self.ops) == 1 and self.ops[0].name == "linalg.matmul"

    @property
    def is_matmul_chain(self) -> bool:
        """fill? -> matmul -> elementwise consumers (e.g. bias + relu), all straight-line."""
        if not self.straight_line or self.matmul is None or self.matmul.name != "linalg.matmul":
            return False
        i = self.ops.index(self.matmul)
        before, after = self.ops[:i], self.ops[i + 1:]
        # before it, fills or maps of C's initial value (newer torch-mlir broadcasts a Linear's bias into it)
        return (all(op.name == "linalg.fill" or op.is_elementwise for op in before)
                and all(op.is_elementwise for op in after) and len(self.ops) > 1)

    @property
    def is_elementwise(self) -> bool:
        return bool(self.ops) and all(op.is_elementwise or op.name == "linalg.fill" for op in self.ops) \
            and any(op.is_elementwise for op in self.ops)

    @property
    def has_row_reduction(self) -> bool:
        return any(op.is_row_reduction for op in self.ops)

    @property
    def is_row_reduction(self) -> bool:
        """Row reductions, fills and elementwise maps only (row_sum, row_softmax)."""
        return self.straight_line and self.has_row_reduction and all(
            op.is_row_reduction or op.is_elementwise or op.name == "linalg.fill" for op in self.ops)

    @property
    def is_loops(self) -> bool:
        """Plain loops (affine / scf) and no linalg op as written (they may raise to some: `linalg_raised`)."""
        return self.loops > 0 and (not self.ops or self.linalg_raised)

    @property
    def element(self) -> str:
        if self.ops:
            return self.ops[0].element
        names = [DTYPES.get(d, d) for d in self.arg_dtypes]
        return ([d for d in names if d.startswith("f")] or names or [""])[0]

    @property
    def element_bits(self) -> int:
        m = re.search(r"(\d+)$", self.element)
        return int(m.group(1)) if m else 32


def _public(module: ir.Module) -> ir.Operation:
    funcs = public_funcs(module)
    if not funcs:
        raise ValueError("no public function")
    return funcs[0]


def _top_linalg(module: ir.Module) -> list[ir.Operation]:
    return [o.operation for o in _public(module).regions[0].blocks[0].operations
            if o.operation.name.startswith("linalg.")]


def analyze(source) -> KernelInfo:
    """Classify a kernel (path or MLIR text) that already passed the baseline checks."""
    src = read_source(source)
    with ir.Context() as ctx, ir.Location.unknown():
        module = parse_module(src.text, src.name, ctx)
        # parallel loops seen as the sequential loops every schedule's payload has, linalg ops inside loops as
        # their loops (a scan over slices: linalg_loops.loops_form)
        if sequential_form(module) | loops_form(module):
            src = dataclasses.replace(src, text=str(module))
        sig = signature_of(module, src.name, src.text)
        func = _public(module)
        collapse_reductions(func)  # (as apply_schedule hands it to a schedule: compiler/collapse.py)
        widened = widen_sums(func)  # f16 sums in f32 (as a structured schedule asks for: compiler/wide_sums.py)
        straight = _straight(func)
        allocs = sum(1 for o in walk(func) if o.name in ALLOCS)
        nest = [o.name for o in walk(func) if o.name in LOOPS]
        affine = bool(nest) and set(nest) == {"affine.for"}
        text = src.text
        # (an scf.while inside is a body the affine passes leave alone: a Newton iteration per element)
        lifted = not affine and bool(nest) and "scf.for" in nest and set(nest) <= {"scf.for", "scf.while"} and not any(
            o.name == "func.call" for o in walk(func)) and all(loop_bounds(o) for o in walk(func) if o.name == "scf.for")
        widths, spread, split, inner, rotating, jams, count, sums, most, chains = (), (), 0, False, False, (), 0, False, 0, 0
        rewrites = (0, 0, 0, 0, 0, 0)
        if lifted or affine:  # seen as the schedule's passes see it: scf loops of constant bounds raised to
            # affine loops, memref accesses with affine indices raised, loops no width divides split (the payload
            # "affine" where that changed the kernel: compiler/raise_loops.affine_form)
            try:
                facts = affine_facts(src.text, src.name)
                text, split, affine = facts["text"], facts["changed"], True
                widths, inner, spread = tuple(facts["widths"]), facts["inner"], tuple(facts["spread"])
                rotating, jams, count = facts["rotates"], tuple(facts["jams"]), facts["affine_loops"]
                sums, most, chains = facts["jam_sums"], facts["jam_most"], facts["recurrences"]
                rewrites = (facts["alias_splits"], facts["alias_spread"], facts["mirrored"], facts["mirror_spread"],
                            facts["column_blocks"], facts["block_spread"])
            except (ir.MLIRError, NeuroJITError) as e:  # an affine pass failed (or crashed) on this kernel: no
                # affine schedule for it
                log.warning("MLIR's affine passes fail on @%s (%s): no affine-loop schedule is proposed", sig.name,
                            e.error_diagnostics[0].message if getattr(e, "error_diagnostics", None) else e)
                widths, spread, split, inner, jams = (), (), 0, False, ()
        scf, lowered = (scf_loops(func) if nest and set(nest) == {"scf.for"} else ()), False
        if not scf and nest and set(nest) == {"affine.for"}:  # seen as the scf loops they lower to (payload "scf")
            low = ir.Module.parse(src.text)
            scf_form(low)
            scf, lowered = scf_loops(_public(low)), True
        linalg_raised = False
        if nest and not _top_linalg(module):  # loops only: seen as the linalg ops they raise to, where they do
            up = ir.Module.parse(src.text)
            if raise_to_linalg(up):
                module, linalg_raised = up, True
                straight, allocs = _straight(_public(module)), sum(
                    1 for o in walk(_public(module)) if o.name in ALLOCS)
        names = [op.name for op in _top_linalg(module)]
        GENERALIZE.run(module)
        ops = []
        for name, op in zip(names, _top_linalg(module)):
            ops.append(_op_info(name, op))
    return KernelInfo(sig.name, tuple(ops), tuple(a.shape for a in sig.args), tuple(a.dtype for a in sig.args),
                      allocs, straight, len(nest), affine, widths, sum(spread), scf, spread, lifted, split > 0,
                      lowered, linalg_raised, inner, rotating, jams, count, sums, most, chains, *rewrites,
                      sums_widened=widened)


def _straight(func: ir.Operation) -> bool:
    """Only linalg ops (+ constants, allocs, deallocs, reshaping views) in the function's body."""
    return all(o.operation.name.startswith("linalg.") or o.operation.name in (
        *ALLOCS, "arith.constant", "memref.get_global", "memref.dealloc", "func.return",  # (a constant table)
        "memref.collapse_shape", "memref.expand_shape",  # views: unit dims folded away
        "memref.subview") for o in func.regions[0].blocks[0].operations)  # a padded input's interior


DTYPES = {"float32": "f32", "float64": "f64", "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
          "float16": "f16"}
# a scratch buffer on the heap or the stack (LLaMA's RMSNorm as a memref kernel: its row sums in an alloca had only
# the generic register tile, 0.55x naive; rowwise_fused 4.8x with an alloc)
ALLOCS = ("memref.alloc", "memref.alloca")
LOOPS = ("affine.for", "affine.parallel", "scf.for", "scf.parallel", "scf.while", "scf.forall")


def _op_info(name: str, op: ir.Operation) -> OpInfo:
    outs = [v for v in op.operands][-1]
    elem = str(getattr(outs.type.maybe_downcast(), "element_type", outs.type))
    if "iterator_types" not in op.attributes:  # ops generalisation leaves as they are (none today)
        return OpInfo(name, (), (), elem, (), ())
    kinds = tuple(re.sub(r".*<(\w+)>.*", r"\1", str(x)) for x in ir.ArrayAttr(op.attributes["iterator_types"]))
    sizes = loop_sizes(op)
    extents = tuple(sizes.get(d, -1) for d in range(len(kinds)))
    maps = tuple(str(ir.AffineMapAttr(m).value) for m in ir.ArrayAttr(op.attributes["indexing_maps"]))
    block = op.regions[0].blocks[0]
    body = tuple(inner.operation.name for inner in block.operations)
    return OpInfo(name, kinds, extents, elem, maps, body, _outs(op), _combiners(block, _outs(op)),
                  tuple(_arg_number(v) for v in list(op.operands)[len(op.operands) - _outs(op):]),
                  tuple(sorted({ir.IntegerAttr(o.attributes["dim"]).value for o in walk(op)
                                if o.name == "linalg.index"})))


def _arg_number(value: ir.Value) -> int:
    """The index of the public function's argument `value` is, -1 for any other value."""
    if isinstance(value, ir.BlockArgument) and value.owner.owner.operation.name == "func.func":
        return value.arg_number
    return -1


def _outs(op: ir.Operation) -> int:
    if "operandSegmentSizes" not in op.attributes:
        return 1
    return int(list(ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"]))[1])


def _combiners(block: ir.Block, n_out: int) -> tuple[str, ...]:
    """Per output, the op that yields its new value from the output's block argument and one other value
    that does not depend on it ("" where there is no such op)."""
    args = list(block.arguments)
    outs = args[len(args) - n_out:]
    ops = [o.operation for o in block.operations]
    yielded = list(ops[-1].operands) if ops and ops[-1].name == "linalg.yield" else []
    found = []
    for acc, value in zip(outs, yielded):
        owner = _producer(value)
        name = ""
        if owner is not None and len(owner.operands) == 2:
            a, b = owner.operands
            if (a == acc) != (b == acc) and not _depends_on(b if a == acc else a, acc):
                name = owner.name
        found.append(name)
    return tuple(found)


def _producer(value: ir.Value) -> ir.Operation | None:
    """The op that defines `value`, None for a block argument."""
    owner = value.owner
    if isinstance(owner, ir.Block):
        return None
    return owner.operation if hasattr(owner, "operation") else owner


def _depends_on(value: ir.Value, arg: ir.Value) -> bool:
    """Whether `value` is computed (within the block) from `arg`."""
    todo, seen = [value], set()
    while todo:
        v = todo.pop()
        if v == arg:
            return True
        op = _producer(v)
        if op is None or id(op) in seen:
            continue
        seen.add(id(op))
        todo.extend(op.operands)
    return False
