"""Transform-dialect schedules with knobs, applied to a kernel before lowering.

A schedule is an MLIR module holding `transform.named_sequence @__transform_main`. Knobs are named
integer placeholders in its text, `${name}` or `${name:default}`, so that any integer in the script (a
tile size, an unroll factor, a vector size) can be tuned; `substitute` fills them in. MLIR's own tunables
are knobs too (`neurojit.compiler.tune`): a `transform.tune.knob` (its value one of its integer options)
and a `transform.tune.alternatives` (its value a region's index); `substitute` sets their selection.

Payload form. By default the schedule sees the kernel as written (linalg ops on memrefs). A schedule
module carrying the attribute `neurojit.payload = "tensor"`, e.g.

    module attributes {transform.with_named_sequence, neurojit.payload = "tensor"} { ... }

sees the public function in tensor form instead (`tensorize.tensorize`: every memref argument read
through `bufferization.to_tensor ... restrict`, the linalg ops chained as tensor values, results written
back with `bufferization.materialize_in_destination`), which is what hoisting, packing and fusion need.
After the script, whatever is still in tensor form is bufferized and every buffer the schedule allocated
is freed at the end of its block (`tensorize.bufferize`); the script may also bufferize itself
(`transform.bufferization.one_shot_bufferize`) when it wants to run patterns on the memref form.
With `neurojit.payload = "affine"` the script sees the kernel's `scf.for` loops of constant bounds raised to
`affine.for` (`raise_loops.raise_scf_loops`: MLIR has no such pass), so MLIR's affine passes can run on them,
its loads and stores made affine where they are, and loops whose trip count no vector width divides split into
a main loop one does and the rest unrolled (`raise_loops.affine_form`, compiler/split_loops.py). With
`neurojit.payload = "scf"` it sees a kernel's affine loops lowered to `scf.for` (`lower-affine`), for the loop
transforms that take only scf loops (`transform.loop.unroll_and_jam`).

Independently of the payload, `neurojit.loops = "linalg"` has the kernel's loop nests raised to the linalg ops
they are first (`raise_linalg.raise_to_linalg`: a PolyBench matmul becomes a fill and a `linalg.matmul`), so
that a structured schedule (and the tensor payload) can take a kernel written as loops; a kernel whose loops do
not all raise is a schedule error. `neurojit.split = "aliases"` has every affine loop in which one iteration writes
an element all of them read (Floyd-Warshall's row k, a pivot) split at that iteration first
(compiler/alias_split.py), so that the script's passes see pieces that do not alias. `neurojit.mirror =
"columns"` has every argument that an innermost loop reads down a column beside a row read there through a
transposed copy kept in step with it (compiler/mirror.py: nussinov's table[k + 1][j] over k), after the payload
form (whose sums kept in array elements are then carried by their loops). `neurojit.columns = "blocks"` has a
function whose columns no statement mixes run a block of columns at a time inside one loop over the blocks, which
the script may spread (compiler/column_blocks.py: a triangular solve with many right-hand sides).
`neurojit.accumulate = "f32"` has each matmul-family op on f16 operands into an f16 output sum into an f32
buffer, rounded into the output once (compiler/wide_sums.py: f16 BLAS libraries' accumulation). `neurojit.collapse = "reductions"` has
every linalg op that reduces over several trailing dims (an InstanceNorm's statistics over h and w) read its
inputs through collapsed views and reduce over one dim (compiler/collapse.py), as the schedule library's
analysis sees such a kernel (agent/analyze.py): the library's row reductions take one reduced dim.

Marks a script may set with `transform.annotate`, which the compiler acts on: `neurojit.reassociate` on affine
loops (after the script: each sum the loop carries a value into rebuilt with that value last, and with
`neurojit.reciprocal` = 1 its divisions by loop-invariant values flagged `arcp`: compiler/recurrences.py),
`neurojit.approximate` on math ops (polynomials in the lowering: compiler/approx.py), `neurojit.threads` on
parallel loops (compiler/tasks.py). A kernel's private helper functions are set aside while the script runs.
"""

from __future__ import annotations

import contextlib
import re

from mlir import ir, passmanager
from mlir.dialects.transform import interpreter

from .errors import ScheduleError
from .accumulators import negative_zero_starts
from .collapse import collapse_reductions
from .kernel import parse_module, public_funcs
from .pipeline import CLEANUP
from .copies import chunk_copies
from .linalg_loops import loops_form
from .raise_loops import sequential_form
from .recurrences import reassociate
from .in_bounds import mark_in_bounds
from .tensorize import bufferize, tensorize
from .tune import select, tunables_of
from .wide_sums import widen_sums

KNOB = re.compile(r"\$\{([A-Za-z_]\w*)(?::(-?\d+))?\}")
ENTRY = "__transform_main"
PAYLOAD_ATTR = "neurojit.payload"
PAYLOADS = ("memref", "tensor", "affine", "scf")
LOOPS_ATTR = "neurojit.loops"
COLLAPSE_ATTR = "neurojit.collapse"  # = "reductions": the schedule sees reductions over trailing dims collapsed
SPLIT_ATTR = "neurojit.split"
MIRROR_ATTR = "neurojit.mirror"
COLUMNS_ATTR = "neurojit.columns"
ACCUMULATE_ATTR = "neurojit.accumulate"  # = "f32": f16 contractions sum into f32 buffers (compiler/wide_sums.py)


