"""Malformed calls to gilfree.loops: each raises TypeError or ValueError whose
message names the offending argument, and nothing is written to out=."""

import gilfree
import numpy as np
import pytest

X = np.arange(12.0).reshape(3, 4)
I = np.arange(5, dtype=np.int32)
RO = np.zeros(4)
RO.setflags(write=False)

# (label, call, exception, argument named in the message)
BAD_CALLS = [
    ("sum complex", lambda: gilfree.sum(np.ones(3, dtype=complex)), TypeError, "x"),
    ("sum complex64", lambda: gilfree.sum(np.ones(3, dtype=np.complex64)), TypeError, "x"),
    ("sum datetime", lambda: gilfree.sum(np.ones(3, dtype="M8[s]")), TypeError, "x"),
    ("sum longdouble", lambda: gilfree.sum(np.ones(3, dtype=np.longdouble)), TypeError, "x"),
    ("sum timedelta", lambda: gilfree.sum(np.ones(3, dtype="m8[s]")), TypeError, "x"),
    ("sum object", lambda: gilfree.sum(np.array([1, "a"], dtype=object)), TypeError, "x"),
    ("sum str", lambda: gilfree.sum("abc"), TypeError, "x"),
    ("sum None", lambda: gilfree.sum(None), TypeError, "x"),
    ("sum axis float", lambda: gilfree.sum(X, axis=1.0), TypeError, "axis"),
    ("sum axis list", lambda: gilfree.sum(X, axis=[0, 1]), TypeError, "axis"),
    ("sum axis tuple repeated", lambda: gilfree.sum(X, axis=(0, -2)), ValueError, "axis"),
    ("argmax axis tuple", lambda: gilfree.argmax(X, axis=(0, 1)), TypeError, "axis"),
    ("sum axis bool", lambda: gilfree.sum(X, axis=True), TypeError, "axis"),
    ("sum axis out of range", lambda: gilfree.sum(X, axis=2), ValueError, "axis"),
    ("mean axis negative out of range", lambda: gilfree.mean(X, axis=-3), ValueError, "axis"),
    ("sum keepdims str", lambda: gilfree.sum(X, keepdims="yes"), TypeError, "keepdims"),
    ("var ddof str", lambda: gilfree.var(X, ddof="1"), TypeError, "ddof"),
    ("std ddof nan", lambda: gilfree.std(X, ddof=float("nan")), ValueError, "ddof"),
    ("min empty", lambda: gilfree.min(np.array([])), ValueError, "x"),
    ("argmax empty axis", lambda: gilfree.argmax(np.zeros((0, 2)), axis=0), ValueError, "x"),
    ("dot 2-d", lambda: gilfree.dot(X, X), ValueError, "a"),
    ("dot b 2-d", lambda: gilfree.dot(I, X), ValueError, "b"),
    ("dot lengths", lambda: gilfree.dot(I, np.arange(4, dtype=np.int32)), ValueError, "b"),
    ("dot complex b", lambda: gilfree.dot(np.ones(2), np.ones(2, dtype=complex)), TypeError, "b"),
    ("sqdist shapes", lambda: gilfree.sqdist(X, np.ones(5)), ValueError, "b"),
    ("sqdist complex a", lambda: gilfree.sqdist(np.ones(2, dtype=complex), np.ones(2)), TypeError, "a"),
    ("norm ord 3", lambda: gilfree.norm(X, ord=3), ValueError, "ord"),
    ("norm ord nuc", lambda: gilfree.norm(X, ord="nuc"), ValueError, "ord"),
    ("norm inf empty", lambda: gilfree.norm(np.array([]), ord=np.inf), ValueError, "x"),
    ("logsumexp axis", lambda: gilfree.logsumexp(X, axis=5), ValueError, "axis"),
    ("softmax complex", lambda: gilfree.softmax(np.ones(3, dtype=complex)), TypeError, "x"),
    ("softmax axis str", lambda: gilfree.softmax(X, axis="last"), TypeError, "axis"),
    ("cumsum axis", lambda: gilfree.cumsum(X, axis=2), ValueError, "axis"),
    ("axpy alpha str", lambda: gilfree.axpy("2", X, X), TypeError, "alpha"),
    ("axpy alpha array", lambda: gilfree.axpy(np.ones(2), X, X), TypeError, "alpha"),
    ("axpy shapes", lambda: gilfree.axpy(1.0, X, np.ones(5)), ValueError, "y"),
    ("axpy out dtype", lambda: gilfree.axpy(1.0, X, X, out=np.zeros((3, 4), np.float32)), TypeError, "out"),
    ("axpy out shape", lambda: gilfree.axpy(1.0, X, X, out=np.zeros((4, 3))), ValueError, "out"),
    ("axpy out list", lambda: gilfree.axpy(1.0, X, X, out=[0.0] * 12), TypeError, "out"),
    ("axpy out read-only", lambda: gilfree.axpy(1.0, RO, RO.copy(), out=RO), ValueError, "out"),
    ("axpy out overlaps y", lambda: gilfree.axpy(1.0, np.ones(3), BUF[1:4], out=BUF[0:3]), ValueError, "out"),
    (
        "axpy out zero stride",
        lambda: gilfree.axpy(
            1.0, np.ones(3), np.ones(3), out=np.lib.stride_tricks.as_strided(np.zeros(1), (3,), (0,))
        ),
        ValueError,
        "out",
    ),
    ("clip lo str", lambda: gilfree.clip(X, "0", 1), TypeError, "lo"),
    ("clip hi str", lambda: gilfree.clip(X, 0, "1"), TypeError, "hi"),
    ("clip out overlap", lambda: gilfree.clip(BUF[1:4], 0, 1, out=BUF[0:3]), ValueError, "out"),
    ("clip out int dtype", lambda: gilfree.clip(X, 0, 1, out=np.zeros((3, 4), np.int64)), TypeError, "out"),
    ("clip object x", lambda: gilfree.clip(np.ones(2, dtype=object), 0, 1), TypeError, "x"),
    ("histogram bins 0", lambda: gilfree.histogram(X, bins=0), ValueError, "bins"),
    ("histogram bins decreasing", lambda: gilfree.histogram(X, bins=[0, 2, 1]), ValueError, "bins"),
    ("histogram bins str", lambda: gilfree.histogram(X, bins="auto"), TypeError, "bins"),
    ("histogram range reversed", lambda: gilfree.histogram(X, range=(2, 1)), ValueError, "range"),
    ("histogram range inf", lambda: gilfree.histogram(X, range=(0, np.inf)), ValueError, "range"),
    ("histogram range scalar", lambda: gilfree.histogram(X, range=3), TypeError, "range"),
    ("histogram nan autodetect", lambda: gilfree.histogram(np.array([np.nan])), ValueError, "x"),
]

