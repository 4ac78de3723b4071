"""Storage, the lowest layer: where bytes live and how they are made durable.

``odb`` (content-addressed objects, BLAKE3), ``tree`` (folder manifests), ``hashing``,
``linking`` (reflink / hardlink / symlink / copy into the workspace), ``record_store`` (immutable
JSON records, the truth), ``index_db`` (the SQLite index, a cache of the records), ``lock``,
``pool``, ``fsutil`` (atomic writes) and ``gitio`` (reading files at git revisions). Nothing here
knows about artifacts, runs or pipelines.
"""
