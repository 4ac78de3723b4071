"""Fixtures shared by the pipeline and runs tests (defined in tests/pipeline/kit.py)."""

from tests.pipeline.kit import project

__all__ = ["project"]
