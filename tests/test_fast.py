"""The fast path: the in-place kernels, the block driver and ``out=``.

The numeric layer (``symxent verify``) already runs every ``_fast_`` kernel through the driver
against the plain kernel (test_numeric.py asserts those checks pass); these tests add that
such a check can fail, and the public functions' behaviour with ``out=``.
"""

from __future__ import annotations

import ast
import inspect
import re
import warnings

import numpy as np
import pytest

from conftest import GENERATED, REGISTRY, load_module
from symxent import codegen, verify

# (derivation, module, kernel) for every kernel the module runs through its block driver.
FAST = [(d, m, k) for d in REGISTRY.values() for m in d.modules for k in m.kernels
        if k.name in getattr(load_module(m.name), "_FAST", {})]
# Modules whose public gradient takes out=.
OUT_MODULES = sorted({m.name for d, m, _ in FAST
                      if "out" in inspect.signature(getattr(load_module(m.name), "loss_and_grad", lambda: None)).parameters})


def test_the_loss_kernels_have_fast_forms():
    names = {(m.name, k.name) for _, m, k in FAST}
    for needed in [("softmax_cross_entropy", "loss_and_grad_index"), ("softmax_cross_entropy", "loss_and_grad_probs"),
                   ("softmax_cross_entropy", "loss_and_grad_index_options"),
                   ("binary_cross_entropy_with_logits", "loss_and_grad")]:
        assert needed in names, f"{needed} has no fast form; fast: {sorted(names)}"
    assert {"softmax_cross_entropy", "binary_cross_entropy_with_logits"} <= set(OUT_MODULES)


@pytest.mark.parametrize("case", FAST, ids=[f"{m.name}._{k.name}" for _, m, k in FAST])
def test_a_wrong_fast_kernel_fails_the_check(case):
    d, module, kernel = case
    generated = verify.load_generated(codegen.render_module(d, module).text, module.name)
    entry = generated._FAST[kernel.name]
    wide = entry.wide

    def wrong(func):
        def kernel(*args):
            values = func(*args)
            for v, w in zip(values, wide):
                if w:
                    v *= 1.001  # a destination is used as written, not as returned
            return tuple(v if w else v * 1.001 for v, w in zip(values, wide))  # every output off by 0.1%
        return kernel

    variants = {"rows": entry._replace(kernel=wrong(entry.kernel))}
    if entry.classes_first is not None:
        variants["classes first"] = entry._replace(classes_first=wrong(entry.classes_first))
    for layout, entry in variants.items():
        generated._FAST[kernel.name] = entry
        checks = verify._kernel_blocked(d, module, kernel, generated, np.random.default_rng(0))
        failed = [c.subject for c in checks if not c.ok]
        assert failed, f"{module.name}._fast_{kernel.name} ({layout}): a 0.1% error passed"


def _inputs(module, rng, dtype, n=37):
    if module == "softmax_cross_entropy":
        return rng.normal(0, 3, (n, 11)).astype(dtype), rng.integers(0, 11, n)
    return rng.normal(0, 3, (n, 5)).astype(dtype), rng.random((n, 5)).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", OUT_MODULES)
def test_out_is_filled_and_returned(name, reduction, dtype):
    m = load_module(name)
    logits, target = _inputs(name, np.random.default_rng(1), dtype)
    value, expected = m.loss_and_grad(logits, target, reduction=reduction)
    out = np.full_like(logits, np.nan)
    value2, g = m.loss_and_grad(logits, target, reduction=reduction, out=out)
    assert g is out, f"{name}: loss_and_grad(out=) did not return out"
    np.testing.assert_array_equal(out, expected, err_msg=f"{name}: gradient written to out differs")
    np.testing.assert_array_equal(value2, value, err_msg=f"{name}: loss changed by out=")
    assert m.grad(logits, target, reduction=reduction, out=out) is out


