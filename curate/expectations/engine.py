"""`curate validate --engine gx`: the checks run as their Great Expectations suite.

Each streamed batch goes to GX as a pandas frame (from Arrow) holding the columns the suite
reads; GX says, per expectation, which rows it did not expect. A row's reason is then its first
failing check in check order, as in the native engine. `duplicate` is not a verdict on one
batch (GX's uniqueness sees no other batch): curate.validate applies the one rule of
curate.checks.duplicates over all rows, for both engines.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import polars as pl

from curate.checks import CheckConfig, checks_for
from curate.errors import CurateError
from curate.expectations.suite import check_frame, derived_columns, expectation_suite

INSTALL_HINT = ('the gx engine needs Great Expectations: pip install "curate[gx]" '
                '(or pip install "great-expectations>=1.3,<2")')
ROW = "_row"


def import_gx():
    # GX reports usage to its servers unless told not to; curate makes no network calls.
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    try:
        import great_expectations as gx
    except ImportError as exc:
        raise CurateError(INSTALL_HINT) from exc
    return gx


class GXEngine:
    """One ephemeral GX context with the suite of a record kind; `apply` is a drop-in for
    curate.checks.apply_checks."""

    def __init__(self, kind: str, config: CheckConfig = CheckConfig(),
                 data_docs: Path | None = None) -> None:
        gx = import_gx()
        self.kind, self.config, self.data_docs = kind, config, data_docs
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        if data_docs is not None:
            self.context.add_data_docs_site(site_name="curate", site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                                  "base_directory": str(Path(data_docs).resolve())},
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"}})
        suite_json = expectation_suite(kind, config=config)
        suite = self.context.suites.add(gx.ExpectationSuite(**suite_json))
        if len(suite.expectations) != len(suite_json["expectations"]):
            raise CurateError("GX rejected part of curate's suite; please report this bug")
        asset = self.context.data_sources.add_pandas("curate").add_dataframe_asset("records")
        batches = asset.add_batch_definition_whole_dataframe("batch")
        self.validation = self.context.validation_definitions.add(
            gx.ValidationDefinition(data=batches, suite=suite, name=f"curate_{kind}"))
        self.columns = sorted({ROW, *_columns_read(suite_json)})
        self.derived = list(derived_columns(kind, config))
        self.checks = {c.reason: c for c in checks_for(kind)}

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` with uid (+ safety_category), `reason` and `warning`, decided by GX."""
        frame = check_frame(frame, self.kind, self.config).with_row_index(ROW)
        data = frame.select([c for c in self.columns if c in frame.columns]).to_pandas()
        result = self.validation.run(batch_parameters={"dataframe": data}, result_format={
            "result_format": "COMPLETE", "unexpected_index_column_names": [ROW]})
        failing: dict[str, set[int]] = {}
        for r in result.results:
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise CurateError(f"GX could not evaluate {r.expectation_config.type}: "
                                  f"{r.exception_info.get('exception_message')}")
            rows = {u[ROW] for u in r.result.get("unexpected_index_list") or []}
            failing.setdefault(r.expectation_config.meta["curate_reason"], set()).update(rows)
        reasons = [self._first(failing, row, "error") for row in range(frame.height)]
        warnings = [self._first(failing, row, "warning") for row in range(frame.height)]
        return frame.drop(ROW, *self.derived).with_columns(
            pl.Series("reason", reasons, dtype=pl.String),
            pl.Series("warning", warnings, dtype=pl.String))

    def _first(self, failing: dict[str, set[int]], row: int, severity: str) -> str | None:
        for reason, check in self.checks.items():
            if check.severity == severity and reason != "duplicate" and row in failing.get(
                    reason, ()):
                return reason
        return None

    def build_data_docs(self) -> Path | None:
        if self.data_docs is None:
            return None
        self.context.build_data_docs(site_names=["curate"])
        return Path(self.data_docs) / "index.html"


class GXChecks:
    """`check(frame, kind)` for curate.validate: one GXEngine per record kind met."""

    def __init__(self, config: CheckConfig, data_docs: Path | None) -> None:
        import_gx()  # fails now, with the install hint, not at the first batch
        self.config, self.data_docs = config, data_docs
        self.engines: dict[str, GXEngine] = {}

    def __call__(self, frame: pl.DataFrame, kind: str) -> pl.DataFrame:
        if kind not in self.engines:
            self.engines[kind] = GXEngine(kind, self.config, self.data_docs)
        return self.engines[kind].apply(frame)

    def build_data_docs(self) -> Path | None:
        paths = [e.build_data_docs() for e in self.engines.values()]
        return paths[-1] if paths else None


def _columns_read(suite: dict[str, Any]) -> set[str]:
    columns = set()
    for e in suite["expectations"]:
        for key in ("column", "column_A", "column_B"):
            if key in e["kwargs"]:
                columns.add(e["kwargs"][key])
    return columns

