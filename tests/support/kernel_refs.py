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


REFERENCES = {
    "matmul_256": _matmul,
    "matmul_1024": _matmul,
    "matmul_127x255x63": _matmul,
    "matmul_bias_relu": _dense_relu,
    "elementwise_chain": _elementwise,
    "row_softmax": _softmax,
    "row_sum": _row_sum,
    "conv2d": _conv2d,
}

OUTPUTS = {
    "matmul_256": [2],
    "matmul_1024": [2],
    "matmul_127x255x63": [2],
    "matmul_bias_relu": [3],
    "elementwise_chain": [2],
    "row_softmax": [1],
    "row_sum": [1],
    "conv2d": [2],
}