@pytest.mark.parametrize("name", OUT_MODULES)
def test_out_may_be_the_logits(name):
    m = load_module(name)
    logits, target = _inputs(name, np.random.default_rng(2), np.float32)
    value, expected = m.loss_and_grad(logits, target)
    buffer = logits.copy()
    value2, g = m.loss_and_grad(buffer, target, out=buffer)
    assert g is buffer
    np.testing.assert_array_equal(buffer, expected, err_msg=f"{name}: gradient written over the logits differs")
    assert value2 == value, f"{name}: loss {value2} != {value} when the gradient overwrites the logits"


@pytest.mark.parametrize("name", OUT_MODULES)
def test_out_may_be_the_logits_over_many_blocks_and_threads(name):
    # Kernels that write the gradient's destination before they last read the logits: the
    # driver reads a copy of each block when out is the logits (blocks of 3 rows, 2 threads).
    m = load_module(name)
    rng = np.random.default_rng(6)
    if name == "softmax_cross_entropy":  # more classes than the classes-first form takes
        logits, target = rng.normal(0, 3, (301, 40)), rng.integers(0, 40, 301)
    else:
        logits, target = _inputs(name, rng, np.float64, n=301)
    value, expected = m.loss_and_grad(logits, target)
    assert any(entry.inplace_safe and not entry.inplace_safe[-1] for entry in m._FAST.values())
    saved = m._BLOCK_BYTES, m._ELEMENTWISE_BLOCK_BYTES, m._THREADS, m._PARALLEL_BYTES
    try:
        m._BLOCK_BYTES = m._ELEMENTWISE_BLOCK_BYTES = 3 * logits[0:1].nbytes
        m._THREADS, m._PARALLEL_BYTES = 2, 0
        for layout in ("rows", "flat"):
            buffer = logits.copy() if layout == "rows" else logits.copy().reshape(-1)
            view = buffer.reshape(logits.shape)
            if name != "softmax_cross_entropy" and layout == "flat":
                m._ELEMENTWISE_BLOCK_BYTES = 3 * buffer[0:1].nbytes
                value2, g = m.loss_and_grad(buffer, target.reshape(-1), out=buffer)
                g = g.reshape(logits.shape)
            else:
                value2, g = m.loss_and_grad(view, target, out=view)
            np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-15,
                                       err_msg=f"{name} ({layout}): gradient written over the logits differs")
            np.testing.assert_allclose(value2, value, rtol=1e-12)
    finally:
        m._BLOCK_BYTES, m._ELEMENTWISE_BLOCK_BYTES, m._THREADS, m._PARALLEL_BYTES = saved


@pytest.mark.parametrize("name", OUT_MODULES)
def test_bad_out_is_refused(name):
    m = load_module(name)
    logits, target = _inputs(name, np.random.default_rng(3), np.float64)
    bad = {"wrong shape": np.empty((3, 3)), "wrong dtype": logits.astype(np.float32), "not an array": [0.0]}
    read_only = np.empty_like(logits)
    read_only.flags.writeable = False
    bad["read-only"] = read_only
    for what, out in bad.items():
        try:
            m.loss_and_grad(logits, target, out=out)
        except (ValueError, TypeError) as exc:
            assert str(exc).startswith("out:"), f"{name}, out {what}: the message does not name out: {exc}"
        else:
            pytest.fail(f"{name}: an out of {what} was accepted")
    shifted = logits.copy()
    with pytest.raises(ValueError, match="overlaps"):
        m.loss_and_grad(shifted[1:], target[1:], out=shifted[:-1])


@pytest.mark.parametrize("name", OUT_MODULES)
def test_many_blocks_and_threads_give_the_same_values(name):
    m = load_module(name)
    logits, target = _inputs(name, np.random.default_rng(4), np.float64, n=1001)
    value, expected = m.loss_and_grad(logits, target, reduction="none")
    saved = m._BLOCK_BYTES, m._ELEMENTWISE_BLOCK_BYTES, m._THREADS
    try:
        for block, threads in ((1, 1), (7 * logits[0:1].nbytes, 2), (10**9, 2)):
            m._BLOCK_BYTES = m._ELEMENTWISE_BLOCK_BYTES = block
            m._THREADS = threads
            v, g = m.loss_and_grad(logits, target, reduction="none")
            np.testing.assert_allclose(g, expected, rtol=1e-13, atol=1e-16,
                                       err_msg=f"{name}: blocks of {block} bytes on {threads} threads")
            np.testing.assert_allclose(v, value, rtol=1e-13, err_msg=f"{name}: loss, blocks of {block} bytes")
    finally:
        m._BLOCK_BYTES, m._ELEMENTWISE_BLOCK_BYTES, m._THREADS = saved


