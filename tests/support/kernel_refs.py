"""NumPy reference implementations for the example kernels in examples/kernels/.

``REFERENCES[stem](inputs, outputs)`` returns the expected final contents of
each output argument, given all inputs and the *initial* contents of the
outputs (both in argument order, inputs excluding outputs). Arguments are
never modified. Computation is done in float64 and cast back to each output's
dtype. ``OUTPUTS[stem]`` lists the indices of the output arguments.
"""

import numpy as np


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _matmul(inputs, outputs):
    a, b = inputs
    (c,) = outputs
    return [(_f64(c) + _f64(a) @ _f64(b)).astype(c.dtype)]


def _dense_relu(inputs, outputs):
    a, w, bias = inputs
    (out,) = outputs
    return [np.maximum(_f64(a) @ _f64(w) + _f64(bias), 0.0).astype(out.dtype)]


def _elementwise(inputs, outputs):
    x, y = _f64(inputs[0]), _f64(inputs[1])
    return [(np.maximum(x * y + x, 0.0) * 0.5).astype(outputs[0].dtype)]


def _softmax(inputs, outputs):
    x = _f64(inputs[0])
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return [(e / e.sum(axis=1, keepdims=True)).astype(outputs[0].dtype)]


def _row_sum(inputs, outputs):
    return [_f64(inputs[0]).sum(axis=1).astype(outputs[0].dtype)]


def _conv2d(inputs, outputs):
    x, w = _f64(inputs[0]), _f64(inputs[1])
    (out,) = outputs
    kh, kw = w.shape[2:]
    oh, ow = out.shape[2:]
    # windows[n, c, y, x, i, j] = x[n, c, y + i, x + j]
    windows = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    conv = np.einsum("ncyxij,fcij->nfyx", windows[:, :, :oh, :ow], w)
    return [(_f64(out) + conv).astype(out.dtype)]


def _product(inputs, outputs):
    a, b = inputs
    return [(_f64(a) @ _f64(b)).astype(outputs[0].dtype)]  # a returned result: the output's contents unread


def _mlp(inputs, outputs):
    x, w1, b1, w2, b2 = map(_f64, inputs)
    return [(np.maximum(x @ w1 + b1, 0.0) @ w2 + b2).astype(outputs[0].dtype)]


def _linear_relu_torch(inputs, outputs):
    x, weight, bias = map(_f64, inputs)  # torch.nn.Linear keeps its weight as (out, in)
    return [np.maximum(x @ weight.T + bias, 0.0).astype(outputs[0].dtype)]


def _gelu(inputs, outputs):
    (x,) = map(_f64, inputs)
    return [(0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))).astype(outputs[0].dtype)]


REFERENCES = {
    "matmul_256": _matmul,
    "matmul_1024": _matmul,
    "matmul_127x255x63": _matmul,
    "matmul_bias_relu": _dense_relu,
    "elementwise_chain": _elementwise,
    "gelu": _gelu,
    "row_softmax": _softmax,
    "row_sum": _row_sum,
    "conv2d": _conv2d,
    # front doors (DESIGN §2): TensorLang, and functions on tensors that return their results
    "matmul.tl": _product,
    "mlp.tl": _mlp,
    "softmax.tl": _softmax,
    "torch_linear_relu": _linear_relu_torch,
    "iree_softmax": _softmax,
}

OUTPUTS = {
    "matmul_256": [2],
    "matmul_1024": [2],
    "matmul_127x255x63": [2],
    "matmul_bias_relu": [3],
    "elementwise_chain": [2],
    "gelu": [1],
    "row_softmax": [1],
    "row_sum": [1],
    "conv2d": [2],
    "matmul.tl": [2],
    "mlp.tl": [5],
    "softmax.tl": [1],
    "torch_linear_relu": [3],
    "iree_softmax": [1],
}


# The schedule library's kernel classes (issue 17): one example each.
def _windows(x, kh, kw, stride, axis):
    """x's kh x kw windows at `stride` over axes (axis, axis + 1), the window offsets as two new trailing axes."""
    oh = (x.shape[axis] - kh) // stride + 1
    ow = (x.shape[axis + 1] - kw) // stride + 1
    win = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(axis, axis + 1))
    sl = [slice(None)] * x.ndim
    sl[axis] = slice(0, stride * (oh - 1) + 1, stride)
    sl[axis + 1] = slice(0, stride * (ow - 1) + 1, stride)
    return win[tuple(sl)]


