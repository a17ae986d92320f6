"""A user's own NumPy cross-entropy gradient, right and wrong: try `symxent test` on it.

    symxent test examples/my_cross_entropy.py:ce_grad --against softmax_cross_entropy.grad
    symxent test examples/my_cross_entropy.py:ce_grad_by_k --against softmax_cross_entropy.grad

The first agrees with the proof (exit 0); the second divides by the number of classes K where
the mean over the N samples is due, which a test with N = K would never notice (exit 1, and
the diagnosis says so).
"""

import numpy as np


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def ce_grad(logits: np.ndarray, target: np.ndarray) -> np.ndarray:
    """d mean_n CE(softmax(logits_n), target_n) / d logits: class indices or probabilities."""
    p = softmax(logits)
    n = logits.shape[0]
    if target.ndim == logits.ndim:  # probabilities
        return (p - target) / n
    p[np.arange(n), target] -= 1
    return p / n


def ce_grad_by_k(logits: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The same, divided by K instead of N: wrong whenever N != K."""
    p = softmax(logits)
    n, k = logits.shape
    p[np.arange(n), target] -= 1
    return p / k
