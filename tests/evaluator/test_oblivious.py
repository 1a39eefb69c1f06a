"""Data-oblivious memory behaviour (evaluator/oblivious.py): which kernels' checked build may run on a few pairs."""

import re

import pytest
from mlir import ir

from neurojit.compiler.kernel import parse_module
from neurojit.evaluator import EvalConfig, Evaluator
from neurojit.evaluator.oblivious import why_not


def _why(text: str):
    with ir.Context() as ctx, ir.Location.unknown():
        return why_not(parse_module(text, "t", ctx))


TILED = """
func.func @k(%a: memref<16x16xf32>, %b: memref<16xf32> {neurojit.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c16 = arith.constant 16 : index
  %z = arith.constant dense<0.0> : vector<4xf32>
  %pad = memref.load %a[%c0, %c0] : memref<16x16xf32>
  scf.forall (%t) in (4) {
    %r0 = affine.apply affine_map<(d0) -> (d0 * 4)>(%t)
    %row = memref.subview %a[%r0, 0] [4, 16] [1, 1] : memref<16x16xf32> to memref<4x16xf32, strided<[16, 1], offset: ?>>
    %s = scf.for %j = %c0 to %c16 step %c4 iter_args(%acc = %z) -> (vector<4xf32>) {
      %v = vector.transfer_read %row[%c0, %j], %pad : memref<4x16xf32, strided<[16, 1], offset: ?>>, vector<4xf32>
      %n = arith.addf %acc, %v : vector<4xf32>
      scf.yield %n : vector<4xf32>
    }
    vector.store %s, %b[%r0] : memref<16xf32>, vector<4xf32>
  }
  return
}
"""


def test_a_tiled_vector_loop_is_oblivious():
    """Loads of data feed only values: the accumulator carried by the loop, the stored vector, a transfer's
    padding; the addresses come from the loop indices."""
    assert _why(TILED) is None