def _row_sum_i32(inputs, outputs):
    return [inputs[0].astype(np.int64).sum(axis=1).astype(np.int32)]


def _row_max(inputs, outputs):
    return [np.maximum(_f64(inputs[0]).max(axis=1), -np.inf).astype(outputs[0].dtype)]


def _argmax(inputs, outputs):
    x = _f64(inputs[0])
    return [x.max(axis=1).astype(outputs[0].dtype), x.argmax(axis=1).astype(outputs[1].dtype)]


def _layer_norm(inputs, outputs):
    x, g, b = map(_f64, inputs)
    mean = x.mean(axis=1)
    rstd = 1.0 / np.sqrt(((x - mean[:, None]) ** 2).mean(axis=1) + 1e-5)
    y = (x - mean[:, None]) * rstd[:, None] * g + b
    return [mean.astype(np.float32), rstd.astype(np.float32), y.astype(np.float32)]


def _dot(inputs, outputs):
    a, b = map(_f64, inputs)
    return [(_f64(outputs[0]) + a @ b).astype(outputs[0].dtype)]


def _matmul_bt(inputs, outputs):
    a, b = map(_f64, inputs)
    return [(_f64(outputs[0]) + a @ b.T).astype(outputs[0].dtype)]


def _conv1d_nwc(inputs, outputs):
    x, w = map(_f64, inputs)  # x[n, w + kw, c] * w[kw, c, f]
    win = np.lib.stride_tricks.sliding_window_view(x, w.shape[0], axis=1)[:, :outputs[0].shape[1]]  # n w c kw
    return [(_f64(outputs[0]) + np.einsum("nwck,kcf->nwf", win, w)).astype(outputs[0].dtype)]


def _conv2d_s2(inputs, outputs):
    x, w = map(_f64, inputs)
    win = _windows(x, w.shape[2], w.shape[3], 2, 2)  # n c y x i j
    return [(_f64(outputs[0]) + np.einsum("ncyxij,fcij->nfyx", win, w)).astype(outputs[0].dtype)]


def _max_pool_nchw_s2(inputs, outputs):
    return [_windows(_f64(inputs[0]), 3, 3, 2, 2).max(axis=(4, 5)).astype(outputs[0].dtype)]


def _col_sum(inputs, outputs):
    return [_f64(inputs[0]).sum(axis=0).astype(outputs[0].dtype)]


def _attention_scores(inputs, outputs):
    q, k = map(_f64, inputs)
    return [(q @ np.swapaxes(k, -1, -2) * 0.125).astype(outputs[0].dtype)]


def _product_only(inputs, outputs):
    a, b = map(_f64, inputs)
    return [(a @ b).astype(outputs[0].dtype)]


def _jacobi_2d(inputs, outputs):
    A, B = (_f64(o).copy() for o in outputs)
    for _ in range(20):
        B[1:-1, 1:-1] = 0.2 * (A[1:-1, 1:-1] + A[1:-1, :-2] + A[1:-1, 2:] + A[2:, 1:-1] + A[:-2, 1:-1])
        A[1:-1, 1:-1] = 0.2 * (B[1:-1, 1:-1] + B[1:-1, :-2] + B[1:-1, 2:] + B[2:, 1:-1] + B[:-2, 1:-1])
    return [A, B]


def _seidel_2d(inputs, outputs):
    """In place, row by row: a row's new values are the recurrence x[j] = (c[j] + x[j - 1]) / 9, c[j] the sum of
    its other eight neighbours (the row above as updated, its own and the row below as they were): a first-order
    filter (scipy's lfilter), started from the row's fixed left edge."""
    from scipy.signal import lfilter

    A = _f64(outputs[0]).copy()
    for _ in range(10):
        for i in range(1, len(A) - 1):
            up, row, down = A[i - 1], A[i], A[i + 1]
            c = (up[:-2] + up[1:-1] + up[2:] + row[1:-1] + row[2:] + down[:-2] + down[1:-1] + down[2:])
            A[i, 1:-1] = lfilter([1 / 9], [1, -1 / 9], c, zi=[A[i, 0] / 9])[0]
    return [A]


def _iir_rows(inputs, outputs):
    """y[j] = x[j] / 4 + x[j - 1] / 8 + y[j - 1] / 2 - y[j - 2] / 16 along each row, from zero state."""
    from scipy.signal import lfilter

    return [lfilter([0.25, 0.125], [1, -0.5, 0.0625], _f64(inputs[0]), axis=1)]