@pytest.mark.parametrize("name", OUT_MODULES)
def test_a_forked_child_gets_a_new_pool(name):
    import multiprocessing

    m = load_module(name)
    logits, target = _inputs(name, np.random.default_rng(5), np.float64, n=200_000)
    expected = m.loss(logits, target)  # starts the parent's pool
    assert m._POOL, f"{name}: no thread pool after a call on {logits.nbytes} bytes"
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=lambda: send.send(float(m.loss(logits, target))))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # Python 3.12 warns of fork with threads
        child.start()
    try:
        assert receive.poll(60), f"{name}: the forked child hung (the parent's pool has no threads there)"
        value = receive.recv()
    finally:
        child.join(10)
        if child.is_alive():
            child.kill()
    assert value == expected, f"{name}: child {value} != parent {expected}"


def test_a_call_without_out_gets_no_fast_form():
    import sympy as sp

    x = sp.Symbol("x")
    builder = codegen._FastBuilder(codegen.ClassAxisPrinter("x"), frozenset({"x"}))
    written = builder.wide(sp.exp(x))  # a ufunc: written with out= into a register
    assert isinstance(written, codegen.Reg)
    assert builder.code[-1] == codegen.Instr("ufunc", written, "np.exp", (codegen.Value("x", frozenset({"x"})),),
                                             inputs=frozenset({"x"}))
    for plain_call in (sp.sinc(x), sp.Piecewise((x, x > 0), (0, True))):  # np.sinc, np.select: no out=
        with pytest.raises(codegen._Unsupported):
            builder.wide(plain_call)


def test_instructions_are_allocated_and_printed_once():
    import sympy as sp

    # exp(x) is read by both outputs: it lives in the destination written last (out1) until
    # that output replaces it, so the kernel needs no scratch buffer; the same product asked
    # for twice is one instruction.
    x = sp.Symbol("x")
    builder = codegen._FastBuilder(codegen.ClassAxisPrinter("x", blocks=True), frozenset({"x"}))
    builder.define(sp.Symbol("t0"), sp.exp(x))
    product = builder.wide(sp.Symbol("t0") * x)
    total = builder.wide(sp.Symbol("t0") + x)
    assert builder.wide(sp.Symbol("t0") * x) == product and len(builder.code) == 3
    kernel = codegen.Kernel("k", (("x", x),), ())
    fast = codegen._fast_render(kernel, builder, [product, total], (True, True), False, "x", builder.printer)
    body = [line.strip() for line in fast.source.splitlines()]
    assert body[body.index("out0, out1, = out") + 1:-1] == [
        "np.exp(x, out=out1)", "np.multiply(out1, x, out=out0)", "np.add(out1, x, out=out1)"]
    assert fast.buffers == 0 and fast.passes == 3
    assert fast.inplace_safe == (False, False)  # x is still read after each destination is first written


