// TensorLang, the seeds' tensor dialect, defined in IRDL and loaded at run time
// (mlir.dialects.irdl.load_dialects). IRDL gives no custom syntax: ops are written in MLIR's generic form,
//   %c = "tensorlang.matmul"(%a, %b) : (!tensorlang.tensor<f32, [4, 8]>, !tensorlang.tensor<f32, [8, 2]>)
//                                      -> !tensorlang.tensor<f32, [4, 2]>
// The type !tensorlang.tensor<elem, [d0, d1, ...]> is linear: every value is used exactly once and never
// inside a loop body (VerifyLinearity); "tensorlang.copy" is the way to use one twice. A dimension is an
// integer or the name of a symbolic_dim ("N"), bound to a size when the kernel is compiled.
// What IRDL cannot say (shapes that must agree, axes in range) is checked by tensorlang/verify.py.
irdl.dialect @tensorlang {
  irdl.type @tensor {
    %f32 = irdl.is f32
    %f64 = irdl.is f64
    %i32 = irdl.is i32
    %i64 = irdl.is i64
    %i1 = irdl.is i1
    %elem = irdl.any_of(%f32, %f64, %i32, %i64, %i1)
    %shape = irdl.base "#builtin.array"
    irdl.parameters(elem: %elem, shape: %shape)
  }

  // A dense constant: value = dense<...> : tensor<...> with the result's element type and shape.
  irdl.operation @constant {
    %value = irdl.any
    %t = irdl.base @tensorlang::@tensor
    irdl.attributes {"value" = %value}
    irdl.results(result: %t)
  }

  // Declares a symbolic dimension: name = "N", optional size = 128 (the default binding).
  irdl.operation @symbolic_dim {
    %name = irdl.base "#builtin.string"
    %index = irdl.is index
    irdl.attributes {"name" = %name}
    irdl.results(dim: %index)
  }

  // (M, K) x (K, N) -> (M, N); batch_matmul: (B, M, K) x (B, K, N) -> (B, M, N).
  irdl.operation @matmul {
    %l = irdl.base @tensorlang::@tensor
    %r = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(lhs: %l, rhs: %r)
    irdl.results(result: %o)
  }
  irdl.operation @batch_matmul {
    %l = irdl.base @tensorlang::@tensor
    %r = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(lhs: %l, rhs: %r)
    irdl.results(result: %o)
  }

  // Elementwise binary ops, with numpy broadcasting.
  irdl.operation @add {
    %l = irdl.base @tensorlang::@tensor
    %r = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(lhs: %l, rhs: %r)
    irdl.results(result: %o)
  }
  irdl.operation @sub {
    %l = irdl.base @tensorlang::@tensor
    %r = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(lhs: %l, rhs: %r)
    irdl.results(result: %o)
  }
  irdl.operation @mul {
    %l = irdl.base @tensorlang::@tensor
    %r = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(lhs: %l, rhs: %r)
    irdl.results(result: %o)
  }
  irdl.operation @div {
    %l = irdl.base @tensorlang::@tensor
    %r = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(lhs: %l, rhs: %r)
    irdl.results(result: %o)
  }
  irdl.operation @max {
    %l = irdl.base @tensorlang::@tensor
    %r = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(lhs: %l, rhs: %r)
    irdl.results(result: %o)
  }
  irdl.operation @min {
    %l = irdl.base @tensorlang::@tensor
    %r = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(lhs: %l, rhs: %r)
    irdl.results(result: %o)
  }

  // Comparison, elementwise with broadcasting, to an i1 tensor: predicate = "lt" | "le" | "gt" | "ge" | "eq" | "ne".
  irdl.operation @compare {
    %p = irdl.base "#builtin.string"
    %l = irdl.base @tensorlang::@tensor
    %r = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.attributes {"predicate" = %p}
    irdl.operands(lhs: %l, rhs: %r)
    irdl.results(result: %o)
  }

  // where(cond, on_true, on_false), with broadcasting.
  irdl.operation @select {
    %c = irdl.base @tensorlang::@tensor
    %t = irdl.base @tensorlang::@tensor
    %f = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(cond: %c, on_true: %t, on_false: %f)
    irdl.results(result: %o)
  }

  // Elementwise unary ops (floating point).
  irdl.operation @exp {
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }
  irdl.operation @log {
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }
  irdl.operation @tanh {
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }
  irdl.operation @sqrt {
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }
  irdl.operation @neg {
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }

  // Reductions along one axis (axis = 1 : i64); the axis is dropped unless keepdims is set.
  irdl.operation @reduce_sum {
    %axis = irdl.base "#builtin.integer"
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.attributes {"axis" = %axis}
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }
  irdl.operation @reduce_max {
    %axis = irdl.base "#builtin.integer"
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.attributes {"axis" = %axis}
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }
  irdl.operation @reduce_min {
    %axis = irdl.base "#builtin.integer"
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.attributes {"axis" = %axis}
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }
  irdl.operation @reduce_mean {
    %axis = irdl.base "#builtin.integer"
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.attributes {"axis" = %axis}
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }

  // Layout: transpose (permutation = array<i64: 1, 0>), reshape (same element count), broadcast (numpy rules).
  irdl.operation @transpose {
    %perm = irdl.base "#builtin.dense_array"
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.attributes {"permutation" = %perm}
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }
  irdl.operation @reshape {
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }
  irdl.operation @broadcast {
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }

  // The one way to use a linear value twice: one in, two equal values out.
  irdl.operation @copy {
    %i = irdl.base @tensorlang::@tensor
    %a = irdl.base @tensorlang::@tensor
    %b = irdl.base @tensorlang::@tensor
    irdl.operands(input: %i)
    irdl.results(first: %a, second: %b)
  }

  // Prints its input (optional label = "...") and passes it through.
  irdl.operation @print {
    %i = irdl.base @tensorlang::@tensor
    %o = irdl.base @tensorlang::@tensor
    irdl.operands(input: %i)
    irdl.results(result: %o)
  }

  // Asserts that every element of an i1 tensor is true (message = "..."); consumes it. A failing assertion
  // is a status the runtime reads after the call (neurojit.AssertionFailed), never an abort.
  irdl.operation @assert {
    %m = irdl.base "#builtin.string"
    %c = irdl.base @tensorlang::@tensor
    irdl.attributes {"message" = %m}
    irdl.operands(cond: %c)
  }
}
