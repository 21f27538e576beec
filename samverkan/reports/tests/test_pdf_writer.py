"""The PDF's writer in a process of its own (what `samverkan report --format pdf` starts before
Django): the same bytes as written in the command's own process, the PDF written all the same
when the writer is gone, no writer left behind, and only the PDF's commands start one."""

import os
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
    import gc
    pdf.start_writer()
    assert not gc.isenabled()  # the command is one document's: no cyclic collector
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


def test_weasyprint_is_imported_without_font_tools_subsetter_which_is_there_when_used():
    """fontTools's subsetter and variable-font instancer (HarfBuzz subsets the fonts, DejaVu's
    are static) are imported only if WeasyPrint ever uses them, and are the real ones then."""
    code = textwrap.dedent(
        """
        import sys
        from samverkan.reports import pdf
        pdf._weasyprint_html()
        deferred = ("fontTools.subset", "fontTools.varLib.instancer")
        print(*(name in sys.modules for name in deferred))
        from weasyprint.pdf import fonts
        import fontTools.subset
        print(fonts.subset.Options is fontTools.subset.Options)
        try:
            fonts.instantiateVariableFont(None, {})
        except Exception as error:  # the real function's own complaint about no font
            print(type(error).__name__, "fontTools.varLib.instancer" in sys.modules)
        print(type(sys.modules["fontTools.subset"]).__name__)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "False False"
    assert lines[1] == "True"
    assert lines[2] == "TypeError True"  # the real instancer's, called with no font
    assert lines[3] == "module"


def test_the_command_ends_without_collecting_but_closes_its_sqlite_connections(tmp_path):
    """At the PDF command's exit the garbage is frozen, not collected (Python's teardown would
    collect it several times over), and the SQLite connections it keeps are closed first: the
    write-ahead log is checkpointed and removed as Python's own teardown would have done."""
    code = textwrap.dedent(
        """
        import gc, sys
        from pathlib import Path
        import django
        django.setup()
        from django.db import connection
        from samverkan.core.sqlite import base
        from samverkan.reports import pdf
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE t (x)")
            cursor.execute("INSERT INTO t VALUES (1)")
        connection.close()  # kept for the next connection, open
        files = sorted(p.name for p in Path(sys.argv[1]).iterdir() if "sqlite3" in p.name)
        print(len(sum(base._kept.values(), [])), *files)
        pdf._end_without_collecting()
        files = sorted(p.name for p in Path(sys.argv[1]).iterdir() if "sqlite3" in p.name)
        print(len(sum(base._kept.values(), [])), *files, gc.get_freeze_count() > 0)
        """
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samverkan.settings",
        "SAMVERKAN_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "1 samverkan.sqlite3 samverkan.sqlite3-shm samverkan.sqlite3-wal",
        "0 samverkan.sqlite3 True",
    ]


def test_a_stand_in_used_before_weasyprint_has_imported_is_the_real_module():
    """Another thread using fontTools's subsetter while WeasyPrint imports gets the real one."""
    code = textwrap.dedent(
        """
        import sys
        from samverkan.reports import pdf
        with pdf._font_tools_imported_on_first_use():
            from fontTools import subset
            options = subset.Options
        import fontTools.subset
        print(options is fontTools.subset.Options, type(sys.modules["fontTools.subset"]).__name__)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "module"]