BUF = np.zeros(8)


@pytest.mark.parametrize("label,call,exc,arg", BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_malformed_call(label, call, exc, arg):
    before = BUF.copy()
    with pytest.raises(exc) as info:
        call()
    assert str(info.value).startswith(arg + ":"), str(info.value)
    np.testing.assert_array_equal(BUF, before)  # nothing written


def test_at_least_thirty_cases():
    assert len(BAD_CALLS) >= 30


def test_out_may_be_the_input_itself():
    y = np.ones(4)
    assert gilfree.axpy(2.0, np.arange(4.0), y, out=y) is y
    np.testing.assert_array_equal(y, [1.0, 3.0, 5.0, 7.0])
    x = np.arange(6.0)[::2]  # a strided view, clipped in place
    assert gilfree.clip(x, 1.0, 3.0, out=x) is x


def test_disjoint_views_of_one_buffer_are_fine():
    buf = np.arange(8.0)
    gilfree.axpy(1.0, buf[:4], buf[:4], out=buf[4:])
    np.testing.assert_array_equal(buf[4:], [0.0, 2.0, 4.0, 6.0])
    inter = np.arange(8.0)
    gilfree.clip(inter[::2], 0.0, 2.0, out=inter[1::2])  # interleaved, no shared element
    np.testing.assert_array_equal(inter[1::2], [0.0, 2.0, 2.0, 2.0])
