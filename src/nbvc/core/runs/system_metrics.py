"""System metrics sampled while a run is open, logged as step series named ``system/...``.

CPU %, memory used, disk and network IO (MB since the run started) with psutil; GPU
utilisation and memory with NVML (``pynvml``) where a GPU and the package are present. A
daemon thread takes one sample at the start and then one every ``interval`` seconds; it stops
when the run ends. Turn it on per run (``nbvc.start_run(log_system_metrics=True)``), for every
run (``NBVC_SYSTEM_METRICS=1`` or ``[runs] system_metrics = true`` in `.nbvc/config`), and set
the interval with ``[runs] system_metrics_interval`` (seconds, default 10).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from nbvc.core.errors import LoggingError

if TYPE_CHECKING:
    from nbvc.core.runs.logging import Run

MB = 1024 * 1024


class SystemMetrics:
    def __init__(self, run: Run, interval: float) -> None:
        try:
            import psutil
        except ImportError:
            raise LoggingError(
                "system metrics need psutil; install it with `pip install 'nbvc[sysmetrics]'`"
            ) from None
        self._psutil: Any = psutil
        self.run = run
        self.interval = interval
        self.step = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="nbvc-system-metrics", daemon=True)
        self._process = psutil.Process()
        self._disk0 = _counters(psutil.disk_io_counters())
        self._net0 = _counters(psutil.net_io_counters())
        self._gpus = _nvml_handles()
        psutil.cpu_percent(None)  # the first call only sets the baseline

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def sample(self) -> dict[str, float]:
        psutil = self._psutil
        memory = psutil.virtual_memory()
        values = {
            "system/cpu_percent": float(psutil.cpu_percent(None)),
            "system/memory_used_mb": (memory.total - memory.available) / MB,
            "system/memory_percent": float(memory.percent),
            "system/process_memory_mb": self._process.memory_info().rss / MB,
        }
        disk = _counters(psutil.disk_io_counters())
        net = _counters(psutil.net_io_counters())
        for key, now, then in (
            ("disk_read_mb", disk.get("read_bytes"), self._disk0.get("read_bytes")),
            ("disk_write_mb", disk.get("write_bytes"), self._disk0.get("write_bytes")),
            ("network_sent_mb", net.get("bytes_sent"), self._net0.get("bytes_sent")),
            ("network_received_mb", net.get("bytes_recv"), self._net0.get("bytes_recv")),
        ):
            if now is not None and then is not None:
                values[f"system/{key}"] = (now - then) / MB
        values.update(_gpu_values(self._gpus))
        return values

    def _loop(self) -> None:
        while True:
            try:
                values = self.sample()
                for name, value in values.items():
                    self.run.log_metric(name, value, step=self.step)
            except (OSError, LoggingError):
                return  # the run's journal is gone (the run ended) or the system refuses
            self.step += 1
            if self._stop.wait(self.interval):
                return


def _counters(counters: Any) -> dict[str, int]:
    return dict(counters._asdict()) if counters is not None else {}


def _nvml_handles() -> list[Any]:
    try:
        import pynvml

        pynvml.nvmlInit()
        return [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
    except Exception:  # no package, no driver or no GPU: no GPU metrics
        return []


def _gpu_values(handles: list[Any]) -> dict[str, float]:
    if not handles:
        return {}
    import pynvml

    values: dict[str, float] = {}
    for index, handle in enumerate(handles):
        utilisation = pynvml.nvmlDeviceGetUtilizationRates(handle)
        memory = pynvml.nvmlDeviceGetMemoryInfo(handle)
        values[f"system/gpu_{index}_utilization_percent"] = float(utilisation.gpu)
        values[f"system/gpu_{index}_memory_used_mb"] = memory.used / MB
    return values
