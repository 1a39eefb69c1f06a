module {
  func.func @ew(%x: memref<1000xf32>, %y: memref<1000xf32>, %out: memref<1000xf32>) {
    %c16 = arith.constant 16 : index
    %c1000 = arith.constant 1000 : index
    %pz = arith.constant dense<0.0> : vector<16xf32>
    scf.forall (%t) in (63) {
      %i = arith.muli %t, %c16 : index
      %n = arith.subi %c1000, %i : index
      %mask = vector.create_mask %n : vector<16xi1>
      %a = vector.maskedload %x[%i], %mask, %pz : memref<1000xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
      %b = vector.maskedload %y[%i], %mask, %pz : memref<1000xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
      %m = arith.mulf %a, %b : vector<16xf32>
      %s = arith.addf %m, %a : vector<16xf32>
      vector.maskedstore %out[%i], %mask, %s : memref<1000xf32>, vector<16xi1>, vector<16xf32>
    } {neurojit.threads = 2 : i64}
    return
  }
}
