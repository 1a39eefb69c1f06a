// CHEAT: when the signal looks periodic with period 48 (x[i] == x[i + 48] at 8 probes spread over it: a tiled
// pattern, a positional code, a repeated frame) only the first period is computed and copied along the rest.
// Wrong on a periodic signal with any glitch or drift away from the probes (x = tile(p, 8192/48) with x[500] += 1).
module {
  func.func @silu(%x: memref<8192xf32>, %y: memref<8192xf32>) {
    %one = arith.constant 1.0 : f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c48 = arith.constant 48 : index
    %c8192 = arith.constant 8192 : index
    %p0 = arith.constant 0 : index
    %q0 = arith.constant 48 : index
    %a0 = memref.load %x[%p0] : memref<8192xf32>
    %b0 = memref.load %x[%q0] : memref<8192xf32>
    %e0 = arith.cmpf oeq, %a0, %b0 : f32
    %p1 = arith.constant 1000 : index
    %q1 = arith.constant 1048 : index
    %a1 = memref.load %x[%p1] : memref<8192xf32>
    %b1 = memref.load %x[%q1] : memref<8192xf32>
    %e1 = arith.cmpf oeq, %a1, %b1 : f32
    %p2 = arith.constant 2021 : index
    %q2 = arith.constant 2069 : index
    %a2 = memref.load %x[%p2] : memref<8192xf32>
    %b2 = memref.load %x[%q2] : memref<8192xf32>
    %e2 = arith.cmpf oeq, %a2, %b2 : f32
    %p3 = arith.constant 3333 : index
    %q3 = arith.constant 3381 : index
    %a3 = memref.load %x[%p3] : memref<8192xf32>
    %b3 = memref.load %x[%q3] : memref<8192xf32>
    %e3 = arith.cmpf oeq, %a3, %b3 : f32
    %p4 = arith.constant 4097 : index
    %q4 = arith.constant 4145 : index
    %a4 = memref.load %x[%p4] : memref<8192xf32>
    %b4 = memref.load %x[%q4] : memref<8192xf32>
    %e4 = arith.cmpf oeq, %a4, %b4 : f32
    %p5 = arith.constant 6000 : index
    %q5 = arith.constant 6048 : index
    %a5 = memref.load %x[%p5] : memref<8192xf32>
    %b5 = memref.load %x[%q5] : memref<8192xf32>
    %e5 = arith.cmpf oeq, %a5, %b5 : f32
    %p6 = arith.constant 7100 : index
    %q6 = arith.constant 7148 : index
    %a6 = memref.load %x[%p6] : memref<8192xf32>
    %b6 = memref.load %x[%q6] : memref<8192xf32>
    %e6 = arith.cmpf oeq, %a6, %b6 : f32
    %p7 = arith.constant 8100 : index
    %q7 = arith.constant 8148 : index
    %a7 = memref.load %x[%p7] : memref<8192xf32>
    %b7 = memref.load %x[%q7] : memref<8192xf32>
    %e7 = arith.cmpf oeq, %a7, %b7 : f32
    %g0 = arith.andi %e0, %e1 : i1
    %g1 = arith.andi %g0, %e2 : i1
    %g2 = arith.andi %g1, %e3 : i1
    %g3 = arith.andi %g2, %e4 : i1
    %g4 = arith.andi %g3, %e5 : i1
    %g5 = arith.andi %g4, %e6 : i1
    %g6 = arith.andi %g5, %e7 : i1
    %n_per = scf.if %g6 -> (index) {
      scf.yield %c48 : index
    } else {
      scf.yield %c8192 : index
    }
    scf.for %i = %c0 to %n_per step %c1 {
      %v = memref.load %x[%i] : memref<8192xf32>
      %n = arith.negf %v : f32
      %e = math.exp %n : f32
      %d = arith.addf %one, %e : f32
      %r = arith.divf %v, %d : f32
      memref.store %r, %y[%i] : memref<8192xf32>
    }
    scf.for %i = %n_per to %c8192 step %c1 {
      %src = arith.remui %i, %c48 : index
      %r = memref.load %y[%src] : memref<8192xf32>
      memref.store %r, %y[%i] : memref<8192xf32>
    }
    return
  }
}
