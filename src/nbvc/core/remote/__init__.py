"""Remotes through fsspec: configuration, object and record transfer, remote status and gc."""
