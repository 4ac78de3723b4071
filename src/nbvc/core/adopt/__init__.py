"""Adapters for foreign formats, at the edge of the engine: DVC projects (`.dvc` files, the DVC
cache and remotes) read into nbvc versions and objects, every hash verified. No core layer
imports this package."""