def knobs_of(schedule: str) -> dict[str, int | None]:
    """Knob names in order of first appearance, with their defaults (None when the text gives none): the
    `${name:default}` placeholders, then MLIR's tune.knob / tune.alternatives ops (their selection)."""
    found: dict[str, int | None] = {}
    for m in KNOB.finditer(schedule):
        default = int(m.group(2)) if m.group(2) is not None else None
        if found.get(m.group(1)) is None:
            found[m.group(1)] = default
    for name, t in tunables_of(schedule).items():
        if found.get(name) is None:
            found[name] = t.default
    return found


def substitute(schedule: str, knobs: dict[str, int] | None = None) -> str:
    """Replace every knob by its value (given, else its default); a tune.knob / tune.alternatives gets the
    value as its selection."""
    knobs = dict(knobs or {})
    declared = knobs_of(schedule)
    unknown = sorted(set(knobs) - set(declared))
    if unknown:
        raise ScheduleError(f"schedule has no knob(s) {', '.join(unknown)}; it has: {', '.join(declared) or 'none'}")
    values = {k: knobs.get(k, d) for k, d in declared.items()}
    missing = [k for k, v in values.items() if v is None]
    if missing:
        raise ScheduleError(f"schedule knob(s) {', '.join(missing)} need a value (no default given)")
    text = KNOB.sub(lambda m: str(int(values[m.group(1)])), schedule)
    return select(text, {k: v for k, v in values.items() if k in tunables_of(text)})


def apply_schedule(payload: ir.Module, schedule: str, knobs: dict[str, int] | None = None,
                   origin: str = "<schedule>") -> None:
    """Apply `schedule` (with knob values) to `payload` in place, then canonicalize and CSE."""
    text = substitute(schedule, knobs)
    try:
        script = parse_module(text, origin, payload.context)
    except Exception as e:  # a KernelError about the script is a schedule error for the caller
        raise ScheduleError(f"schedule does not parse: {e}") from None
    entry = None
    for op in script.body.operations:
        op = op.operation
        if op.name == "transform.named_sequence" and ir.StringAttr(op.attributes["sym_name"]).value == ENTRY:
            entry = op
    if entry is None:
        raise ScheduleError(f"{origin}: has no transform.named_sequence @{ENTRY}")
    if "transform.with_named_sequence" not in script.operation.attributes:
        script.operation.attributes["transform.with_named_sequence"] = ir.UnitAttr.get(payload.context)
    form = _payload_form(script, origin)
    sequential_form(payload)  # parallel loops as sequential ones: what the kernel's analysis saw
    loops_form(payload)  # linalg ops inside loops as their loops (a scan over slices): likewise
    if COLLAPSE_ATTR in script.operation.attributes:  # reductions over trailing dims as one over a view
        if str(script.operation.attributes[COLLAPSE_ATTR]) != '"reductions"':
            raise ScheduleError(f'{origin}: {COLLAPSE_ATTR} must be "reductions", got '
                                f'{script.operation.attributes[COLLAPSE_ATTR]}')
        for func in public_funcs(payload):
            collapse_reductions(func)
    widened = 0
    if ACCUMULATE_ATTR in script.operation.attributes:
        if str(script.operation.attributes[ACCUMULATE_ATTR]) != '"f32"':
            raise ScheduleError(f'{origin}: {ACCUMULATE_ATTR} must be "f32", got '
                                f'{script.operation.attributes[ACCUMULATE_ATTR]}')
        widened = sum(widen_sums(func) for func in public_funcs(payload))
    if LOOPS_ATTR in script.operation.attributes:
        _raise_loops(payload, script.operation.attributes[LOOPS_ATTR], origin)
    if form == "tensor":
        tensorize(payload)
    elif form == "affine":
        from .raise_loops import affine_form  # only this payload needs it
        affine_form(payload)
    elif form == "scf":  # affine loops lowered to the scf loops they are (what scf's loop transforms take)
        from .raise_loops import scf_form
        scf_form(payload)
    split = SPLIT_ATTR in script.operation.attributes and _split_loops(
        payload, script.operation.attributes[SPLIT_ATTR], origin)
    mirrored = MIRROR_ATTR in script.operation.attributes and _mirror_columns(
        payload, script.operation.attributes[MIRROR_ATTR], origin)
    blocked = COLUMNS_ATTR in script.operation.attributes and _block_columns(
        payload, script.operation.attributes[COLUMNS_ATTR], origin)
    chunk_copies(payload)  # a whole-buffer copy vectorised at once does not compile (copies.py)
    with _helpers_aside(payload):
        before = str(payload)
        try:
            interpreter.apply_named_sequence(payload.operation, entry, script)
        except ValueError as e:  # some bindings versions raise this instead of MLIRError
            raise ScheduleError(f"{origin}: schedule failed to apply: {e}") from None
        except ir.MLIRError as e:
            diags = list(e.error_diagnostics)
            msg = diags[0].message if diags else e.message
            loc = re.search(r'loc\("[^"]*":(\d+):(\d+)\)', str(diags[0].location)) if diags else None
            where = f"{origin}:{loc.group(1)}:{loc.group(2)}: " if loc else f"{origin}: "
            raise ScheduleError(f"{where}schedule failed to apply: {msg}") from None
        changed = str(payload) != before or split or mirrored or blocked or widened
    if form == "affine":  # the super-vectoriser's sums start from -0.0, the neutral element (accumulators.py)
        negative_zero_starts(payload)
    reassociate(payload)  # sums in loops the script marked: what the loop carries joins last (recurrences.py)
    try:
        payload.operation.verify()
    except ir.MLIRError as e:
        raise ScheduleError(f"{origin}: schedule produced invalid IR: {e.message}") from None
    # A match that finds nothing yields an empty handle and every transform on it is a no-op: a schedule
    # that leaves the kernel unchanged did not apply to it.
    if not changed:
        raise ScheduleError(f"{origin}: schedule changed nothing (do its matches find ops in this kernel?)")
    if form == "tensor":
        bufferize(payload)
    mark_in_bounds(payload)  # vector transfers the loops keep inside their memref: plain loads and stores
    CLEANUP.run(payload)


