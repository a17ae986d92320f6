"""symxent: derive, prove, print and generate the calculus of the cross-entropy family.

The pipeline (each stage imports only the stages above it):
registry -> derive -> prove -> (latex | codegen) -> verify -> cli.
"""

__version__ = "0.1.0"
