"""The fixed Python of the generated modules (symxent/templates/runtime.py and the templates'
args_<template>.py), as modules.

Every generated module runs these parts verbatim; here they are linted and run on their own: the
argument checks, the reductions, the division by the "mean" and the block driver over kernels
written by hand. The golden layer checks that the parts are what the modules hold.
"""

from __future__ import annotations

import importlib
import re
import threading
from collections import namedtuple
from importlib.resources import files

import numpy as np
import pyflakes.api
import pytest

from conftest import GENERATED, ROOT
from symxent import codegen
from symxent.registry import load_registry
from symxent.templates import runtime


def _module_texts() -> list[str]:
    """The committed modules and those of the example derivations (the generic template's)."""
    examples = load_registry([str(ROOT / "examples" / "derivations")])
    rendered = [f.text for f in codegen.render_registry(examples, ["poly1"])]
    return [p.read_text(encoding="utf-8") for p in GENERATED.glob("*.py")] + rendered


def test_every_part_is_in_a_generated_module_verbatim():
    texts = _module_texts()
    parts = codegen.template_parts()
    assert {"runtime", "args_softmax_cross_entropy", "args_loss_of_logits"} <= set(parts)
    for file, named in parts.items():
        assert named, f"{file}.py has no part"
        for name, text in named.items():
            assert text and any(text in t for t in texts), f"{file}.py: part {name} is in no generated module"


def test_every_part_is_printed_by_a_template():
    templates = "".join(p.read_text(encoding="utf-8") for p in files("symxent.templates").iterdir()
                        if p.name.endswith(".j2"))
    used = set(re.findall(r"\{\{ parts\.(\w+)\.(\w+) \}\}", templates))
    assert used == {(file, name) for file, named in codegen.template_parts().items() for name in named}


PART_FILES = sorted(p.name for p in files("symxent.templates").iterdir() if p.name.endswith(".py")
                    and p.name != "__init__.py")


@pytest.mark.parametrize("name", PART_FILES)
def test_the_parts_files_are_clean_python(name):
    """What the modules copy is linted as the module it is: no undefined or unused name."""
    reporter = _Collect()
    path = files("symxent.templates").joinpath(name)
    pyflakes.api.check(path.read_text(encoding="utf-8"), name, reporter)
    assert not reporter.messages, "\n".join(reporter.messages)


@pytest.mark.parametrize("path", sorted(GENERATED.glob("*.py")), ids=lambda p: p.name)
def test_the_generated_modules_are_clean_python(path):
    reporter = _Collect()
    pyflakes.api.check(path.read_text(encoding="utf-8"), path.name, reporter)
    assert not reporter.messages, "\n".join(reporter.messages)


