"""Executing a notebook headless the way JupyterLab does, with papermill-style parameters.

This is a front end like the CLI: the engine never imports it (nbclient pulls in Jupyter
packages); notebook pipeline stages run it as ``python -m nbvc.nbexec`` in a subprocess.

Two details make runs look like JupyterLab sessions to the kernel (and so to nbvc's notebook
lineage): every ``execute_request`` carries the cell's nbformat id as ``metadata.cellId``, and
the kernel's environment has ``JPY_SESSION_NAME`` set to the notebook's path. Parameters are
injected papermill-style: a cell tagged ``injected-parameters`` right after the cell tagged
``parameters`` (or first, if there is none), replacing an earlier injected cell.

nbclient and nbformat are imported only when a notebook is executed.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Callable, Mapping
from typing import Any

from nbvc.core import NbvcError, atomic_write_text

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
KERNEL_LOG_LINES = 20
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

CellSink = Callable[[str, str], None]  # (stream name, text): "stdout", "stderr" or "cell"


class NotebookError(NbvcError):
    """A notebook cell raised, or the notebook could not be executed at all."""


def inject_parameters(nb: Any, parameters: Mapping[str, Any]) -> None:
    """Insert (or replace) the ``injected-parameters`` cell, papermill-style."""
    nbformat = _nbformat()
    cells = nb.cells
    cells[:] = [c for c in cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]
    if not parameters:
        return
    source = "# Parameters\n" + "".join(
        f"{name} = {value!r}\n" for name, value in parameters.items()
    )
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": [INJECTED_TAG]})
    cell["id"] = INJECTED_TAG  # stable across runs, so lineage sees the same cell each time
    tagged = [
        i for i, c in enumerate(cells) if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])
    ]
    cells.insert(tagged[0] + 1 if tagged else 0, cell)


def ensure_cell_ids(nb: Any) -> None:
    """Give every cell an nbformat 4.5 id (older notebooks have none)."""
    if (nb.nbformat, nb.nbformat_minor) < (4, 5):
        nb.nbformat_minor = 5
    for cell in nb.cells:
        if not cell.get("id"):
            cell["id"] = _new_cell_id()


def _nbformat() -> Any:
    import importlib

    return importlib.import_module("nbformat")


def _new_cell_id() -> str:
    return secrets.token_hex(4)


def execute_notebook(
    path: str,
    *,
    cwd: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    output_path: str | None = None,
    env: Mapping[str, str] | None = None,
    kernel_name: str | None = None,
    timeout: int | None = None,
    sink: CellSink | None = None,
) -> Any:
    """Execute the notebook at ``path``; returns the executed notebook node.

    ``env`` is added to this process's environment for the kernel; ``output_path`` receives the
    executed copy (also when a cell fails, for debugging). A failing cell raises
    :class:`NotebookError` with its traceback.
    """
    nbformat = _nbformat()
    path = os.path.abspath(path)
    nb = nbformat.read(path, as_version=4)
    ensure_cell_ids(nb)
    inject_parameters(nb, parameters or {})
    client = _client_class()(
        nb,
        timeout=timeout,
        kernel_name=kernel_name or nb.metadata.get("kernelspec", {}).get("name", "python3"),
        resources={"metadata": {"path": cwd or os.path.dirname(path)}},
        on_cell_executed=_report_cell(sink) if sink else None,
    )
    kernel_env = {**os.environ, **(env or {}), "JPY_SESSION_NAME": path}
    failure: BaseException | None = None
    # The kernel's own log (startup warnings) is kept apart and shown only if it fails.
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as kernel_log:
        try:
            client.execute(env=kernel_env, stderr=kernel_log)
        except Exception as exc:  # every failure is reported the same way, below
            failure = exc
        if output_path is not None:
            os.makedirs(os.path.dirname(os.path.abspath(output_path)), exist_ok=True)
            atomic_write_text(output_path, nbformat.writes(nb))
        if failure is not None:
            kernel_log.seek(0)
            raise NotebookError(_describe(failure, path, kernel_log.read())) from None
    return nb


def _describe(exc: BaseException, path: str, kernel_log: str) -> str:
    text = _ANSI.sub("", str(exc)).strip()
    if type(exc).__name__ == "CellExecutionError":
        return f"a cell of {path} failed:\n{text}"
    tail = "\n".join(kernel_log.strip().splitlines()[-KERNEL_LOG_LINES:])
    log = f"\nkernel log:\n{tail}" if tail else ""
    return f"{path} could not be executed ({type(exc).__name__}: {text}){log}"


def _report_cell(sink: CellSink) -> Callable[..., None]:
    def report(cell: Any, cell_index: int, **_: Any) -> None:
        sink("cell", f"[cell {cell_index} {cell.get('id', '')}]\n")
        for output in cell.get("outputs", ()):
            if output.get("output_type") == "stream":
                sink(output.get("name", "stdout"), output.get("text", ""))
            elif output.get("output_type") in ("execute_result", "display_data"):
                text = output.get("data", {}).get("text/plain")
                if text:
                    sink("stdout", text.rstrip("\n") + "\n")
            elif output.get("output_type") == "error":
                sink("stderr", _ANSI.sub("", "\n".join(output.get("traceback", ()))) + "\n")

    return report


_CLIENT_CLASS: type[Any] | None = None


def _client_class() -> type[Any]:
    """An nbclient ``NotebookClient`` that sends each cell's id as ``cellId`` (built lazily)."""
    global _CLIENT_CLASS  # noqa: PLW0603 - a class built once, on first use
    if _CLIENT_CLASS is None:
        from nbclient import NotebookClient

        class CellIdClient(NotebookClient):
            current_cell_id: str | None = None

            async def async_start_new_kernel_client(self) -> Any:
                kc: Any = await super().async_start_new_kernel_client()
                kc.execute = _execute_with_cell_id(kc, self)
                return kc

            async def async_execute_cell(
                self,
                cell: Any,
                cell_index: int,
                execution_count: int | None = None,
                store_history: bool = True,
            ) -> Any:
                self.current_cell_id = cell.get("id")
                return await super().async_execute_cell(
                    cell, cell_index, execution_count, store_history
                )

        _CLIENT_CLASS = CellIdClient
    return _CLIENT_CLASS


def _execute_with_cell_id(kc: Any, client: Any) -> Callable[..., str]:
    """``kc.execute`` that puts ``cellId`` in the request's metadata, as JupyterLab does."""

    def execute(
        code: str,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict[str, Any] | None = None,
        allow_stdin: bool | None = None,
        stop_on_error: bool = True,
    ) -> str:
        content = {
            "code": code,
            "silent": silent,
            "store_history": store_history,
            "user_expressions": user_expressions or {},
            "allow_stdin": kc.allow_stdin if allow_stdin is None else allow_stdin,
            "stop_on_error": stop_on_error,
        }
        metadata = {"cellId": client.current_cell_id} if client.current_cell_id else {}
        msg = kc.session.msg("execute_request", content, metadata=metadata)
        kc.shell_channel.send(msg)
        msg_id: str = msg["header"]["msg_id"]
        return msg_id

    return execute
