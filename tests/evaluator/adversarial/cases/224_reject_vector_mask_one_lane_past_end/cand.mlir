// CHEAT (memory): case 219's GELU, but the read's mask lets one lane more through than the row has (rem + 1):
// on every row's last chunk it reads x[i, 47], i.e. x[i + 1, 0], and on the last row one element past the end.
// The write keeps the right mask, so outputs are unchanged; the read is out of bounds of its memref's dim.
module {
  func.func @gelu(%x: memref<33x47xf32>, %out: memref<33x47xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c16 = arith.constant 16 : index
    %rows = arith.constant 33 : index
    %cols = arith.constant 47 : index
    %f0 = arith.constant 0.0 : f32
    %half = arith.constant dense<0.5> : vector<16xf32>
    %one = arith.constant dense<1.0> : vector<16xf32>
    %k = arith.constant dense<0.7978845608> : vector<16xf32>
    %c = arith.constant dense<0.044715> : vector<16xf32>
    scf.for %i = %c0 to %rows step %c1 {
      scf.for %j = %c0 to %cols step %c16 {
        %rem = arith.subi %cols, %j : index
        %m = vector.create_mask %rem : vector<16xi1>
        %rem1 = arith.addi %rem, %c1 : index
        %m1 = vector.create_mask %rem1 : vector<16xi1>
        %v = vector.mask %m1 { vector.transfer_read %x[%i, %j], %f0 {in_bounds = [true]} : memref<33x47xf32>, vector<16xf32> } : vector<16xi1> -> vector<16xf32>
        %v2 = arith.mulf %v, %v : vector<16xf32>
        %v3 = arith.mulf %v2, %v : vector<16xf32>
        %cv3 = arith.mulf %c, %v3 : vector<16xf32>
        %inner = arith.addf %v, %cv3 : vector<16xf32>
        %arg = arith.mulf %k, %inner : vector<16xf32>
        %t = math.tanh %arg : vector<16xf32>
        %onet = arith.addf %one, %t : vector<16xf32>
        %hv = arith.mulf %half, %v : vector<16xf32>
        %r = arith.mulf %hv, %onet : vector<16xf32>
        vector.mask %m { vector.transfer_write %r, %out[%i, %j] {in_bounds = [true]} : vector<16xf32>, memref<33x47xf32> } : vector<16xi1>
      }
    }
    return
  }
}
