"""The model registry: models as versioned objects with a flavour, a signature, the run that
made them and aliases (``name@prod``)."""
