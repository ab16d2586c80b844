"""Errors as Terraform's diagnostics: severity, summary, detail and the source range."""

from __future__ import annotations

from typing import Any

from vidflow.errors import SpecError, SpecErrors, VidflowError


def diagnostic(error: VidflowError, *, severity: str = "error") -> dict[str, Any]:
    """One diagnostic; a spec problem carries its file, line and column as `range`."""
    out: dict[str, Any] = {"severity": severity}
    if isinstance(error, SpecError):
        out["summary"] = f"{error.field}: {error.message}" if error.field else error.message
        out["detail"] = str(error)
        if error.location is not None:
            at = {"line": error.location.line, "column": error.location.col}
            out["range"] = {"filename": error.location.file, "start": at, "end": dict(at)}
        if error.field:
            out["address"] = error.field
    else:
        out["summary"] = error.message
        out["detail"] = error.hint or ""
    return out


def diagnostics_of(error: VidflowError) -> list[dict[str, Any]]:
    if isinstance(error, SpecErrors):
        return [diagnostic(e) for e in error.errors]
    return [diagnostic(error)]


def validate_document(error: VidflowError | None) -> dict[str, Any]:
    """`vidflow validate --json`: Terraform's `validate -json` document."""
    found = diagnostics_of(error) if error is not None else []
    errors = sum(1 for d in found if d["severity"] == "error")
    return {"format_version": "1.0", "valid": errors == 0, "error_count": errors,
            "warning_count": len(found) - errors, "diagnostics": found}