class _Collect:
    """A pyflakes reporter that keeps its messages."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def unexpectedError(self, filename, message):  # noqa: N802 (pyflakes' names)
        self.messages.append(f"{filename}: {message}")

    def syntaxError(self, filename, message, lineno, offset, text):  # noqa: N802
        self.messages.append(f"{filename}:{lineno}: {message}")

    def flake(self, message):
        self.messages.append(str(message))


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
    def kernel_classes_first(x, w, out, scratch, scale):  # the same kernel on (K, rows) blocks: sums over axis 0
        (grad,), (b0,) = out, scratch
        np.multiply(x, w, out=b0)
        total = np.add.reduce(b0, axis=0, keepdims=True)
        np.multiply(b0, scale, out=grad)
        return total[0], grad

    kernel = kernel_classes_first if classes_first else _kernel
    totals, grad = runtime._blocked(kernel, 1, (False, True), (x, w), (dest,), (None, 4), classes_first,
                                    scaled=True)
    assert grad is dest
    np.testing.assert_allclose(totals, np.sum(x * w, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(grad, x * w / 4, rtol=1e-12)
    # only the total of the wide output wanted: each block summed in scratch
    _, total = runtime._blocked(kernel, 1, (False, True), (x, w), (None,), (None, None), classes_first, scaled=True)
    np.testing.assert_allclose(total, np.sum(x * w), rtol=1e-12)


def test_the_threads_take_blocks_as_they_come_and_the_results_keep_their_order(monkeypatch):
    """A thread held up on its first block leaves the rest to the other, and the per-row values
    and totals still come back in the blocks' order; a kernel's error reaches the caller."""
    monkeypatch.setattr(runtime, "_THREADS", 2)
    monkeypatch.setattr(runtime, "_BLOCK_BYTES", 3 * 5 * 8)  # blocks of 3 rows: 10 of them
    monkeypatch.setattr(runtime, "_PARALLEL_BYTES", 0)
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(30, 5)), rng.normal(size=(30, 5))
    held, ran = threading.Event(), []

    def kernel(x, w, out, scratch, scale):
        ran.append((threading.get_ident(), x[0, 0]))
        if len(ran) == 1:  # the first block waits until another thread has run a block
            held.wait(timeout=10)
        else:
            held.set()
        return _kernel(x, w, out, scratch, scale)

    totals, grad = runtime._blocked(kernel, 1, (False, True), (x, w), (np.empty_like(x),), (None, 4), scaled=True)
    np.testing.assert_array_equal(totals, np.concatenate([np.add.reduce(x[s:s + 3] * w[s:s + 3], axis=-1)
                                                          for s in range(0, 30, 3)]))
    np.testing.assert_allclose(grad, x * w / 4, rtol=1e-12)
    assert sorted(first for _, first in ran) == sorted(x[::3, 0]) and len({thread for thread, _ in ran}) == 2

    def failing(x, w, out, scratch, scale):
        raise FloatingPointError("overflow in a block")

    with pytest.raises(FloatingPointError, match="overflow in a block"):
        runtime._blocked(failing, 1, (False, True), (x, w), (np.empty_like(x),), (None, 4), scaled=True)


def _rows_kernel(x, w, out, scratch, scale):
    """_kernel's fast form as a module's _FAST record holds it (a 2-D block of rows)."""
    return _kernel(x, w, out, scratch, scale)


def _elements_kernel(x, w, out, scratch, scale):
    """x * w scaled, and x + w: an elementwise fast kernel (1-D blocks)."""
    product, total = out
    np.multiply(x, w, out=product)
    np.add(x, w, out=total)
    np.multiply(total, scale, out=total)
    return product, total


_Fast = namedtuple("_Fast", "kernel buffers wide inplace_safe scaled classes_first classes_first_buffers")


@pytest.mark.parametrize("layout", ["contiguous", "strided"])
def test_driven_runs_the_fast_kernel_or_the_plain_one_with_the_same_values(monkeypatch, layout):
    """_driven (rows of classes) and _driven_elements: the block driver for real contiguous
    input, the plain kernel otherwise; the last output divided by the divisor either way."""
    monkeypatch.setattr(runtime, "_BLOCK_BYTES", 3 * 5 * 8)
    monkeypatch.setattr(runtime, "_ELEMENTWISE_BLOCK_BYTES", 7 * 8)
    monkeypatch.setattr(runtime, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(runtime, "_FAST", {
        "rows": _Fast(_rows_kernel, 1, (False, True), (True,), True, None, None),
        "elements": _Fast(_elements_kernel, 0, (True, True), (True, True), True, None, None)})
    monkeypatch.setattr(runtime, "_PLAIN", {"rows": lambda x, w: (np.sum(x * w, axis=-1), x * w),
                                            "elements": lambda x, w: (x * w, x + w)})
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(2, 5, 5)), rng.normal(size=(2, 5, 5))
    if layout == "strided":
        x, w = np.repeat(x, 2, axis=-1)[..., ::2], np.repeat(w, 2, axis=-1)[..., ::2]
    totals, grad = runtime._driven("rows", (x, w), (), 4)
    np.testing.assert_allclose(totals, np.sum(x * w, axis=-1), rtol=1e-12, err_msg=f"{layout}: _driven's totals")
    np.testing.assert_allclose(grad, x * w / 4, rtol=1e-12, err_msg=f"{layout}: _driven's gradient")
    assert totals.shape == x.shape[:-1] and grad.shape == x.shape
    product, total = runtime._driven_elements("elements", (x, w), (), 4)
    np.testing.assert_allclose(product, x * w, rtol=1e-12, err_msg=f"{layout}: _driven_elements' first output")
    np.testing.assert_allclose(total, (x + w) / 4, rtol=1e-12, err_msg=f"{layout}: _driven_elements' last output")
    assert product.shape == total.shape == x.shape


def _args(name):
    return importlib.import_module(f"symxent.templates.args_{name}")


# (args file, function, arguments, error, message): a bad argument, named in the message
BAD_ARGUMENTS = [
    ("softmax", "_pair", (np.zeros((2, 3)), np.zeros((2, 4))), ValueError, "v: shape"),
    ("softmax_cross_entropy", "_smoothing", (1.5,), ValueError, "label_smoothing: 1.5 is outside"),
    ("softmax_cross_entropy", "_smoothing", ("0.1",), TypeError, "label_smoothing: expected a number"),
    ("focal_loss", "_gamma", (-1.0, np.float32), ValueError, "gamma: -1.0 is negative"),
    ("focal_loss", "_alpha", ([1.0, -1.0], 2, np.float64), ValueError, "alpha: class weights must be"),
    ("distillation", "_temperature", (0.0, np.float64), ValueError, "temperature: 0.0 is not"),
    ("distillation", "_t2", ("yes",), TypeError, "t2_scaling: expected True or False"),
    ("binary_focal_loss", "_prepare", (np.zeros(2), np.zeros(2), 1.5, 2.0), ValueError, "alpha: 1.5 is greater"),
    ("binary_focal_loss", "_prepare", (np.zeros(2), np.full(2, 2.0), 0.25, 2.0), ValueError, "target: values"),
    ("binary_cross_entropy", "_clamp", (1.0, np.float64), ValueError, "log_clamp: 1.0 must be"),
    ("binary_cross_entropy", "_prepare", (np.full(2, 1.5), np.zeros(2), None), ValueError, "probs: probabilities"),
    ("binary_cross_entropy_with_logits", "_prepare", (np.zeros(2), np.zeros(2), None, np.zeros(3)), ValueError,
     "pos_weight: shape \\(3,\\) does not broadcast to the shape of logits"),
    ("loss_of_logits", "_prepare", (np.zeros((2, 3)), np.array([0, 1]), -1, -0.5), ValueError,
     "gamma: -0.5 is out of range; valid: a number >= 0"),
    ("loss_of_logits", "_prepare", (np.zeros((2, 3)), np.array([0, 3]), -1, 1.0), ValueError,
     "target: class index 3 is out of range"),
]


@pytest.mark.parametrize("name, function, arguments, error, message", BAD_ARGUMENTS,
                         ids=[f"{b[0]}.{b[1]}-{n}" for n, b in enumerate(BAD_ARGUMENTS)])
def test_the_argument_checks_name_the_argument(name, function, arguments, error, message):
    with pytest.raises(error, match=message):
        getattr(_args(name), function)(*arguments)


def test_the_generic_templates_parameters_are_checked_and_kept_in_the_logits_dtype():
    z, t, is_index, params = _args("loss_of_logits")._prepare(np.zeros((2, 3), np.float32), np.array([0, 2]), -1, 2)
    assert is_index and t.dtype == np.intp and params[0].dtype == np.float32 and params[0] == 2
    z, y, is_index, _ = _args("loss_of_logits")._prepare(np.zeros((2, 3)), np.full((2, 3), 1 / 3), -1, 0.0)
    assert not is_index and y.shape == (2, 3)
