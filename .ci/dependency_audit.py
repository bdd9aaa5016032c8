"""CI's dependency audit: fail on a known vulnerability, skip loudly when none can be looked up.

pip-audit asks a vulnerability database over the network. Where that database cannot be
reached, pip-audit either fails to connect or reports every package as "could not be
audited" and still exits 0; both are a skip here, printed as such, never a silent pass.
Run with the virtual environment's python: ``.venv/bin/python .ci/dependency_audit.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SKIPPED = "dependency audit SKIPPED: cannot reach the vulnerability database"
TIMEOUT_S = 10


def verdict(found: list[dict[str, Any]]) -> int:
    """1 on any known vulnerability; 0 otherwise, saying whether anything was looked up."""
    audited = [dep for dep in found if "skip_reason" not in dep]
    vulnerable = [dep for dep in audited if dep.get("vulns")]
    for dep in vulnerable:
        ids = ", ".join(vuln["id"] for vuln in dep["vulns"])
        print(f"dependency audit: {dep['name']} {dep['version']} has known vulnerabilities: {ids}")
    if vulnerable:
        return 1
    if not audited:
        print(f"{SKIPPED} (none of {len(found)} packages could be looked up)")
        return 0
    print(f"dependency audit: {len(audited)} packages, no known vulnerabilities "
          f"({len(found) - len(audited)} could not be looked up)")
    return 0



def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        report = Path(work) / "audit.json"
        try:
            run = subprocess.run(
                [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner",
                 "off", "--timeout", str(TIMEOUT_S), "--format", "json", "--output",
                 str(report)],
                capture_output=True, text=True, timeout=20 * TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            print(f"{SKIPPED} (no answer in {20 * TIMEOUT_S} s)")
            return 0
        try:
            found = json.loads(report.read_text(encoding="utf-8"))["dependencies"]
        except (OSError, ValueError, KeyError):
            last = (run.stderr.strip().splitlines() or ["no output"])[-1]
            if "connect" in run.stderr.lower() or "resolve" in run.stderr.lower():
                print(f"{SKIPPED} ({last[:200]})")
                return 0
            print(f"dependency audit FAILED to run: {last[:200]}")
            return 1
    return verdict(found)

if __name__ == "__main__":
    sys.exit(main())
