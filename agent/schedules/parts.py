"""Transform-script fragments shared by the schedules (text, since schedules are text)."""

from __future__ import annotations

import string

from neurojit.compiler.approx import MARK as APPROX_MARK, OPS as APPROX_OPS  # read by the lowering (approx.py)
from neurojit.compiler.pipeline import THREADS_ATTR  # read by the lowering (threads_of)

ANY = "!transform.any_op"
PARAM = "!transform.param<i64>"  # a tune.knob's value


class _Template(string.Template):
    delimiter = "@"  # `$` would read as the knobs' own `${name:value}`; `@` is free in the scripts' bodies


def fill(template: str, **values: object) -> str:
    """`template` with each `@NAME` replaced by `values[NAME]` (a fragment loses its trailing newline: it
    stands on its own line of the template, which ends it). Every name must be given and every value used,
    so a fragment renamed on one side and not the other fails here, not as a script the compiler rejects."""
    t = _Template(template)
    wanted = set(t.get_identifiers())
    missing, unused = sorted(wanted - set(values)), sorted(set(values) - wanted)
    if missing or unused:
        raise ValueError(f"template names {missing} have no value; values {unused} have no @NAME in the template")
    return t.substitute({k: str(v).rstrip("\n") for k, v in values.items()})


def func(name: str, within: str = "%root") -> str:
    return f'  {name} = transform.structured.match ops{{["func.func"]}} in {within} : ({ANY}) -> {ANY}\n'


def canonicalize(handle: str) -> str:
    return (f"  transform.apply_patterns to {handle} {{\n    transform.apply_patterns.canonicalization\n"
            f"  }} : {ANY}\n  transform.apply_cse to {handle} : {ANY}\n")


def to_contract(handle: str) -> str:
    """After `structured.vectorize`: broadcasts folded into transfers, mul + reduce into vector.contract."""
    return (f"  transform.apply_patterns to {handle} {{\n"
            "    transform.apply_patterns.vector.transfer_permutation_patterns\n"
            "    transform.apply_patterns.vector.reduction_to_contract\n"
            "    transform.apply_patterns.canonicalization\n"
            f"  }} : {ANY}\n  transform.apply_cse to {handle} : {ANY}\n")


def hoist(within: str) -> str:
    """Keep loop-invariant tensor subsets (an accumulator tile) in registers across the inner loops."""
    return (f'  %hl = transform.structured.match ops{{["scf.for"]}} in {within} : ({ANY}) -> {ANY}\n'
            f"  transform.loop.hoist_loop_invariant_subsets %hl : {ANY}\n")


def bufferize_and_lower(root: str = "%root", reduction: str = "innerparallel") -> str:
    """The vectorised math marked for the approximation (`approximate_math`), one-shot bufferization (copies as
    linalg.copy: a strided memref.copy would lower to a runtime call), then `lower_vectors`."""
    return approximate_math(root) + bufferize(root) + func("%fb", "%bz") + lower_vectors("%fb", reduction)


def bufferize(root: str = "%root") -> str:
    """One-shot bufferization into `%bz`, masked transfers first made transfers with a mask operand: a
    `vector.mask` region must bufferize in place, and one writing a `tensor.empty` another op writes too (CSE
    makes one of two equal empties: a softmax's max and sum fills on 32 rows, vectorised 64 wide) cannot."""
    return (f"  transform.apply_patterns to {root} {{\n    transform.apply_patterns.vector.lower_masked_transfers\n"
            f"  }} : {ANY}\n"
            f'  %bz = transform.bufferization.one_shot_bufferize {root} {{memcpy_op = "linalg.copy"}} : ({ANY}) -> {ANY}\n')


