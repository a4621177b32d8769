"""``python -m hyperbuds_sync.cli``: the same as the ``hyperbuds-sync`` command."""

import sys

from ._main import main

sys.exit(main())