def test_a_destination_holds_only_values_that_die_before_its_output():
    import sympy as sp

    # In the builder's order a = exp(x) is read by the last step, so it cannot wait in out0
    # (written at the third step): it takes out1, whose output replaces it in place, and
    # b = a * x, read after out0 is written, takes a scratch buffer. Computing the second
    # output first needs none (b waits in out0, whose output then replaces it).
    x = sp.Symbol("x")
    builder = codegen._FastBuilder(codegen.ClassAxisPrinter("x", blocks=True), frozenset({"x"}))
    a = builder.wide(sp.exp(x))
    b = builder._ufunc("multiply", a, codegen.Value("x", frozenset({"x"})))
    first = builder._ufunc("add", b, codegen.Value("2"))
    second = builder._ufunc("add", a, b)
    kernel = codegen.Kernel("k", (("x", x),), ())
    orders = codegen._schedules(builder.code, [first, second])
    assert orders[0] == builder.code and len(orders) == 2
    for order in orders:
        allocation = codegen._allocate(order, [first, second], (True, True), ["out0", "out1"], {}, True)
        assert allocation.buffers == (1 if order == builder.code else 0)
        bound = allocation.binding
        assert bound[first] == "out0" and bound[second] == "out1"
        where = [instr.dest for instr in order]
        for r, slot in bound.items():
            if slot.startswith("out") and r not in (first, second):
                written = where.index(first if slot == "out0" else second)
                assert all(where.index(instr.dest) <= written for instr in order if r in instr.reads), \
                    f"{r} in {slot} is read after {slot}'s output is written"
    fast = codegen._fast_render(kernel, builder, [first, second], (True, True), False, "x", builder.printer)
    assert fast.buffers == 0, fast.source


def test_log1p_is_numpys_log1p():
    import sympy as sp
    from sympy.codegen.cfunctions import log1p

    # NumPy's log1p, as fast here as log(1 + x) with its rounding corrected (a log and five
    # passes) and more accurate in float32: no corrected log, also on the unit interval.
    x = sp.Symbol("x")
    builder = codegen._FastBuilder(codegen.ClassAxisPrinter("x", blocks=True), frozenset({"x"}))
    builder.wide(log1p(sp.exp(-sp.Abs(x))))
    builder.wide(log1p(x))
    calls = [instr.func for instr in builder.code]
    assert calls == ["np.absolute", "np.negative", "np.exp", "np.log1p", "np.log1p"], calls


def test_a_step_is_a_comparison_in_the_fast_kernels():
    import sympy as sp

    # H(x) with H(0) = 1 or 0 is x >= 0 or x > 0 written into the block's buffer (np.heaviside
    # costs 25 comparisons); another value at 0 keeps np.heaviside.
    x = sp.Symbol("x")
    builder = codegen._FastBuilder(codegen.ClassAxisPrinter("x", blocks=True), frozenset({"x"}))
    for h in (sp.Heaviside(x, 1), sp.Heaviside(x, 0), sp.Heaviside(x)):
        builder.wide(h)
    assert [(i.func, i.operands[-1].text) for i in builder.code] == [
        ("np.greater_equal", "0"), ("np.greater", "0"), ("np.heaviside", "0.5")]
    for dtype in (np.float32, np.float64):
        values = np.array([-np.inf, -1, -0.0, 0, 1e-300 if dtype == np.float64 else 1e-40, np.inf], dtype)
        out = np.empty_like(values)
        np.greater_equal(values, 0, out=out)
        np.testing.assert_array_equal(out, np.heaviside(values, 1.0))
        np.greater(values, 0, out=out)
        np.testing.assert_array_equal(out, np.heaviside(values, 0.0))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("into", ["fresh", "y", "x"])
