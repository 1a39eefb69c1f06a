// int8 equality (quantized tensors) -> bool, and i8 ne -> bool; two bool outputs from one generic
#map = affine_map<(d0, d1) -> (d0, d1)>
module {
  func.func @main(%a: tensor<511x257xi8>, %b: tensor<511x257xi8>) -> (tensor<511x257xi1>, tensor<511x257xi1>) {
    %e = tensor.empty() : tensor<511x257xi1>
    %r:2 = linalg.generic {indexing_maps = [#map, #map, #map, #map], iterator_types = ["parallel", "parallel"]} ins(%a, %b : tensor<511x257xi8>, tensor<511x257xi8>) outs(%e, %e : tensor<511x257xi1>, tensor<511x257xi1>) {
    ^bb0(%x: i8, %y: i8, %o: i1, %o2: i1):
      %eq = arith.cmpi eq, %x, %y : i8
      %lt = arith.cmpi ult, %x, %y : i8
      linalg.yield %eq, %lt : i1, i1
    } -> (tensor<511x257xi1>, tensor<511x257xi1>)
    return %r#0, %r#1 : tensor<511x257xi1>, tensor<511x257xi1>
  }
}