def lower_vectors(fb: str = "%fb", reduction: str = "innerparallel") -> str:
    """Vector ops down to what convert-vector-to-llvm takes: contractions as outer products (FMAs on the
    widest vectors), masked and n-d transfers as plain loads and stores."""
    return (f"  transform.apply_patterns to {fb} {{\n"
            "    transform.apply_patterns.vector.lower_masked_transfers\n"
            "    transform.apply_patterns.vector.lower_masks\n"
            '    transform.apply_patterns.vector.lower_contraction lowering_strategy = "outerproduct"\n'
            "    transform.apply_patterns.vector.transfer_permutation_patterns\n"
            f'    transform.apply_patterns.vector.lower_multi_reduction lowering_strategy = "{reduction}"\n'
            '    transform.apply_patterns.vector.split_transfer_full_partial split_transfer_strategy = "linalg-copy"\n'
            "    transform.apply_patterns.vector.transfer_to_scf max_transfer_rank = 1 full_unroll = true\n"
            "    transform.apply_patterns.vector.lower_transfer max_transfer_rank = 1\n"
            '    transform.apply_patterns.vector.lower_transpose lowering_strategy = "shuffle_1d"\n'
            "    transform.apply_patterns.vector.lower_outerproduct\n"
            "    transform.apply_patterns.canonicalization\n"
            f"  }} : {ANY}\n"
            # apart: with canonicalization in the same set, unit-dim shape casts and broadcasts ping-pong
            # with their folders forever (seen on the packed matmul's 1-row tail and on softmax)
            f"  transform.apply_patterns to {fb} {{\n    transform.apply_patterns.vector.lower_shape_cast\n  }} : {ANY}\n"
            f"  transform.apply_patterns to {fb} {{\n    transform.apply_patterns.vector.lower_broadcast\n  }} : {ANY}\n")


def peel(loops: str, tag: str) -> str:
    """Peel the partial last iteration of each loop, if it has one (a divisible loop is left alone), so
    that the full iterations see static tile sizes and vectorise."""
    return (f"  transform.foreach {loops} : {ANY} {{\n"
            f"  ^bb0(%{tag}: {ANY}):\n"
            f"    transform.sequence %{tag} : {ANY} failures(suppress) {{\n"
            f"    ^bb1(%{tag}0: {ANY}):\n"
            f'      %{tag}c = transform.cast %{tag}0 : {ANY} to !transform.op<"scf.for">\n'
            f'      %{tag}m, %{tag}r = transform.loop.peel %{tag}c : (!transform.op<"scf.for">) -> ({ANY}, {ANY})\n'
            "    }\n  }\n")


def tile_vectorize(handle: str, sizes: list[int | str], tag: str) -> str:
    """Tile `handle` by `sizes` (0: not tiled) and vectorise each tile with masks, to the same sizes (a
    `tensor.extract` by computed indices, a gather, as vector gathers or loads: `vectorize_nd_extract`). A size
    may be a param (`%name`, a tune.knob's value). An op without loops (the fill of a 0-d accumulator) has
    nothing to tile or vectorise: it stays as it is."""
    if not sizes:
        return ""
    tiled = [s for s in sizes if s != 0]
    loops = ", ".join([ANY] * len(tiled))
    sz = ", ".join(str(s) for s in sizes)
    vs = ", ".join(str(s if s != 0 else 1) for s in sizes)
    params = "".join(f", {PARAM}" for s in sizes if str(s).startswith("%"))
    return (f"  %{tag}t, %{tag}l:{len(tiled)} = transform.structured.tile_using_for {handle} tile_sizes [{sz}]"
            f" : ({ANY}{params}) -> ({ANY}, {loops})\n"
            f"  transform.structured.vectorize %{tag}t vector_sizes [{vs}] {{vectorize_nd_extract}} : {ANY}{params}\n")


def approximate_math(scope: str = "%root", tag: str = "am") -> str:
    """Mark the math ops under `scope` that the lowering rewrites into vector polynomials (compiler/approx.py:
    exp, log, tanh, erf, sin, cos; else LLVM calls libm once per lane). Matches the ops as they are when it runs, so it
    goes after vectorisation; none there is fine."""
    ops = ", ".join(f'"{o}"' for o in APPROX_OPS)
    return (f"  %{tag} = transform.structured.match ops{{[{ops}]}} in {scope} : ({ANY}) -> {ANY}\n"
            f'  transform.annotate %{tag} "{APPROX_MARK}" : {ANY}\n')


