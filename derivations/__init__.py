"""The built-in derivations, one family per file; installed as ``symxent.derivations``.

Each file defines ``DERIVATIONS``, a sequence of :class:`symxent.registry.Derivation`.
They are discovered by :func:`symxent.registry.load_directory` from this directory, exactly
as a user's own directory is with ``--derivations DIR``.
"""
