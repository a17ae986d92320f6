"""The argument handling of softmax.py.j2: the pair (z, v) of vjp and jvp.

Contract: as ``runtime.py``: the part below is copied verbatim into the module the template renders
(``{{ parts.args_softmax.arguments }}``), after its public functions; this header is never copied.
It imports what the module defines itself (the runtime's parts), so that linters and
``tests/test_runtime.py`` read this file as the Python it is.
"""

from symxent.templates.runtime import _as_array, _class_last


#: part arguments
def _pair(z, v):
    z = _class_last(_as_array(z, "z"), -1, "z")
    v = _as_array(v, "v")
    if v.shape != z.shape:
        raise ValueError(f"v: shape {v.shape} must equal the shape of z, {z.shape}")
    return z, v
