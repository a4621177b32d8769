"""A script that builds BlockingSocialSync at module level, uses it and never closes it, as a new
user writes one; tests/test_blocking.py checks the interpreter still exits."""

from hyperbuds_sync import BlockingSocialSync

sync = BlockingSocialSync.from_env(redis_url="", history_url="")
print(sync.fetch("twitch", "pixelmaya").followers)
