"""docs/notebook.ipynb runs top to bottom against the emulators (executed with nbclient)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parent.parent / "docs" / "notebook.ipynb"


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # jupyter_client's own path notices
def test_the_notebook_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, on any error

    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "mayacooks" in html  # the PlatformData table and the DataFrames
    assert "SyncReport: 3 of 4 synced" in html
    assert "<th>average_engagement</th>" in html  # snake_case columns of to_pandas
    assert "growth of tiktok @mayacooks" in html  # the Growth table
    assert "<th>followers_change_pct</th>" in html  # to_pandas(growth): a row per window
    assert "To come" not in "".join(cell.source for cell in notebook.cells)
