"""The fixed Python of the generated modules (symxent/templates/runtime.py), as a module.

Every generated module runs these parts verbatim; here they run on their own: the argument
checks, the reductions, the division by the "mean" and the block driver over a kernel written
by hand. The golden layer checks that the parts are what the modules hold.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from conftest import GENERATED
from symxent import codegen
from symxent.templates import runtime


def test_every_part_is_in_a_generated_module_verbatim():
    texts = [p.read_text(encoding="utf-8") for p in GENERATED.glob("*.py")]
    parts = codegen.runtime_parts()
    assert set(parts) == {"as_array", "class_axis", "reductions", "class_weights", "scale", "driver",
                          "classes_first", "driver_helpers"}
    for name, text in parts.items():
        assert text and any(text in t for t in texts), f"part {name} is in no generated module"


def test_every_part_is_printed_by_a_template():
    from importlib.resources import files

    templates = "".join(p.read_text(encoding="utf-8") for p in files("symxent.templates").iterdir()
                        if p.name.endswith(".j2"))
    used = set(re.findall(r"\{\{ runtime\.(\w+) \}\}", templates))
    assert used == set(codegen.runtime_parts())


def test_mean_over_nothing_is_nan_and_the_reductions_keep_the_dtype():
    values = np.array([1.0, 2.0, 4.0], np.float32)
    assert runtime._reduce(values, "sum") == np.float32(7) and runtime._reduce(values, "sum").dtype == np.float32
    assert runtime._reduce(values, "mean", 2) == np.float32(3.5)
    assert runtime._reduce(values, "none") is values
    assert np.isnan(runtime._reduce(values[:0], "mean"))
    with pytest.raises(ValueError, match="reduction: 'avg' is not one of"):
        runtime._check_reduction("avg")


def test_the_classes_are_made_the_innermost_axis_only_where_they_are_not():
    """_class_last keeps a view whose class axis is innermost in memory (contiguous, or strided
    along the classes: NumPy reduces along it pairwise) and copies the others C-contiguous."""
    x = np.arange(24.0).reshape(2, 3, 4)
    kept = {"contiguous": (x, -1), "strided classes": (np.repeat(x, 2, axis=-1)[..., ::2], -1),
            "one row": (x[:1, :1].transpose(1, 0, 2), -1), "one class": (x[..., :1].transpose(0, 2, 1), 1)}
    for what, (a, axis) in kept.items():
        moved = runtime._class_last(a, axis, "logits")
        assert np.shares_memory(moved, a), f"{what}: copied, though its classes are innermost"
        np.testing.assert_array_equal(moved, np.moveaxis(a, axis, -1), err_msg=what)
    copied = {"axis 1": (x, 1), "axis 0": (x, 0), "Fortran order": (np.asfortranarray(x), -1),
              "transposed": (x.T, -1)}
    for what, (a, axis) in copied.items():
        moved = runtime._class_last(a, axis, "logits")
        assert moved.flags.c_contiguous and not np.shares_memory(moved, a), f"{what}: classes not made innermost"
        np.testing.assert_array_equal(moved, np.moveaxis(a, axis, -1), err_msg=what)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scaling_multiplies_by_an_exact_reciprocal_or_divides(dtype):
    func, operand = runtime._scaling(8, dtype)
    assert func is np.multiply and operand == dtype(0.125) and operand.dtype == dtype
    tiny = float(np.finfo(dtype).tiny)
    for divisor in (0, 2 / tiny):  # no reciprocal, or a subnormal one: divide instead
        func, operand = runtime._scaling(divisor, dtype)
        assert func is np.divide and operand.dtype == dtype


def test_out_must_be_the_gradients_shape_and_apart_from_the_arguments():
    x = np.zeros((4, 3))
    assert runtime._out(None, x, "logits") is None
    assert runtime._out(x, x, "logits") is x  # the logits' own memory: overwritten
    with pytest.raises(ValueError, match="expected shape"):
        runtime._out(np.zeros((3, 4)), x, "logits")
    with pytest.raises(ValueError, match="overlaps logits"):
        runtime._out(x[::-1], x, "logits")
    target = np.zeros((4, 3))
    with pytest.raises(ValueError, match="overlaps another argument"):
        runtime._out(target, x, "logits", target)
    with pytest.raises(TypeError, match="a NumPy array"):
        runtime._out([[0.0] * 3] * 4, x, "logits")


def _kernel(x, w, out, scratch, scale):
    """x * w per row and its row sums: a hand-written fast kernel with a folded scale."""
    (grad,), (b0,) = out, scratch
    np.multiply(x, w, out=b0)
    total = np.add.reduce(b0, axis=-1, keepdims=True)
    np.multiply(b0, scale, out=grad)
    return total[..., 0], grad


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("classes_first", [False, True])
def test_the_block_driver_agrees_with_one_call(monkeypatch, threads, classes_first):
    monkeypatch.setattr(runtime, "_THREADS", threads)
    monkeypatch.setattr(runtime, "_BLOCK_BYTES", 3 * 5 * 8)  # blocks of 3 rows
    monkeypatch.setattr(runtime, "_PARALLEL_BYTES", 0)
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(10, 5)), rng.normal(size=(10, 5))
    dest = np.empty_like(x)
    kernel = _kernel
    if classes_first:  # the same kernel on (K, rows) blocks: sums over axis 0
        def kernel(x, w, out, scratch, scale):
            (grad,), (b0,) = out, scratch
            np.multiply(x, w, out=b0)
            total = np.add.reduce(b0, axis=0, keepdims=True)
            np.multiply(b0, scale, out=grad)
            return total[0], grad
    totals, grad = runtime._blocked(kernel, 1, (False, True), (x, w), (dest,), (None, 4), classes_first,
                                    scaled=True)
    assert grad is dest
    np.testing.assert_allclose(totals, np.sum(x * w, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(grad, x * w / 4, rtol=1e-12)
    # only the total of the wide output wanted: each block summed in scratch
    _, total = runtime._blocked(kernel, 1, (False, True), (x, w), (None,), (None, None), classes_first, scaled=True)
    np.testing.assert_allclose(total, np.sum(x * w), rtol=1e-12)