def without_approximation(script: str) -> str:
    """`script` with its math ops left to the math library: every `transform.annotate ... "neurojit.approximate"`
    line dropped (the match before it then finds ops and does nothing with them). The heuristic proposes this
    variant of a schedule whose approximated math was refused (agent/heuristic.py)."""
    mark = f'"{APPROX_MARK}"'
    return "".join(line for line in script.splitlines(keepends=True)
                   if not (line.lstrip().startswith("transform.annotate") and mark in line))


def split(handle: str, n: int, tag: str) -> tuple[str, list[str]]:
    """Split a handle to n ops into n handles, in the order `transform.structured.match` found them (MLIR's
    walk: program order for ops none of which holds another; a loop after the loops inside it, see
    `nest_handles`); the script fails unless it holds exactly n, so a script specialised to one kernel refuses
    another instead of doing nothing."""
    names = [f"%{tag}{i}" for i in range(n)]
    return (f"  {', '.join(names)} = transform.split_handle {handle} {{pass_through_empty_handle = false}} : ({ANY}) -> ({', '.join([ANY] * n)})\n",
            names)


def nest_handles(handle: str, parents: list[int], tag: str) -> tuple[str, list[str]]:
    """Split a handle to a kernel's loops (`transform.structured.match` hands them out as MLIR's walk visits
    them: each loop after the loops inside it) into one handle per loop, listed in program order (outer before
    inner, as an analysis walking from the top finds them): `parents[i]` is the index of loop i's enclosing loop
    in that order, -1 at the top."""
    order = []

    def visit(i: int) -> None:
        for child in (c for c, p in enumerate(parents) if p == i):
            visit(child)
        if i >= 0:
            order.append(i)

    visit(-1)
    text, names = split(handle, len(parents), tag)
    return text, [names[order.index(i)] for i in range(len(parents))]


def each_op(n: int) -> tuple[str, list[str]]:
    """A handle to each of the kernel's n linalg ops, in program order (see `split`)."""
    match = f"  %ops = transform.structured.match interface{{LinalgOp}} in %root : ({ANY}) -> {ANY}\n"
    text, names = split("%ops", n, "op")
    return match + text, names




def distribute(handle: str, rank: int, dim: int, threads: str, tag: str) -> str:
    """Split loop `dim` of `handle` (an op of `rank` loops) into `threads` contiguous chunks, the iterations
    of an `scf.forall` that the lowering runs as that many tasks on MLIR's async runtime (the thread count
    is written on the loop, `neurojit.threads`). The tiled op is `%{tag}`, the forall `%{tag}f`; `threads`
    is an integer, a knob placeholder, or a param handle (`%threads` of a `transform.tune.knob`)."""
    sizes = ", ".join(threads if i == dim else "0" for i in range(rank))
    if threads.startswith("%"):  # a param: the op takes it as an operand and the annotation uses it as it is
        return (f"  %{tag}, %{tag}f = transform.structured.tile_using_forall {handle} num_threads [{sizes}]"
                f" : ({ANY}, {PARAM}) -> ({ANY}, {ANY})\n"
                f'  transform.annotate %{tag}f "{THREADS_ATTR}" = {threads} : {ANY}, {PARAM}\n')
    return (f"  %{tag}, %{tag}f = transform.structured.tile_using_forall {handle} num_threads [{sizes}]"
            f" : ({ANY}) -> ({ANY}, {ANY})\n"
            f"  %{tag}n = transform.param.constant {threads} : i64 -> {PARAM}\n"
            f'  transform.annotate %{tag}f "{THREADS_ATTR}" = %{tag}n : {ANY}, {PARAM}\n')
