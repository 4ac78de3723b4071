"""Exports of the pipeline to other engines (Kubeflow Pipelines)."""
