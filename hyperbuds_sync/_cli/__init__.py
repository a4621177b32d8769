"""The pieces of the ``hyperbuds-sync`` command (:mod:`hyperbuds_sync.cli` is its entry point).

``exits`` maps errors to exit codes and needs nothing but the SDK; ``render``, ``commands`` and
``demo`` use rich, so :mod:`hyperbuds_sync.cli` imports them only once it knows rich is installed.
"""