@contextlib.contextmanager
def _helpers_aside(payload: ir.Module):
    """While the script runs, the kernel's private helper functions are set aside: a script is written for
    the public function (`match ops{["func.func"]}` must find one function, a match of linalg ops or loops in
    the module must find that function's), and the helpers are lowered as written. They go back after, at the
    module's end (the module is verified then: its calls to them resolve again)."""
    aside = [o.operation for o in payload.body.operations
             if o.operation.name == "func.func" and "sym_visibility" in o.operation.attributes]
    for op in aside:
        op.detach_from_parent()
    try:
        yield
    finally:
        for op in aside:
            ir.InsertionPoint(payload.body).insert(op)


def _expect(attr: ir.Attribute, name: str, want: str, origin: str) -> None:
    """A schedule's module attribute `name` takes the one string `want`; anything else is the schedule's error."""
    value = ir.StringAttr(attr).value if isinstance(attr, ir.StringAttr) else str(attr)
    if value != want:
        raise ScheduleError(f'{origin}: {name} must be "{want}", got {attr}')


def _raise_loops(payload: ir.Module, attr: ir.Attribute, origin: str) -> None:
    _expect(attr, LOOPS_ATTR, "linalg", origin)
    from .raise_linalg import raise_to_linalg  # only this attribute needs it
    if not raise_to_linalg(payload):
        raise ScheduleError(f"{origin}: {LOOPS_ATTR} = \"linalg\": the kernel's loops do not all raise to linalg "
                            "ops (compiler/raise_linalg.py says which nests do)")


def _split_loops(payload: ir.Module, attr: ir.Attribute, origin: str) -> bool:
    _expect(attr, SPLIT_ATTR, "aliases", origin)
    from .alias_split import split_at_aliases  # only this attribute needs it
    passmanager.PassManager.parse("builtin.module(func.func(affine-raise-from-memref))", payload.context).run(
        payload.operation)
    if not split_at_aliases(payload):
        raise ScheduleError(f'{origin}: {SPLIT_ATTR} = "aliases": no loop of the kernel reads an element one of its '
                            "iterations writes (compiler/alias_split.py)")
    return True


def _mirror_columns(payload: ir.Module, attr: ir.Attribute, origin: str) -> bool:
    from .mirror import mirror_columns  # only this attribute needs it
    return _rewritten(payload, attr, origin, MIRROR_ATTR, "columns", mirror_columns,
                      "no innermost loop reads an argument down a column beside a row (compiler/mirror.py)")


def _block_columns(payload: ir.Module, attr: ir.Attribute, origin: str) -> bool:
    from .column_blocks import block_columns  # only this attribute needs it
    return _rewritten(payload, attr, origin, COLUMNS_ATTR, "blocks", block_columns,
                      "the kernel has no columns that no statement mixes (compiler/column_blocks.py)")


def _rewritten(payload: ir.Module, attr: ir.Attribute, origin: str, name: str, value: str, rewrite, why: str) -> bool:
    """A compiler rewrite of the loops a schedule's attribute `name` = `value` asks for, done; a ScheduleError
    saying `why` where the kernel has nothing it rewrites."""
    _expect(attr, name, value, origin)
    if not rewrite(payload):
        raise ScheduleError(f'{origin}: {name} = "{value}": {why}')
    return True


def _payload_form(script: ir.Module, origin: str) -> str:
    attrs = script.operation.attributes
    if PAYLOAD_ATTR not in attrs:
        return "memref"
    attr = attrs[PAYLOAD_ATTR]
    form = ir.StringAttr(attr).value if isinstance(attr, ir.StringAttr) else str(attr)
    if form not in PAYLOADS:
        raise ScheduleError(f'{origin}: {PAYLOAD_ATTR} must be one of {", ".join(PAYLOADS)}, got {attr}')
    return form
