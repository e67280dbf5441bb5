"""Entry point for ``python -m simulators.sfcc``."""

from simulators.sfcc.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
