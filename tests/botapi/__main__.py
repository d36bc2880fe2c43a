"""``python -m tests.botapi`` still runs the server; it is ``python -m bot.botapi`` now."""

import sys

from bot.botapi.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
