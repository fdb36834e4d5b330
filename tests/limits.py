"""Time limits of tests that run kernels to completion (worker subprocesses,
fuzz cases). They catch hangs, not slowness; the sanitizer pass
(tools/test_sanitize.sh sets GILFREE_SANITIZE=1) runs ASan/UBSan-instrumented
code several times slower, so its limits are scaled."""

import os

SANITIZED = os.environ.get("GILFREE_SANITIZE") == "1"


def limit(seconds: float) -> float:
    """The time limit for work that takes well under ``seconds`` uninstrumented."""
    return seconds * (4.0 if SANITIZED else 1.0)
