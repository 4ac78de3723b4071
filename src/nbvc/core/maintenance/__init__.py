"""Keeping the cache healthy: ``gc`` (drop what no record names) and ``fsck`` (re-hash, quarantine).

These sit above every other layer because what is alive is named by artifacts, runs, lineage and
pipelines alike.
"""
