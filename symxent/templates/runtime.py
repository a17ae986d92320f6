"""The fixed Python of the generated modules: argument checks, reductions, the block driver.

Contract: each part below, from its ``#: part <name>`` line to the next, is copied verbatim into
every generated module whose template includes it (``_checks.py.j2`` and ``_blocked.py.j2``
print ``{{ runtime.<name> }}``; ``codegen.runtime_parts`` reads them), so what a module runs is
this file's code, which linters read and ``tests/test_runtime.py`` imports and tests. This
header is never copied: it holds the imports the generated modules make themselves and an
empty ``_FAST``, which each module fills with its own fast kernels. NumPy and the standard
library only.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor, wait

import numpy as np

_FAST: dict = {}  # name -> _Fast record; each generated module defines its own
_PLAIN: dict = {}  # name -> plain kernel; likewise


#: part as_array
def _as_array(x, name):
    """``x`` as a floating or complex array; integers and booleans become float64."""
    try:
        a = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise TypeError(f"{name}: expected a numeric array, got {type(x).__name__} ({exc})") from None
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    if a.dtype.kind not in "fc":
        raise TypeError(f"{name}: expected a numeric array, got dtype {a.dtype}")
    return a


#: part class_axis
def _class_last(x, axis, name):
    """Move the class axis of ``x`` to the end; it must exist and be non-empty."""
    if x.ndim == 0:
        raise ValueError(f"{name}: expected at least one axis (the class axis), got a scalar")
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool) or not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis: {axis!r} is not an axis of {name} with shape {x.shape}; valid: -{x.ndim}..{x.ndim - 1}")
    if x.shape[axis] == 0:
        raise ValueError(f"{name}: the class axis {axis} is empty (shape {x.shape})")
    return _classes_inner(_move(x, axis, -1))


def _classes_inner(x):
    """``x`` (class axis last), or a C-contiguous copy of it where the class axis is not its
    innermost axis in memory ((N, C, d) data with axis=1, a transposed array): NumPy adds a
    reduction along the innermost axis pairwise (an error of order log2(K) ulp) but one over an
    outer axis one term after another (of order K ulp: 2.3e-5 relative in float32 at K = 1000),
    and it lays out each temporary as its inputs, so a kernel's sums over classes would be that
    inaccurate. The copy also lets real float32/float64 logits take the fast kernels."""
    if x.ndim < 2 or x.shape[-1] < 2:
        return x
    inner = abs(x.strides[-1])
    if all(n < 2 or abs(s) >= inner for n, s in zip(x.shape[:-1], x.strides[:-1])):
        return x
    return np.ascontiguousarray(x)


def _move(x, source, destination):
    """``np.moveaxis(x, source, destination)``, without its cost (tens of microseconds, which
    small batches notice) when the axis stays where it is, as for the default axis=-1."""
    if x.ndim and source % x.ndim == destination % x.ndim:
        return x
    return np.moveaxis(x, source, destination)


#: part reductions
_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction: {reduction!r} is not one of {', '.join(map(repr, _REDUCTIONS))}")


def _reduce(values, reduction, divisor=None):
    """"none": the values; "sum": their total; "mean": the total over ``divisor`` (by default
    the number of values), nan when the divisor is 0 (an empty batch) as in PyTorch."""
    if reduction == "none":
        return values
    total = np.add.reduce(values, axis=None)  # np.sum without its wrapper's cost (~2 us)
    if reduction == "sum":
        return total
    divisor = values.size if divisor is None else divisor
    if divisor == 0:  # a mean over nothing (no samples, or zero total weight) is undefined
        return np.full((), np.nan, dtype=total.dtype)
    return total / total.dtype.type(divisor)


def _number(value, name, valid):
    """A real, finite Python/NumPy number (not a bool), else TypeError/ValueError naming ``name``."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]  # a 0-d array is the number it holds, as np.float32 is
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number ({valid}), got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{name}: {value!r} is not finite; valid: {valid}")
    return float(value)


#: part class_weights
def _class_weights(weight, k, dtype, name="weight"):
    """``weight`` as a length-K array of ``dtype``; None stays None (every class weighs 1)."""
    if weight is None:
        return None
    w = _as_array(weight, name)
    if w.shape != (k,):
        raise ValueError(f"{name}: expected one weight per class, shape ({k},); got shape {w.shape}")
    if w.dtype.kind == "c" or not np.all(w >= 0):
        raise ValueError(f"{name}: class weights must be real and non-negative (and not nan)")
    return w.astype(dtype, copy=False)


