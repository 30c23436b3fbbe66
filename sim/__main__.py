"""``python -m sim`` is the ``sixparty`` command."""

from sim.cli import main

raise SystemExit(main())