def floyd_warshall(path: np.ndarray) -> np.ndarray:
    """Floyd-Warshall in place as the loops run it, path[i][j] = min(path[i][j], path[i][k] + path[k][j]) for k, i,
    j in order, each k a few whole-block steps: the rows before k read row k as it was, the rows after it as row
    k's own iteration left it, and within a row the columns after k read path[i][k] as the column k left it
    (path[k][k] < 0 changes both; integer sums wrap as the kernel's do)."""
    A = path.copy()
    n = len(A)
    for k in range(n):
        for rows in (slice(0, k), slice(k, k + 1), slice(k + 1, n)):
            krow = A[k].copy()
            a = A[rows, k].copy()[:, None]
            A[rows, :k] = np.minimum(A[rows, :k], a + krow[:k])
            a = np.minimum(a, a + krow[k])
            A[rows, k:k + 1] = a
            A[rows, k + 1:] = np.minimum(A[rows, k + 1:], a + krow[k + 1:])
    return A


def _floyd_warshall(inputs, outputs):
    return [floyd_warshall(outputs[0])]


def nussinov(seq: np.ndarray, table: np.ndarray) -> np.ndarray:
    """PolyBench's nussinov as its loops run it (rows from the last up, each row's columns left to right), the best
    split of [i, j] over k taken at once (max is exact in any order); i32 sums wrap as the kernel's do."""
    T, s, n = table.astype(np.int64), seq.astype(np.int64), len(table)
    wrap = lambda x: (x + 2 ** 31) % 2 ** 32 - 2 ** 31  # noqa: E731
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            t = max(T[i, j], T[i, j - 1])
            if i + 1 < n:
                t = max(t, T[i + 1, j])
                t = max(t, wrap(T[i + 1, j - 1] + int(s[i] + s[j] == 3)) if i < j - 1 else T[i + 1, j - 1])
            if j > i + 1:
                t = max(t, wrap(T[i, i + 1:j] + T[i + 2:j + 1, j]).max())
            T[i, j] = t
    return T.astype(np.int32)


def _nussinov(inputs, outputs):
    return [nussinov(inputs[0], outputs[0])]


def _permute_nhwc(inputs, outputs):
    return [inputs[0].transpose(0, 2, 3, 1)]


def _gelu_f16(inputs, outputs):
    """numpy's f16 arithmetic rounds each op's result to f16, as the kernel's does."""
    x, b = inputs
    f = np.float16
    v = x + b
    return [v * f(0.5) * (np.tanh((v + v * v * v * f(0.044715)) * f(0.797851)) + f(1))]


CLASSES = {
    "row_sum_i32": (_row_sum_i32, [1]),
    "row_max_select": (_row_max, [1]),
    "argmax": (_argmax, [1, 2]),
    "layer_norm": (_layer_norm, [3, 4, 5]),
    "dot_product": (_dot, [2]),
    "matmul_bt": (_matmul_bt, [2]),
    "conv1d": (_conv1d_nwc, [2]),
    "conv2d_s2": (_conv2d_s2, [2]),
    "max_pool": (_max_pool_nchw_s2, [1]),
    "mm_affine": (_product_only, [2]),
    "mm_scf": (_matmul, [2]),  # C += A x B as plain scf loops
    "col_sum": (_col_sum, [1]),
    "attention_scores": (_attention_scores, [2]),  # a batched contraction (4-d, K as stored) and a scale
    "jacobi_2d": (_jacobi_2d, [0, 1]),  # a stencil's parallel rows inside a sequential time loop
    "seidel_2d": (_seidel_2d, [0]),  # a sweep in place: each point from the one its row's previous iteration stored
    "iir_rows": (_iir_rows, [1]),  # a recurrence along each row (deriche's filter), the rows independent
    "permute_nhwc": (_permute_nhwc, [1]),  # a transpose (NCHW to NHWC)
    "floyd_warshall": (_floyd_warshall, [0]),  # in place; every row reads row k, every column path[i][k]
    "nussinov": (_nussinov, [1]),  # a DP in place: the best of table[i][k] + table[k + 1][j], a row beside a column
    "gelu_f16": (_gelu_f16, [2]),  # half precision: every op in f16, a tanh
}
REFERENCES.update({k: f for k, (f, _) in CLASSES.items()})
OUTPUTS.update({k: outs for k, (_, outs) in CLASSES.items()})