@pytest.mark.parametrize("body, what", [
    # a gather: the index is an element
    ("""%i = memref.load %idx[%c0] : memref<4xindex>
        %v = memref.load %a[%i] : memref<8xf32>
        memref.store %v, %out[%c0] : memref<8xf32>""", "memref.load"),
    # a branch on an element (a conditional cheat's hiding place)
    ("""%v = memref.load %a[%c0] : memref<8xf32>
        %tiny = arith.cmpf olt, %v, %v : f32
        scf.if %tiny { memref.store %v, %out[%c0] : memref<8xf32> }""", "scf.if"),
    # an index chosen by a select on an element
    ("""%v = memref.load %a[%c0] : memref<8xf32>
        %neg = arith.cmpf olt, %v, %v : f32
        %i = arith.select %neg, %c0, %c1 : index
        memref.store %v, %out[%i] : memref<8xf32>""", "memref.store"),
    # a buffer chosen by an element
    ("""%v = memref.load %a[%c0] : memref<8xf32>
        %neg = arith.cmpf olt, %v, %v : f32
        %m = arith.select %neg, %a, %out : memref<8xf32>
        memref.store %v, %m[%c0] : memref<8xf32>""", "arith.select"),
    # a tensor chosen by an element (its buffer, once bufferized)
    ("""%v = memref.load %a[%c0] : memref<8xf32>
        %neg = arith.cmpf olt, %v, %v : f32
        %t1 = bufferization.to_tensor %a : memref<8xf32> to tensor<8xf32>
        %t2 = bufferization.to_tensor %out : memref<8xf32> to tensor<8xf32>
        %t = arith.select %neg, %t1, %t2 : tensor<8xf32>
        %x = tensor.extract %t[%c0] : tensor<8xf32>
        memref.store %x, %out[%c1] : memref<8xf32>""", "arith.select"),
    # a trip count from an element, through an integer conversion
    ("""%v = memref.load %a[%c0] : memref<8xf32>
        %n = arith.fptosi %v : f32 to i32
        %ni = arith.index_cast %n : i32 to index
        scf.for %j = %c0 to %ni step %c1 { memref.store %v, %out[%j] : memref<8xf32> }""", "scf.for"),
    # an index carried around a loop from an element
    ("""%z = memref.load %idx[%c0] : memref<4xindex>
        %e = scf.for %j = %c0 to %c1 step %c1 iter_args(%k = %c0) -> (index) {
          %w = arith.addi %k, %z : index
          scf.yield %w : index
        }
        %v = memref.load %a[%e] : memref<8xf32>
        memref.store %v, %out[%c0] : memref<8xf32>""", "memref.load"),
    # a while loop that stops on an element
    ("""%r = scf.while (%j = %c0) : (index) -> index {
          %v = memref.load %a[%j] : memref<8xf32>
          %go = arith.cmpf ogt, %v, %v : f32
          scf.condition(%go) %j : index
        } do {
        ^bb0(%j2: index):
          %n = arith.addi %j2, %c1 : index
          scf.yield %n : index
        }""", "scf.condition"),
    # a mask from the data
    ("""%v = vector.load %a[%c0] : memref<8xf32>, vector<4xf32>
        %zero = arith.constant dense<0.0> : vector<4xf32>
        %m = arith.cmpf ogt, %v, %zero : vector<4xf32>
        vector.maskedstore %out[%c0], %m, %v : memref<8xf32>, vector<4xi1>, vector<4xf32>""", "vector.maskedstore"),
    # an allocation sized by an element
    ("""%z = memref.load %idx[%c0] : memref<4xindex>
        %t = memref.alloc(%z) : memref<?xf32>
        memref.dealloc %t : memref<?xf32>""", "memref.alloc"),
    # an op the analysis does not know
    ("""func.call @helper() : () -> ()""", "func.call"),
    # an element handed to a block by a branch inside a region (a block argument no rule follows)
    ("""%i = memref.load %idx[%c0] : memref<4xindex>
        scf.execute_region {
          cf.br ^bb1(%i : index)
        ^bb1(%x: index):
          %v = memref.load %a[%x] : memref<8xf32>
          memref.store %v, %out[%c0] : memref<8xf32>
          scf.yield
        }""", "scf.execute_region"),
    # a parallel reduction that starts from an element (its result carries its init)
    ("""%z = memref.load %idx[%c0] : memref<4xindex>
        %r = scf.parallel (%i) = (%c0) to (%c1) step (%c1) init (%z) -> index {
          scf.reduce(%c0 : index) {
          ^bb0(%l: index, %rr: index):
            %s = arith.maxui %l, %rr : index
            scf.reduce.return %s : index
          }
        }
        %v = memref.load %a[%r] : memref<8xf32>
        memref.store %v, %out[%c0] : memref<8xf32>""", "memref.load"),
    # an undefined index (lowered: whatever a register held)
    ("""%p = ub.poison : index
        %v = memref.load %a[%p] : memref<8xf32>
        memref.store %v, %out[%c0] : memref<8xf32>""", "memref.load"),
    # ... and a lane out of range of a vector of indices
    ("""%vi = arith.constant dense<[0, 1, 2, 3]> : vector<4xindex>
        %s = vector.shuffle %vi, %vi [-1, 1] : vector<4xindex>, vector<4xindex>
        %e = vector.extract %s[0] : index from vector<2xindex>
        %v = memref.load %a[%e] : memref<8xf32>
        memref.store %v, %out[%c0] : memref<8xf32>""", "memref.load"),
    # unreachable code (undefined behaviour)
    ("""scf.execute_region { ub.unreachable }""", "ub.unreachable"),
    # a pack's tile size from an element (its reads and the packed buffer's shape follow it)
    ("""%i = memref.load %idx[%c0] : memref<4xindex>
        %t = bufferization.to_tensor %a : memref<8xf32> to tensor<8xf32>
        %e = tensor.empty(%c1, %c1) : tensor<?x?xf32>
        %p = linalg.pack %t inner_dims_pos = [0] inner_tiles = [%i] into %e : tensor<8xf32> -> tensor<?x?xf32>""",
     "linalg.pack"),
    # uninitialised scratch that reaches the output only where an element is zero: the poisoned build shows it on
    # the pairs whose inputs hold zeros only
    ("""%s = memref.alloc() : memref<8xf32>
        %zero = arith.constant 0.0 : f32
        %x = memref.load %a[%c0] : memref<8xf32>
        %u = memref.load %s[%c0] : memref<8xf32>
        %z = arith.cmpf oeq, %x, %zero : f32
        %y = arith.select %z, %u, %x : f32
        memref.store %y, %out[%c0] : memref<8xf32>
        memref.dealloc %s : memref<8xf32>""", "arith.select"),
    # ... through an output it was stored to, then a maxnum (NaN hidden beside a number)
    ("""%s = memref.alloca() : memref<8xf32>
        %u = memref.load %s[%c0] : memref<8xf32>
        memref.store %u, %out[%c1] : memref<8xf32>
        %o = memref.load %out[%c1] : memref<8xf32>
        %x = memref.load %a[%c0] : memref<8xf32>
        %y = arith.maxnumf %o, %x : f32
        memref.store %y, %out[%c0] : memref<8xf32>""", "arith.maxnumf"),
])
def test_what_depends_on_the_data_is_named(body, what):
    text = f"""
func.func private @helper()
func.func @k(%a: memref<8xf32>, %idx: memref<4xindex>, %out: memref<8xf32> {{neurojit.output}}) {{
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  {body}
  return
}}
"""
    why = _why(text)
    assert why is not None and what in why, why