#: part weights
def _weights(value, name, shape, dtype, of):
    """An optional non-negative weight broadcast to ``shape``, that of the argument ``of`` (a
    view), or None."""
    if value is None:
        return None
    a = _as_array(value, name)
    try:
        if np.broadcast_shapes(a.shape, shape) != shape:
            raise ValueError
    except ValueError:
        raise ValueError(f"{name}: shape {a.shape} does not broadcast to the shape of {of}, {shape}") from None
    if a.dtype.kind == "c" or not np.all(a >= 0):
        raise ValueError(f"{name}: weights must be real and non-negative (and not nan)")
    return np.broadcast_to(a.astype(dtype, copy=False), shape)


#: part scale
def _scale(grad, divisor):
    """The gradient of the reduced loss from the gradient of each value (divisor 1 but for "mean")."""
    if divisor == 1:
        return grad
    if divisor == 0:  # the gradient of an undefined mean is undefined too
        return np.full_like(grad, np.nan)
    return grad / grad.dtype.type(divisor)


#: part driver
# --- the block driver: runs the _fast_ kernels over blocks of rows, on _THREADS threads ---

# Rows per block: about this many bytes of logits. Each pass after the first then reads the
# cache (1 MiB of L2 per core on the machine this was tuned on) more than memory; smaller
# blocks fit better but pay the ~15 NumPy calls of a kernel more often, which cost more there
# below 512 KiB (measured with benchmarks/bench_losses.py).
_BLOCK_BYTES = 1 << 20
# Elementwise kernels (1-D blocks): as large as the threads' block-sized arrays (scratch
# buffers, a block's values summed in scratch, copies of arguments) fit in _SCRATCH_BYTES
# together, up to this. On one thread blocks of 256 KiB and more cost the same; on two, every
# NumPy call takes the GIL twice, and larger blocks make fewer calls (1e7 float32 BCE with
# logits: 33 ms at 256 KiB, 23 ms at 512 KiB, 19 ms at 1 MiB; benchmarks/README.md), while
# the scratch memory is what the memory targets count (4 MiB beyond the gradient).
_ELEMENTWISE_BLOCK_BYTES = 1 << 20
_SCRATCH_BYTES = 15 << 18  # 3.75 MiB
# NumPy releases the GIL inside each call, so blocks run in parallel on this many threads (the
# caller's and _THREADS - 1 of the pool's), once the arguments are this large (below it,
# starting a thread costs more than it saves).
_THREADS = 2
_PARALLEL_BYTES = 1 << 20
_POOL = []
# A forked child has the pool object but not its threads: work sent to it would never run.
os.register_at_fork(after_in_child=_POOL.clear)


def _pool():
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(_THREADS, thread_name_prefix="symxent"))
    return _POOL[0]


def _fast_dtype(*arrays):
    """Whether the block driver takes these arrays: one real floating dtype, C-contiguous."""
    dtype = arrays[0].dtype
    return dtype in (np.float32, np.float64) and all(
        a.dtype == dtype and a.flags.c_contiguous for a in arrays)


