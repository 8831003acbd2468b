"""What `triage check` found, as text and JSON (the findings themselves: `tools.verify`)."""

from __future__ import annotations

import json

from triage.tools.verify.report import CheckReport


def check_text(report: CheckReport) -> str:
    return "\n".join(report.text_lines())


def check_json(report: CheckReport) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False)
