"""``python -m symxent``: the same command line as the ``symxent`` script."""

from symxent.cli import main

raise SystemExit(main())
