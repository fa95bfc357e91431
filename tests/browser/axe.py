"""axe-core accessibility checks, with the axe.min.js that axe-playwright-python ships.

Our Content-Security-Policy forbids inline scripts, so axe is not added as a <script> tag:
`page.evaluate` runs it through the DevTools protocol, which the page's CSP does not govern.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

BLOCKING_IMPACTS = ("serious", "critical")


@cache
def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe on the page as it is now; returns its violations (all impacts)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return result["violations"]


def assert_no_serious_axe_violations(page: Any) -> None:
    """Fail with a readable list if axe finds a serious or critical violation on the page."""
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"{len(blocking)} serious/critical axe violations on {page.url}:"]
        for violation in blocking:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
            lines.append(
                f"- [{violation['impact']}] {violation['id']}: {violation['help']} ({targets})"
            )
        raise AssertionError("\n".join(lines))
