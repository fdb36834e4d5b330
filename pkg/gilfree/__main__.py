"""python -m gilfree {info,demo}"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gilfree", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("info", help="print versions, instruction set and threading of this build")
    demo = sub.add_parser("demo", help="the showcase: speed, a responsive event loop, cancellation")
    demo.add_argument("--quick", action="store_true", help="smaller sizes (for tests)")
    args = parser.parse_args(argv)
    if args.command == "info":
        from ._config import show_config

        show_config()
        return 0
    if args.command == "demo":
        from ._demo import main as demo_main

        return demo_main(quick=args.quick)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