def _blocked(kernel, buffers, wide, args, out, divisors=None, classes_first=False, scaled=False, copied=()):
    """Run ``kernel`` (a ``_fast_`` kernel) over blocks of rows; the same values as the plain kernel.

    args: the kernel's arguments; those with at least one axis have n rows and are cut into
        blocks, 0-d ones (and Python numbers) are passed whole.
    wide: for each output, whether it has the rows' full shape (else one value per row).
    out: for each wide output, its destination (n rows), or None when only its total is wanted
        (then each block is summed in scratch and the total returned).
    divisors: for each destination, a number it is divided by, block by block while the block
        is in cache (the "mean" of the loss; see _scaling), or None.
    classes_first: ``kernel`` is a ``_fast0_`` kernel: each block of the 2-D arguments is
        copied transposed to (K, rows) first and its wide outputs are written through a
        transposed view of their destination (for few classes, where reductions along short
        rows are slow).
    scaled: ``kernel`` takes ``scale`` and multiplies its last output by it where it writes
        it: the last divisor is passed to it as a reciprocal instead of costing a pass.
    copied: the positions of the arguments whose memory a destination is (``out=logits``) while
        the kernel is not ``inplace_safe``: each of their blocks is copied first and the kernel
        reads the copy.
    Returns the outputs: destinations, totals, or per-row values of shape (n,).
    """
    first = args[0]
    n = first.shape[0]
    row = max(1, first[0:1].nbytes)
    threads = _THREADS if _THREADS > 1 and n * row >= _PARALLEL_BYTES else 1
    if first.ndim > 1:
        size = _BLOCK_BYTES
    else:
        arrays = buffers + sum(d is None for d in out) + len(copied)
        size = min(_ELEMENTWISE_BLOCK_BYTES, _SCRATCH_BYTES // (threads * max(1, arrays)))
    rows = max(1, size // row)
    if threads > 1:
        rows = min(rows, -(-n // threads))  # at least one block per thread
    starts = list(range(0, n, rows))
    dtype = first.dtype
    scales = [None if d is None else _scaling(d, dtype) for d in divisors or ()]
    extra = ()
    if scaled:
        extra = (dtype.type(1),)
        if scales and scales[-1] is not None and scales[-1][0] is np.multiply:
            extra, scales[-1] = (scales[-1][1],), None

    # what each block does, worked out once (a call with one small block is mostly this Python)
    sliced = [np.ndim(a) > 0 for a in args]
    summed = [w and d is None for w, d in zip(wide, _by_output(out, wide))]
    cut = _columns if classes_first else _rows

    def _run(chunk):
        shape = (min(rows, n),) + first.shape[1:]
        if classes_first:
            shape = shape[::-1]
        scratch = [np.empty(shape, dtype) for _ in range(buffers)]
        own = [np.empty(shape, dtype) if d is None else None for d in out]
        flipped = [np.empty(shape, dtype) if classes_first and np.ndim(a) == 2 else None for a in args]
        held = [np.empty((min(rows, n),) + a.shape[1:], a.dtype) if k in copied else None for k, a in enumerate(args)]
        results = []
        for s in chunk:
            e = min(s + rows, n)
            block = [a[s:e] if cutting else a for a, cutting in zip(args, sliced)]
            if copied:
                block = [a if h is None else _copy(h[:e - s], a) for h, a in zip(held, block)]
            if classes_first:
                block = [_flip(f[:, :e - s], a) if f is not None else a for f, a in zip(flipped, block)]
            if classes_first:  # written in place through the transposed view: no copy back
                dests = tuple(d[s:e].T if o is None else o[cut(e - s)] for d, o in zip(out, own))
            else:
                dests = tuple(d[s:e] if o is None else o[cut(e - s)] for d, o in zip(out, own))
            values = kernel(*block, dests, tuple(b[cut(e - s)] for b in scratch), *extra)
            for dest, scale in zip(dests, scales):
                if scale is not None:
                    scale[0](dest, scale[1], out=dest)
            results.append((s, [np.add.reduce(v, axis=None) if total else v for v, total in zip(values, summed)]))
        return results

    if len(starts) > 1 and _THREADS > 1:
        errors = np.geterr()  # the caller's np.errstate, which worker threads do not inherit
        # Each thread takes the next block when it is free, not a fixed half of them: a core that
        # another process shares runs fewer blocks instead of holding the others up at the end.
        # The blocks' results are put back in order, so every total is summed as on one thread.
        pending, lock, failed = iter(starts), threading.Lock(), []

        def take():
            with lock:
                return None if failed else next(pending, None)

        def run():
            try:
                with np.errstate(**errors):
                    return _run(iter(take, None))
            except BaseException:
                failed.append(True)  # the other threads stop at their next block
                raise

        helpers = [_pool().submit(run) for _ in range(_THREADS - 1)]
        try:
            mine = run()  # the calling thread runs blocks too
        finally:
            wait(helpers)  # no thread writes into the outputs once this returns or raises
        parts = [mine] + [h.result() for h in helpers]
        blocks = [r for _, r in sorted((pair for part in parts for pair in part), key=lambda pair: pair[0])]
    else:
        blocks = [r for _, r in _run(starts)]
    outputs = []
    for k, (w, d) in enumerate(zip(wide, _by_output(out, wide))):
        if w:
            outputs.append(d if d is not None else np.sum([b[k] for b in blocks], dtype=dtype))
        else:
            per_row = [b[k] for b in blocks]  # each block's own array: one needs no copy
            outputs.append(per_row[0] if len(per_row) == 1 else np.concatenate(per_row) if per_row
                           else np.empty(0, dtype))
    return outputs


#: part classes_first
# Up to this many classes the block driver lays each block out (K, rows): a reduction along
# rows this short costs more than the transposes (measured with benchmarks/bench_losses.py).
_CLASSES_FIRST_UP_TO = 16


def _fast_kernel(name, k):
    """(kernel, buffers, wide, inplace_safe, classes_first, scaled) of fast kernel ``name`` for
    k classes: its classes-first form when k is small enough and it has one."""
    fast = _FAST[name]
    if k > _CLASSES_FIRST_UP_TO or fast.classes_first is None:
        return fast.kernel, fast.buffers, fast.wide, fast.inplace_safe, False, fast.scaled
    # each block's arguments are copied (transposed) before any of its rows is written: any
    # destination is safe
    return (fast.classes_first, fast.classes_first_buffers, fast.wide, (True,) * len(fast.inplace_safe), True,
            fast.scaled)


#: part plain
def _plain(name, arrays, params=(), divisor=None):
    """The outputs of the plain kernel ``name`` (any dtype, any layout) as a tuple, the last (a
    gradient) divided by ``divisor`` (None, 0 or 1: not divided)."""
    values = _PLAIN[name](*arrays, *params)
    values = values if isinstance(values, tuple) else (values,)
    if divisor:
        values = values[:-1] + (values[-1] / values[-1].dtype.type(divisor),)
    return values


#: part driven
def _driven(name, arrays, params=(), divisor=None):
    """The outputs of kernel ``name`` on ``arrays`` (the logits first, then arrays of their
    shape or per-sample ones without the class axis) and the numbers ``params``, the last
    output (a gradient) divided by ``divisor`` (None, 0 or 1: not divided).

    Through the block driver when the logits are real float32/float64 C-contiguous and the
    kernel has a fast form; else the plain kernel. Both print the same proven expressions.
    """
    x = arrays[0]
    if name not in _FAST or not _fast_dtype(x):
        return _plain(name, arrays, params, divisor)
    k = x.shape[-1]
    n = x.size // k
    kernel, buffers, wide, _, classes_first, scaled = _fast_kernel(name, k)
    rows = [a.reshape((n,) + a.shape[x.ndim - 1:]) for a in arrays]
    dests = tuple(np.empty((n, k), x.dtype) for w in wide if w)
    divisors = [None] * len(dests)
    if divisor and wide[-1]:
        divisors[-1] = x.dtype.type(divisor)
    outputs = _blocked(kernel, buffers, wide, rows + list(params), dests, divisors, classes_first, scaled)
    return tuple(o.reshape(x.shape if w else x.shape[:-1]) for o, w in zip(outputs, wide))


#: part driven_elements
def _driven_elements(name, arrays, params=(), divisor=None):
    """``_driven`` for elementwise kernels: ``arrays`` all of one shape, every output of it."""
    x = arrays[0]
    if name not in _FAST or not _fast_dtype(x):
        return _plain(name, arrays, params, divisor)
    fast = _FAST[name]
    dests = tuple(np.empty(x.size, x.dtype) for _ in fast.wide)
    divisors = [None] * len(dests)
    if divisor:
        divisors[-1] = x.dtype.type(divisor)
    outputs = _blocked(fast.kernel, fast.buffers, fast.wide, [a.reshape(-1) for a in arrays] + list(params), dests,
                       divisors, scaled=fast.scaled)
    return tuple(o.reshape(x.shape) for o in outputs)


#: part driver_helpers
def _scaling(divisor, dtype):
    """(ufunc, operand) dividing by ``divisor``: a product with its reciprocal (a third of a
    division's time here; within an ulp of the quotient) unless that reciprocal overflows or
    is subnormal (and so inexact)."""
    info = np.finfo(dtype)
    reciprocal = 1 / float(divisor) if divisor else np.inf
    if info.tiny <= abs(reciprocal) <= info.max / 2:  # False for nan
        return np.multiply, np.asarray(reciprocal, dtype)
    return np.divide, np.asarray(divisor, dtype)


def _rows(b):
    """The first ``b`` rows of a buffer."""
    return slice(None, b)


def _columns(b):
    """The first ``b`` rows of a classes-first buffer (its columns)."""
    return (slice(None), slice(None, b))


def _copy(buffer, block):
    """``block`` copied into ``buffer``."""
    np.copyto(buffer, block)
    return buffer


def _flip(buffer, block):
    """``block`` transposed into ``buffer``."""
    np.copyto(buffer, block.T)
    return buffer


def _by_output(out, wide):
    """The destination of each output (None for the per-row ones)."""
    dests = iter(out)
    return [next(dests) if w else None for w in wide]


def _reduce_total(total, reduction, count):
    """``_reduce`` of values the driver summed block by block: "sum" or "mean" over ``count``."""
    if reduction == "sum":
        return total
    if count == 0:  # a mean over nothing is undefined, as in PyTorch
        return np.full((), np.nan, dtype=total.dtype)
    return total / total.dtype.type(count)


def _out(out, x, name, *others):
    """``out`` checked as the destination of the gradient in ``x`` (called ``name``): x's shape
    and dtype, writeable, and either x's own memory or apart from it and from ``others``."""
    if out is None:
        return None
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out: expected a NumPy array for the gradient, got {type(out).__name__}")
    if out.shape != x.shape or out.dtype != x.dtype:
        raise ValueError(f"out: expected shape {x.shape} and dtype {x.dtype} (those of the gradient); "
                         f"got shape {out.shape} and dtype {out.dtype}")
    if not out.flags.writeable:
        raise ValueError("out: the array is read-only")
    same = out.__array_interface__["data"][0] == x.__array_interface__["data"][0] and out.strides == x.strides
    if np.shares_memory(out, x) and not same:
        raise ValueError(f"out: overlaps {name} without being {name} itself; pass {name} or a separate array")
    for other in others:
        if isinstance(other, np.ndarray) and np.shares_memory(out, other):
            raise ValueError("out: overlaps another argument, which is still read while the gradient is written")
    return out
