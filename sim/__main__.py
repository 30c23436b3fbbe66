"""``python -m sixparty`` is the ``sixparty`` command."""

from sixparty.cli import main

raise SystemExit(main())
