"""A clone alone tests itself: no test or benchmark reads the reference folder beside the checkout."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Climbing above the checkout, or naming the reference folder beside it. (Strings such as
# "../etc/passwd" in the attack tests are inputs, not reads, and do not match.)
OUTSIDE = re.compile(r"""parents\[\d\]\s*\.parent|REPO_ROOT\.parent|/\s*["']shared["']|["']shared/""")


def test_no_test_or_benchmark_names_a_path_outside_the_repository():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("tests", "bench")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "test_self_contained.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert not offenders, f"reads outside the repository: {offenders}"
