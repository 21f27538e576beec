"""The `samverkan` command: Django's command line with the project's settings preset."""

import os
import sys


def _writes_pdf(argv: list[str]) -> bool:
    """`samverkan report ...` writing a PDF (its default format)."""
    if len(argv) < 2 or argv[1] != "report" or any(a in ("-h", "--help") for a in argv):
        return False
    formats = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--format"]
    formats += [a.split("=", 1)[1] for a in argv if a.startswith("--format=")]
    return not formats or formats[-1] == "pdf"


def main(argv: list[str] | None = None) -> None:
    argv = argv if argv is not None else sys.argv
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    if _writes_pdf(argv):
        # The PDF's writer imports WeasyPrint on the other core while Django starts here.
        from samverkan.reports.pdf import start_writer

        start_writer()
    from samverkan.core.commands import run

    # Django's command line; a missing table, file or folder is one line and exit code 2.
    run(argv)


if __name__ == "__main__":
    main()