def test_a_structured_ops_element_used_as_an_index_is_data():
    """A linalg body's arguments are elements: an index made of one (a gather written as a generic)."""
    text = """
#id = affine_map<(d0) -> (d0)>
func.func @k(%a: memref<8xf32>, %idx: memref<8xindex>, %out: memref<8xf32> {neurojit.output}) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%idx : memref<8xindex>) outs(%out : memref<8xf32>) {
  ^bb0(%i: index, %o: f32):
    %v = memref.load %a[%i] : memref<8xf32>
    linalg.yield %v : f32
  }
  return
}
"""
    assert "memref.load" in (_why(text) or "")
    # the same generic reading through its own maps only is oblivious
    plain = text.replace("%v = memref.load %a[%i] : memref<8xf32>\n", "%v = arith.constant 1.0 : f32\n")
    assert _why(plain) is None


def test_fresh_memory_read_through_sums_and_products_is_oblivious():
    """A scratch buffer whose values reach the output through sums, products and NaN-keeping maxima: its poison
    (NaN) shows on every input alike, so a few pairs of the checked build see it as all would."""
    text = """
func.func @k(%a: memref<8xf32>, %out: memref<8xf32> {neurojit.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %s = memref.alloc() : memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %a[%i] : memref<8xf32>
    %d = arith.mulf %x, %x : f32
    memref.store %d, %s[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %a[%i] : memref<8xf32>
    %u = memref.load %s[%i] : memref<8xf32>
    %o = memref.load %out[%i] : memref<8xf32>
    %y = arith.addf %u, %x : f32
    %m = arith.maximumf %y, %o : f32
    memref.store %m, %out[%i] : memref<8xf32>
  }
  memref.dealloc %s : memref<8xf32>
  return
}
"""
    assert _why(text) is None
    # the same with a maxnum, which drops a NaN beside a number: not
    assert "arith.maxnumf" in (_why(text.replace("arith.maximumf", "arith.maxnumf")) or "")


def test_a_scalar_argument_is_data():
    text = """
func.func @k(%n: index, %a: memref<8xf32>, %out: memref<8xf32> {neurojit.output}) {
  %v = memref.load %a[%n] : memref<8xf32>
  %c0 = arith.constant 0 : index
  memref.store %v, %out[%c0] : memref<8xf32>
  return
}
"""
    assert "memref.load" in (_why(text) or "")


BASE = """
func.func @k(%a: memref<64xf32>, %b: memref<64xf32> {neurojit.output}) {
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]} ins(%a : memref<64xf32>) outs(%b : memref<64xf32>) {
  ^bb0(%x: f32, %o: f32):
    %y = arith.addf %x, %x : f32
    linalg.yield %y : f32
  }
  return
}
"""

LOOP = """
func.func @k(%a: memref<64xf32>, %b: memref<64xf32> {neurojit.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  scf.for %i = %c0 to %c64 step %c1 {
    %x = memref.load %a[%i] : memref<64xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %b[%i] : memref<64xf32>
  }
  return
}
"""

# reads one element past the end, but only where an input is subnormal (a branch on the data)
GATED_OOB = """
func.func @k(%a: memref<64xf32>, %b: memref<64xf32> {neurojit.output}) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %tiny = arith.constant 1.0e-38 : f32
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c64 step %c1 {
    %x = memref.load %a[%i] : memref<64xf32>
    %ax = math.absf %x : f32
    %small = arith.cmpf olt, %ax, %tiny : f32
    %nonzero = arith.cmpf ogt, %ax, %zero : f32
    %sub = arith.andi %small, %nonzero : i1
    %y = scf.if %sub -> (f32) {
      %far = arith.addi %i, %c64 : index
      %g = memref.load %a[%far] : memref<64xf32>
      %z = arith.mulf %g, %zero : f32
      %w2 = arith.addf %x, %x : f32
      %w = arith.addf %w2, %z : f32
      scf.yield %w : f32
    } else {
      %w = arith.addf %x, %x : f32
      scf.yield %w : f32
    }
    memref.store %y, %b[%i] : memref<64xf32>
  }
  return
}
"""


@pytest.mark.slow
def test_the_checked_build_runs_on_a_few_pairs_only_where_oblivious(tmp_path):
    """An oblivious candidate's checked build runs on a few pairs (the verdict says how many); one that reads
    past its input only on subnormal inputs is still run checked on every pair, and refused for it."""
    base = tmp_path / "base.mlir"
    base.write_text(BASE)
    config = EvalConfig(workers=1, bench=False, random_sets=1)
    with Evaluator(config) as ev:
        plain, gated = ev.evaluate_batch(base, [LOOP, GATED_OOB])
    eq = next(c for c in plain.checks if c.name == "equivalence")
    assert plain.accepted and re.search(r"checked build on \d+ pair\(s\)", eq.detail), eq.detail
    assert not gated.accepted and gated.reason.value == "unsafe_memory", gated.detail
    assert "subnormal" in gated.detail, gated.detail
    with Evaluator(EvalConfig(workers=1, bench=False, random_sets=1, checked_every_pair=True)) as ev:
        every = ev.evaluate(base, LOOP)
    eq = next(c for c in every.checks if c.name == "equivalence")
    assert every.accepted and "checked build on every pair (asked for by EvalConfig.checked_every_pair)" in eq.detail, \
        eq.detail