def test_xmuly_in_is_xmuly_written_into_out(dtype, into):
    # The fast kernels' 0 * inf = 0 product into a buffer that may be either operand: the same
    # values as the plain helper wherever the infinities are (+inf, -inf alone, beside a nan),
    # and no warning on the way.
    namespace = {"np": np}
    exec(codegen.HELPERS["_xmuly"] + codegen.HELPERS["_xmuly_in"], namespace)
    rng = np.random.default_rng(5)
    for special in ([], [-np.inf], [np.inf], [np.nan], [np.inf, -np.inf, np.nan]):
        y = rng.standard_normal(64).astype(dtype)
        x = rng.standard_normal(64).astype(dtype)
        x[::3] = 0
        for n, value in enumerate(special):
            y[3 * n] = y[3 * n + 1] = value  # one beside a zero x, one beside a nonzero x
        expected = namespace["_xmuly"](x, y)
        x_, y_ = x.copy(), y.copy()
        out = {"fresh": np.empty_like(y), "y": y_, "x": x_}[into]
        with warnings.catch_warnings(), np.errstate(all="raise"):
            warnings.simplefilter("error")
            namespace["_xmuly_in"](y_, x_, out=out)
        np.testing.assert_array_equal(out, expected, err_msg=f"{special} into {into}")
        assert out.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_confident_bce_keeps_its_tiny_loss(dtype):
    # BCE with logits where the label agrees with a large |z| (y = 1, z >> 1 or y = 0, z << -1)
    # is log1p(exp(-|z|)) alone. It survives only if max(z, 0) - z y (exactly 0 there) is formed
    # before the log term is added, and if log1p is not an uncorrected log(1 + x), which rounds
    # it to 0 in float32. Both the fast kernels (contiguous input) and the plain ones (strided).
    m = load_module("binary_cross_entropy_with_logits")
    size = np.array([5.0, 15.0, 20.0, 40.0, 80.0, 700.0])
    size = size[np.exp(-size) > np.finfo(dtype).tiny]  # terms the dtype can hold
    z = np.concatenate([size, -size]).astype(dtype)
    y = (z > 0).astype(dtype)
    exact = np.log1p(np.exp(-np.abs(z).astype(np.longdouble)))
    for path, (zz, yy) in {"fast": (z, y), "plain": (np.repeat(z, 2)[::2], np.repeat(y, 2)[::2])}.items():
        value = m.loss(zz, yy, reduction="none")
        ulps = np.abs(value - exact) / np.spacing(exact.astype(dtype))
        assert np.all(ulps <= 4), f"{dtype.__name__} {path}: loss at z={z} is {value}, exact {exact} ({ulps} ulps)"


def _fast_forms(derivation: str, module: str, kernel: str) -> codegen.KernelSource:
    d = REGISTRY[derivation]
    m = next(m for m in d.modules if m.name == module)
    return codegen.kernel_source(d, next(k for k in m.kernels if k.name == kernel))


def test_the_mean_divisor_folds_into_the_softmax_gradient():
    # p = e * (1/s) becomes e * (scale/s): the driver's division costs no pass of its own.
    source = _fast_forms("softmax_cross_entropy", "softmax_cross_entropy", "loss_and_grad_index")
    # in-place calls as without the factor, none for the mean: rows first, two (the
    # exponentials, one pass where their shift is 0; the product); classes first, three (the
    # max shift, exp, the product)
    for fast, passes in ((source.fast, 2), (source.fast0, 3)):
        assert fast.scaled, fast.source
        assert "scale/" in fast.source and ", scratch, scale):" in fast.source
        assert fast.passes == fast.source.count("out=") == passes, fast.source


