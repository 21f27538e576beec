"""The PDF's writer in a process of its own (what `samverkan report --format pdf` starts before
Django): the same bytes as written in the command's own process, the PDF written all the same
when the writer is gone, no writer left behind, and only the PDF's commands start one."""

import subprocess
import sys
import textwrap

import pytest

from samverkan.__main__ import _writes_pdf

SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from samverkan.reports import pdf

    HTML = ('<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Delrapport</title>'
            '</head><body><h1>Delrapport</h1><p>Åtta samtal i maj.</p><table><caption>Samtal'
            '</caption><thead><tr><th>Månad</th><th>Samtal</th></tr></thead><tbody><tr>'
            '<th>Maj 2022</th><td>8</td></tr></tbody></table></body></html>')
    here = pdf.write_pdf(HTML, ".")  # no writer started: written in this process
    pdf.start_writer()
    writer = pdf._writer[0]
    if sys.argv[1] == "killed":
        os.kill(writer, signal.SIGKILL)
    there = pdf.write_pdf(HTML, ".")
    assert pdf._writer is None
    try:
        os.waitpid(writer, os.WNOHANG)
        left = True
    except ChildProcessError:
        left = False
    print(here == there, here[:8] == b"%PDF-1.7" or here[:5] == b"%PDF-", left)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the writer is forked on Linux")
@pytest.mark.parametrize("case", ["alive", "killed"])
def test_the_writer_writes_the_same_pdf_and_is_gone_afterwards(case):
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, case], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "True", "False"]


def test_the_writer_that_is_never_sent_a_document_ends_with_the_command():
    code = "from samverkan.reports import pdf; pdf.start_writer(); print(pdf._writer[0])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    # The command waited for its writer at exit: no such process is left.
    assert subprocess.run(["kill", "-0", out.stdout.strip()], capture_output=True).returncode != 0


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["samverkan", "report", "interim", "--from", "2022-01-01", "--to", "2022-05-31"], True),
        (["samverkan", "report", "interim", "--format", "pdf"], True),
        (["samverkan", "report", "interim", "--format=pdf"], True),
        (["samverkan", "report", "interim", "--format", "docx"], False),
        (["samverkan", "report", "interim", "--format=html"], False),
        (["samverkan", "report", "--help"], False),
        (["samverkan", "stats", "--from", "2022-01-01"], False),
        (["samverkan"], False),
    ],
)
def test_only_the_pdf_command_starts_a_writer(argv, expected):
    assert _writes_pdf(argv) is expected
