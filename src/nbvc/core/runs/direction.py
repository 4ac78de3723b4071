"""Whether a bigger value of a metric is better: for colouring deltas green or red.

Names whose words say error or cost (``loss``, ``val_loss``, ``rmse``, ``error_rate``, ...) are
lower-is-better, everything else higher-is-better. A project overrides that in `.nbvc/config`::

    [metrics]
    lower_is_better = ["latency_p99"]
    higher_is_better = ["coverage_loss"]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

LOWER_IS_BETTER_WORDS = frozenset(
    {
        "loss", "error", "err", "errors", "mse", "mae", "rmse", "mape", "smape", "logloss",
        "perplexity", "ppl", "wer", "cer", "fpr", "fnr", "latency", "duration", "seconds",
        "time", "cost", "regret", "distance", "divergence", "kl", "nll",
    }
)  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


def lower_is_better(name: str, config: Mapping[str, Any] | None = None) -> bool:
    """True if a smaller value of metric ``name`` is an improvement."""
    section = (config or {}).get("metrics") or {}
    if name in (section.get("lower_is_better") or ()):
        return True
    if name in (section.get("higher_is_better") or ()):
        return False
    words = _WORD.findall(name.lower().rsplit(":", 1)[-1])
    return any(word in LOWER_IS_BETTER_WORDS for word in words)


def tone(name: str, change: float | None, config: Mapping[str, Any] | None = None) -> str | None:
    """``good``, ``bad`` or None (no change, or not a number) for a metric's change."""
    if change is None or change == 0:
        return None
    better = change < 0 if lower_is_better(name, config) else change > 0
    return "good" if better else "bad"
