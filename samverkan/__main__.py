"""The `samverkan` command: Django's command line with the project's settings preset."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    from samverkan.core.commands import run

    # Django's command line; a missing table, file or folder is one line and exit code 2.
    run(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
