"""Fixtures shared by the MLflow import tests (defined in tests/pipeline/kit.py)."""

from tests.pipeline.kit import project

__all__ = ["project"]
