"""``python -m sixparty`` is the ``sixparty`` command."""

from sixparty.cli import console_main

raise SystemExit(console_main())
