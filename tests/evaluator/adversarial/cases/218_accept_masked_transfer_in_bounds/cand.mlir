// Vectorised softmax, 8 lanes: transfer_read with -inf padding for the max (out-of-bounds tail padded by the
// lowering), masked exp/sum with vector.reduction, then reciprocal of the sum (>= 1 whenever finite) times e.
module {
  func.func @softmax(%x: memref<13x37xf32>, %out: memref<13x37xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c8 = arith.constant 8 : index
    %rows = arith.constant 13 : index
    %cols = arith.constant 37 : index
    %ninf = arith.constant 0xFF800000 : f32
    %fzero = arith.constant 0.0 : f32
    %one = arith.constant 1.0 : f32
    %vninf = arith.constant dense<0xFF800000> : vector<8xf32>
    %vzero = arith.constant dense<0.0> : vector<8xf32>
    scf.for %i = %c0 to %rows step %c1 {
      %vm = scf.for %j = %c0 to %cols step %c8 iter_args(%acc = %vninf) -> (vector<8xf32>) {
        %v = vector.transfer_read %x[%i, %j], %ninf {in_bounds = [false]} : memref<13x37xf32>, vector<8xf32>
        %a = arith.maximumf %acc, %v : vector<8xf32>
        scf.yield %a : vector<8xf32>
      }
      %m = vector.reduction <maximumf>, %vm : vector<8xf32> into f32
      %mb = vector.broadcast %m : f32 to vector<8xf32>
      %vs = scf.for %j = %c0 to %cols step %c8 iter_args(%acc = %vzero) -> (vector<8xf32>) {
        %rem = arith.subi %cols, %j : index
        %mask = vector.create_mask %rem : vector<8xi1>
        %v = vector.transfer_read %x[%i, %j], %fzero, %mask {in_bounds = [true]} : memref<13x37xf32>, vector<8xf32>
        %d = arith.subf %v, %mb : vector<8xf32>
        %e = math.exp %d : vector<8xf32>
        %em = arith.select %mask, %e, %vzero : vector<8xi1>, vector<8xf32>
        vector.transfer_write %em, %out[%i, %j], %mask {in_bounds = [true]} : vector<8xf32>, memref<13x37xf32>
        %a = arith.addf %acc, %em : vector<8xf32>
        scf.yield %a : vector<8xf32>
      }
      %s = vector.reduction <add>, %vs : vector<8xf32> into f32
      %r = arith.divf %one, %s : f32
      %rb = vector.broadcast %r : f32 to vector<8xf32>
      scf.for %j = %c0 to %cols step %c8 {
        %rem = arith.subi %cols, %j : index
        %mask = vector.create_mask %rem : vector<8xi1>
        %e = vector.transfer_read %out[%i, %j], %fzero, %mask {in_bounds = [true]} : memref<13x37xf32>, vector<8xf32>
        %o = arith.mulf %e, %rb : vector<8xf32>
        vector.transfer_write %o, %out[%i, %j], %mask {in_bounds = [true]} : vector<8xf32>, memref<13x37xf32>
      }
    }
    return
  }
}
