"""Fixtures shared by the pipeline and runs tests (defined in tests/pipeline_kit.py)."""

from pipeline_kit import project

__all__ = ["project"]
