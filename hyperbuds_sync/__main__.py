"""``python -m hyperbuds_sync``: the ``hyperbuds-sync`` command, as ``python -m
hyperbuds_sync.cli`` is."""

import sys

from .cli import main

sys.exit(main())
