"""report.json: the report for machines (a nightly job, a chat bot), never parsed from Markdown.

The format is documented by `report.schema.json` beside this module (JSON Schema 2020-12);
`VERSION` changes whenever a field changes meaning or goes away (adding fields keeps it).
Unmeasured values are null, never 0.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from bench.report import Report

VERSION = 1
SCHEMA = Path(__file__).parent / "report.schema.json"


def plain(value: Any) -> Any:
    """JSON-ready: numpy scalars to Python, NaN/inf/NA to None, containers recursively."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def table_record(title: str, df: pd.DataFrame) -> dict[str, Any]:
    """A table as its title, column names and one record per row."""
    return {"title": title, "columns": [str(c) for c in df.columns], "records": plain(df.to_dict("records"))}


def document(rep: Report) -> dict[str, Any]:
    """The whole report as one JSON-ready dict."""
    grids = [{"title": g.title, "metric": g.metric.column, "unit": g.metric.unit, "rows_axis": g.rows_axis,
              "columns_axis": g.columns_axis, "fixed": g.fixed, "rows": g.rows, "columns": g.columns,
              "cells": g.records()} for g in rep.grids]
    tables = [table_record(t, df) for t, df in rep.tables.items()]
    if not rep.builds.empty:
        tables.append(table_record("Every build", rep.builds))
    return plain({
        "version": VERSION,
        "title": rep.title,
        "summary": {"sentences": rep.verdict, "caveats": rep.caveats,
                    "recommendations": rep.summary.recommendations, "excluded": rep.excluded,
                    "warnings": rep.summary.warnings},
        "grids": grids,
        "ratios": rep.ratios,
        "tables": tables,
        "plots": [p.with_suffix(".svg").name for p in rep.plots],
        "facts": rep.facts,
    })


def write(rep: Report, path: Path) -> dict[str, Any]:
    """Write report.json; returns what was written."""
    doc = document(rep)
    path.write_text(json.dumps(doc, indent=1, allow_nan=False) + "\n")
    return doc


def schema() -> dict[str, Any]:
    """The JSON Schema of report.json."""
    loaded: dict[str, Any] = json.loads(SCHEMA.read_text())
    return loaded