def test_the_target_logit_is_the_shift_only_where_it_saves_passes():
    # exp(z - max z) as exp(z) / exp(z_c): where nothing else reads the block's z - max z, the
    # rows-first fast kernels form neither the max nor z - max z; the probability targets'
    # loss reads every z_k - max z (and has no z_c), so there the max shift stays, and so it
    # does where another class-sized array (v) multiplies the exponentials, which could then
    # overflow. The plain kernels never change, nor do the classes-first ones (K <= 16: see
    # codegen.kernel_source).
    for kernel, pivoted in (("loss_and_grad_index", True), ("loss_index", True), ("hvp", False),
                            ("loss_and_grad_probs", False), ("loss_and_grad_index_options", False)):
        source = _fast_forms("softmax_cross_entropy", "softmax_cross_entropy", kernel)
        for fast, expected in ((source.fast, pivoted), (source.fast0, False)):
            assert ("np.exp(z, out=" in fast.source) == expected, fast.source
            assert ("np.maximum.reduce(z" not in fast.source) == expected, fast.source
            assert (f"return _redo_rows(redo, _{kernel}, (z, c), " in fast.source) == expected, fast.source
            assert not expected or fast.inplace_safe == (False,) * len(fast.inplace_safe), fast.source
        assert "_pivot_rows(" not in source.source and "_redo_rows(" not in source.source, source.source


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_the_pivot_form_leaves_are_redone_with_the_max_shift(dtype):
    # Rows whose exponentials sum below 1, overflow, or hold nan, and rows whose target's
    # exponential is below the smallest normal number, are computed again by the plain kernel
    # (the max shift); the others are exp(z) / exp(z_c). Each row's values are the same in any
    # block, bitwise, a confident row keeps a loss of exactly 0, and the caller's np.errstate
    # applies to the redone rows alone (the overflow of exp(z) in the others is not an error).
    m = load_module("softmax_cross_entropy")
    big = np.log(np.finfo(dtype).max) - 1
    rows = np.array([[3.0, 1.0, -2.0, 0.5], [-5.0, -7.0, -6.0, -9.0], [big, big - 3, 0.0, -1.0],
                     [60.0, -60.0, -40.0, 0.0], [0.0, -1.0, -2.0, -3.0], [2.0, 2.0, 2.0, 2.0],
                     [big + 3, big + 2, 0.0, 1.0], [-800.0, 0.0, 1.0, 2.0]], dtype)
    # 20 classes (the rows layout; up to 16 run classes first, always with the max shift), the
    # others below each row's smallest
    rows = np.concatenate([rows, np.repeat(rows.min(axis=1, keepdims=True) - 1, 16, axis=1)], axis=1)
    target = np.array([0, 1, 0, 0, 0, 3, 1, 0])
    exps = np.exp(rows.astype(np.longdouble))
    redone = (exps.sum(axis=1) < 1) | (exps.sum(axis=1) > np.finfo(dtype).max) | (
        exps[np.arange(len(rows)), target] < np.finfo(dtype).tiny)
    assert list(redone) == [False, True, False, False, False, False, True, True], redone
    with np.errstate(all="raise"):  # exp(z) overflows in row 6, redone with the max shift
        both = m.loss_and_grad(rows, target, reduction="none")
    assert both[0][3] == 0, both[0]  # exp(-120) and less beside exp(60): the loss is log(1) = 0
    for r in range(len(rows)):
        alone = m.loss_and_grad(rows[r:r + 1], target[r:r + 1], reduction="none")
        for k, what in enumerate(("loss", "grad")):
            np.testing.assert_array_equal(alone[k][0], both[k][r], err_msg=f"{dtype.__name__} row {r}: {what}")
    exact = m._loss_and_grad_index(rows.astype(np.longdouble), target)  # the plain kernel, wider
    for k, what in enumerate(("loss", "grad")):
        # log near 1 (row 2's loss, 0.049) has a condition number of 20: a few ulps of the sum.
        # The gradient within an ulp of 1, the size of p - y: a confident row's p_c - 1 (true
        # -1e-52) is e^60 (1 / e^60) - 1, which may be -eps/2 where the max-shifted 1 - 1 is 0.
        atol = np.finfo(dtype).tiny if what == "loss" else np.finfo(dtype).eps
        np.testing.assert_allclose(both[k], exact[k].astype(dtype), rtol=64 * np.finfo(dtype).eps,
                                   atol=atol, err_msg=f"{dtype.__name__}: {what}")
    # the redone rows are the plain kernel's values (the gradient times the mean's 1/N, the
    # kernel's scale, as the driver folds it)
    plain = m._loss_and_grad_index(rows[redone], target[redone])
    fast = m.loss_and_grad(rows, target, reduction="none")
    np.testing.assert_array_equal(fast[0][redone], plain[0])
    np.testing.assert_array_equal(fast[1][redone], plain[1])


def test_the_divisor_is_not_folded_where_it_would_cost_a_pass():
    # Elementwise BCE has no per-sample factor to absorb it: the driver keeps its own pass.
    source = _fast_forms("binary_cross_entropy", "binary_cross_entropy_with_logits", "loss_and_grad")
    assert source.fast is not None and not source.fast.scaled
    assert ", scratch):" in source.fast.source


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("classes", [5, 40])  # classes first (few classes) and rows
def test_a_folded_divisor_gives_the_mean_gradient(classes, dtype):
    generated = load_module("softmax_cross_entropy")
    rng = np.random.default_rng(1)
    z = rng.normal(0, 3, (301, classes)).astype(dtype)
    c = rng.integers(0, classes, 301)
    total = generated.loss_and_grad(z, c, reduction="sum")[1]
    mean = generated.loss_and_grad(z, c, reduction="mean")[1]
    assert mean.dtype == dtype
    # p_c - 1 cancels where p_c is near 1: an entry is good to a few ulps of the largest, not of itself
    expected = total / 301
    np.testing.assert_allclose(mean, expected, rtol=0, atol=4 * np.finfo(dtype).eps * np.abs(expected).max())


