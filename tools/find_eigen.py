"""Print the include directory of Eigen 3.4 shipped by the cmeel-eigen wheel.

meson.build runs this when pkg-config has no eigen3. It looks at every entry
of sys.path (pip's isolated build environment adds its own there) and at
EIGEN3_INCLUDE_DIR.
"""

import os
import sys


def main() -> int:
    candidates = []
    if os.environ.get("EIGEN3_INCLUDE_DIR"):
        candidates.append(os.environ["EIGEN3_INCLUDE_DIR"])
    for entry in sys.path:
        candidates.append(os.path.join(entry, "cmeel.prefix", "include", "eigen3"))
    for inc in candidates:
        if os.path.isfile(os.path.join(inc, "Eigen", "Core")):
            print(os.path.abspath(inc))
            return 0
    sys.stderr.write(
        "Eigen 3.4 not found: install the system's eigen3 (pkg-config) or the "
        "cmeel-eigen wheel (pip install cmeel-eigen)\n"
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
