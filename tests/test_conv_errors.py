"""Malformed calls to gilfree.conv raise TypeError/ValueError naming the argument."""

import gilfree
import numpy as np
import pytest

V3 = np.ones(3)
M33 = np.ones((3, 3))
X4 = np.ones((2, 4, 8, 8))
W4 = np.ones((6, 2, 3, 3))
X3 = np.ones((2, 4, 8))
W3 = np.ones((6, 4, 3))

CASES = [
    # numpy-style 1-d
    (ValueError, "a", lambda: gilfree.convolve(M33, V3)),
    (ValueError, "v", lambda: gilfree.convolve(V3, M33)),
    (ValueError, "a", lambda: gilfree.convolve([], V3)),
    (ValueError, "v", lambda: gilfree.correlate(V3, [])),
    (ValueError, "mode", lambda: gilfree.convolve(V3, V3, "bogus")),
    (TypeError, "mode", lambda: gilfree.convolve(V3, V3, 1)),
    (ValueError, "method", lambda: gilfree.convolve(V3, V3, method="winograd")),
    (ValueError, "method", lambda: gilfree.correlate(V3, V3, method="gemm")),
    (TypeError, "a", lambda: gilfree.convolve(np.array(["x", "y"]), V3)),
    (TypeError, "a", lambda: gilfree.convolve(np.array([1 + 1j]), V3)),
    (TypeError, "v", lambda: gilfree.correlate(V3, None)),
    (TypeError, "a", lambda: gilfree.correlate(np.array([1, 2], dtype=object), V3)),
    # scipy-style 2-d
    (ValueError, "in1", lambda: gilfree.convolve2d(V3, M33)),
    (ValueError, "in2", lambda: gilfree.convolve2d(M33, np.ones((2, 2, 2)))),
    (ValueError, "in1", lambda: gilfree.correlate2d(np.ones((0, 3)), M33)),
    (ValueError, "boundary", lambda: gilfree.convolve2d(M33, M33, boundary="reflect")),
    (TypeError, "boundary", lambda: gilfree.convolve2d(M33, M33, boundary=None)),
    (ValueError, "mode", lambda: gilfree.correlate2d(M33, M33, "same ")),
    (ValueError, "in2", lambda: gilfree.convolve2d(np.ones((3, 5)), np.ones((5, 3)), "valid")),
    (ValueError, "fillvalue", lambda: gilfree.convolve2d(M33, M33, fillvalue=[1, 2])),
    (TypeError, "fillvalue", lambda: gilfree.convolve2d(M33, M33, fillvalue=1j)),
    (ValueError, "fillvalue", lambda: gilfree.convolve2d(M33, M33, fillvalue=np.ones(2))),
    (ValueError, "method", lambda: gilfree.convolve2d(M33, M33, method="gemm")),
    (TypeError, "in2", lambda: gilfree.correlate2d(M33, "abc")),
    # torch-style
    (ValueError, "input", lambda: gilfree.conv2d(np.ones((8, 8)), W4)),
    (ValueError, "input", lambda: gilfree.conv1d(X4, W3)),
    (ValueError, "weight", lambda: gilfree.conv2d(X4, np.ones((6, 2, 3)))),
    (ValueError, "weight", lambda: gilfree.conv2d(X4, np.ones((6, 3, 3, 3)))),
    (ValueError, "groups", lambda: gilfree.conv2d(X4, np.ones((6, 1, 3, 3)), groups=3)),
    (ValueError, "groups", lambda: gilfree.conv2d(X4, np.ones((5, 2, 3, 3)), groups=2)),
    (ValueError, "groups", lambda: gilfree.conv2d(X4, W4, groups=0)),
    (TypeError, "groups", lambda: gilfree.conv2d(X4, W4, groups=2.0)),
    (ValueError, "stride", lambda: gilfree.conv2d(X4, W4, stride=0, groups=2)),
    (ValueError, "stride", lambda: gilfree.conv2d(X4, W4, stride=(1, 2, 3), groups=2)),
    (TypeError, "stride", lambda: gilfree.conv2d(X4, W4, stride=1.5, groups=2)),
    (ValueError, "padding", lambda: gilfree.conv2d(X4, W4, padding=-1, groups=2)),
    (ValueError, "padding", lambda: gilfree.conv2d(X4, W4, padding=(1, -1), groups=2)),
    (ValueError, "padding", lambda: gilfree.conv2d(X4, W4, padding="full", groups=2)),
    (ValueError, "padding", lambda: gilfree.conv2d(X4, W4, padding="same", stride=2, groups=2)),
    (ValueError, "dilation", lambda: gilfree.conv1d(X3, W3, dilation=0)),
    (ValueError, "weight", lambda: gilfree.conv2d(X4, np.ones((6, 2, 0, 3)), groups=2)),
    (ValueError, "bias", lambda: gilfree.conv2d(X4, W4, bias=np.ones(5), groups=2)),
    (TypeError, "bias", lambda: gilfree.conv1d(X3, W3, bias="b")),
    (ValueError, "input", lambda: gilfree.conv2d(X4, np.ones((6, 2, 9, 3)), groups=2)),
    (TypeError, "input", lambda: gilfree.conv2d(X4.astype(complex), W4, groups=2)),
    (TypeError, "weight", lambda: gilfree.conv1d(X3, W3.astype(object))),
    (ValueError, "method", lambda: gilfree.conv2d(X4, W4, groups=2, method="fft")),
    (ValueError, "input", lambda: gilfree.conv1d(np.ones((2, 4, 0)), W3)),
    (ValueError, "method", lambda: gilfree.conv2d(X4, W4, groups=2, stride=2, method="winograd")),
]


def test_at_least_30_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("exc,name,call", CASES, ids=[f"{i}-{c[1]}" for i, c in enumerate(CASES)])
def test_malformed_call_names_argument(exc, name, call):
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(f"{name}:") or f"{name}:" in str(info.value), str(info.value)


def test_valid_calls_still_work():
    assert gilfree.conv2d(X4, W4, groups=2).shape == (2, 6, 6, 6)
    assert gilfree.conv1d(X3, W3, padding="same").shape == (2, 6, 8)