def _names_printed(name: str) -> dict[str, list[str]]:
    """Kernel function -> the names it assigns, in order (generated/<name>.py)."""
    tree = ast.parse((GENERATED / f"{name}.py").read_text(encoding="utf-8"))
    out = {}
    for fn in tree.body:
        if isinstance(fn, ast.FunctionDef) and any(isinstance(node, ast.With) for node in fn.body) and \
                fn.name in {f"{p}{k}" for k in load_module(name)._PLAIN for p in ("_", "_fast_", "_fast0_")}:
            assigned = [n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)]
            out[fn.name] = list(dict.fromkeys(assigned))
    return out


@pytest.mark.parametrize("name", sorted(p.stem for p in GENERATED.glob("*.py")))
def test_temporaries_are_named_or_numbered_without_gaps(name):
    for kernel, assigned in _names_printed(name).items():
        numbered = [int(n[1:]) for n in assigned if re.fullmatch(r"t\d+", n)]
        assert numbered == list(range(len(numbered))), f"{name}.{kernel}: temporaries {assigned}"
        assert not [n for n in assigned if re.fullmatch(r"[nr]\d+", n)], f"{name}.{kernel}: {assigned}"


def test_the_softmax_temporaries_carry_the_derivations_names():
    names = _names_printed("softmax_cross_entropy")
    assert {"exp_z_c", "sum_exp_z", "redo"} <= set(names["_fast_loss_and_grad_index"]), names
    assert {"max_z", "minus_max_z", "sum_exp_shifted"} <= set(names["_fast_loss_and_grad_probs"]), names
    assert ["shifted", "exp_shifted", "sum_exp_shifted"] == names["_loss_and_grad_probs"], names


def test_names_are_composed_from_a_table_of_operations():
    import sympy as sp
    from sympy.codegen.cfunctions import log1p

    z, c, y, eps, t0 = (sp.Symbol(n) for n in ("z", "c", "y", "eps", "t0"))
    max_z = codegen.Reduce(sp.Symbol("max"), z, sp.true)
    names = codegen.TemporaryNames(["z", "c", "y", "eps", "K"])
    cases = [  # (expression, its name); None: no short name, numbered
        (max_z, "max_z"), (-max_z, "minus_max_z"), (z - max_z, "shifted"),
        (codegen.Take(z, c, sp.Symbol("...")) - max_z, "shifted_c"),
        (sp.exp(sp.UnevaluatedExpr(z - max_z)), "exp_shifted"),
        (codegen.Reduce(sp.Symbol("sum"), sp.exp(z - max_z), sp.true), "sum_exp_shifted"),
        (1 / codegen.Reduce(sp.Symbol("sum"), sp.exp(z - max_z), sp.true), "inv_sum_exp_shifted"),
        (1 - y, "one_minus_y"), (codegen.Ref(eps, sp.Symbol("..., None")), "eps_bcast"),
        (log1p(sp.exp(-sp.Abs(z))), "log1p_exp_minus_abs_z"),
        (sp.exp(z) / (1 + sp.exp(z) * y), None),  # three terms deep and more: numbered
    ]
    for expression, name in cases:
        assert names.describe(expression) == name, (expression, names.describe(expression), name)
    # a temporary that holds -max z is read as such: z + t0 is the shifted logits
    assert names.new(-max_z, t0) == "minus_max_z" and names.describe(z + t0) == "shifted"
    assert names.new(sp.exp(z) * y + z * eps) == "t0" and names.new(None) == "t1"  # numbered in order
