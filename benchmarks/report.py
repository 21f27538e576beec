"""The committee PDF's time: the whole command, and where its CPU goes by phase.

Times `samverkan report interim --from 2022-01-01 --to 2022-05-31 --format pdf` on the demo
database (`samverkan demo --no-serve` builds it) in two ways, each in fresh processes:

- the command itself, N times: wall and CPU (user + system, of the process and its children);
- the same work split into phases in one process of its own, N times: start-up (Python, Django,
  the command's modules), the figures (`report_document`), the charts, the HTML, WeasyPrint's
  import, its layout and the writing of the PDF. A phase's CPU is the process's CPU between two
  points; start-up is the CPU from the process's start.

The machine may be shared: the least-disturbed run (the least wall time) is printed beside the
median, and the CPU figures, which other work disturbs less than wall time.

    .venv/bin/python benchmarks/report.py                # 5 runs of each
    .venv/bin/python benchmarks/report.py --runs 9 --format docx
    .venv/bin/python benchmarks/report.py --runs 15 --no-phases   # the command only
    # before and after side by side: main's code unpacked beside, sharing this demo database
    mkdir /tmp/main && git archive main | tar -x -C /tmp/main && ln -s "$PWD/var" /tmp/main/var
    .venv/bin/python benchmarks/report.py --before /tmp/main
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMAND = ["report", "interim", "--from", "2022-01-01", "--to", "2022-05-31"]

# The phases, run in a process of their own: prints one JSON line of {phase: [wall, cpu]}.
PHASES = r"""
import json, os, sys, time
marks = [("Python's own start", time.perf_counter() - START_WALL, time.process_time())]
def mark(name):
    marks.append((name, time.perf_counter() - START_WALL, time.process_time()))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
FMT = sys.argv[1]
sys.argv = ["samverkan", "report"]  # what the settings see of the command line
import django
django.setup()
import datetime
from django.utils import translation
from samverkan.reports.management.commands import report as command  # what the command imports
from samverkan.reports import render
from samverkan.reports.content import ChartBlock, report_document
from samverkan.reports.models import Report
from samverkan.statistics import charts
mark("start-up (Python, Django, the command's modules)")

stored = Report.objects.get(
    kind="interim", date_from=datetime.date(2022, 1, 1), date_to=datetime.date(2022, 5, 31)
)
with translation.override("sv"):
    document = report_document(stored, disclosure="public", language="sv")
    mark("the figures (report_document)")
    drawn = [b.chart for s in document.sections for b in s.blocks if isinstance(b, ChartBlock)]
    if FMT == "pdf":
        draw = getattr(charts, "document_svg", None)
        if draw is None:  # before the pdf branch: matplotlib, cached by digest in Django's cache
            for chart in drawn:
                charts.render_svg(chart)
        else:  # drawn once here; document_html below takes them as drawn
            svgs = {chart.digest(): draw(chart) for chart in drawn}
            render.document_svg = lambda chart: svgs[chart.digest()]
        mark(f"the charts ({len(drawn)}, SVG, with their drawing library's import)")
        html = render.document_html(document, for_print=True)
        mark("the HTML")
        import contextlib
        from samverkan.reports import pdf
        if hasattr(pdf, "_weasyprint_html"):  # as the command's writer imports it
            pdf._weasyprint_html()
            import weasyprint
        else:
            quick = getattr(render, "_libraries_found_by_one_ldconfig", contextlib.nullcontext)
            with quick():
                import weasyprint
        mark("importing WeasyPrint")
        import logging
        logging.getLogger("weasyprint").setLevel(logging.ERROR)
        options = {"pdf_variant": render.PDF_VARIANT, "pdf_tags": True,
                   "pdf_identifier": False, "uncompressed_pdf": False}
        rendered = weasyprint.HTML(string=html, base_url=str(ROOT)).render(**options)
        mark("WeasyPrint's layout")
        render._accessible_metadata(rendered.metadata)
        data = rendered.write_pdf(finisher=render._scope_table_headers, **options)
        mark("writing the PDF")
    else:
        data = render.render(document, FMT)
        mark(f"the {FMT.upper()} (charts included)")
phases = {}
for (_, wall0, cpu0), (name, wall1, cpu1) in zip(marks, marks[1:]):
    phases[name] = [wall1 - wall0, cpu1 - cpu0]
phases[marks[0][0]] = [marks[0][1], marks[0][2]]
print(json.dumps({"phases": phases, "bytes": len(data)}))
"""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_command(root: Path, fmt: str, output: Path) -> tuple[float, float]:
    """The whole command in a process of its own: (wall, CPU) seconds."""
    cpu = _children_cpu()
    wall = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "samverkan", *COMMAND, "--format", fmt, "-o", str(output)],
        cwd=root,
        check=True,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - wall, _children_cpu() - cpu


def run_phases(root: Path, fmt: str) -> dict[str, list[float]]:
    # perf_counter is the system's monotonic clock: the child counts its wall time from here.
    source = f"import time\nSTART_WALL = {time.perf_counter()!r}\nROOT = {str(root)!r}\n"
    out = subprocess.run(
        [sys.executable, "-c", source + PHASES, fmt],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])["phases"]


def _report(name: str, output: Path, commands: list, phase_runs: list) -> dict:
    least = min(commands)
    print(f"\n{name}: the command ({len(commands)} runs; {output}: {output.stat().st_size} bytes)")
    print(f"  wall: least {least[0]:.2f} s, median {statistics.median(c[0] for c in commands):.2f}")
    print(
        f"  CPU:  least {min(c[1] for c in commands):.2f} s, "
        f"median {statistics.median(c[1] for c in commands):.2f}, "
        f"in the least-disturbed run {least[1]:.2f}"
    )
    if not phase_runs:
        return _summary(commands)
    print(f"{name}: phases ({len(phase_runs)} runs): CPU s least / median, wall s least")
    names = list(phase_runs[0])
    names = names[-1:] + names[:-1]  # Python's own start first
    for phase in names:
        cpus = [run[phase][1] for run in phase_runs]
        walls = [run[phase][0] for run in phase_runs]
        print(f"  {phase:60} {min(cpus):5.2f} / {statistics.median(cpus):5.2f}   {min(walls):5.2f}")
    totals = [sum(phase[1] for phase in run.values()) for run in phase_runs]
    print(f"  {'all phases':60} {min(totals):5.2f} / {statistics.median(totals):5.2f}")
    return _summary(commands)


def _summary(commands: list) -> dict:
    return {
        "wall_least": min(c[0] for c in commands),
        "wall_median": statistics.median(c[0] for c in commands),
        "cpu_least": min(c[1] for c in commands),
        "cpu_median": statistics.median(c[1] for c in commands),
        "command_wall": [round(c[0], 3) for c in commands],
        "command_cpu": [round(c[1], 3) for c in commands],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--format", default="pdf", choices=["pdf", "docx", "html"])
    parser.add_argument("--output", default="/tmp/samverkan-report-benchmark")
    parser.add_argument(
        "--root",
        default=str(ROOT),
        help="The checkout whose code is timed (its var/ holds the demo database).",
    )
    parser.add_argument(
        "--before",
        default="",
        help="Another checkout to time side by side, run for run (e.g. an unpacked `git archive` "
        "of main with var/ linked to this one's): the ratios after/before are printed.",
    )
    parser.add_argument(
        "--no-phases",
        dest="phases",
        action="store_false",
        help="Time the command only, not its phases (about half the benchmark's time).",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="Run at this niceness (e.g. -20, as root), for this session's autogroup too: on a "
        "machine shared with other sessions, closer to one of its own (as benchmarks/web.py).",
    )
    args = parser.parse_args()
    own_group = Path("/proc/self/autogroup")
    group_before = own_group.read_text().split()[-1] if own_group.exists() else None
    if args.nice:
        os.nice(args.nice)
        # With the kernel's autogroups, niceness counts only within a session: the session's
        # group gets it as a whole (the commands timed are this session's children).
        if group_before is not None:
            own_group.write_text(str(args.nice))
    try:
        _compare(args)
    finally:
        if args.nice and group_before is not None:
            own_group.write_text(group_before)


def _compare(args: argparse.Namespace) -> None:
    print(
        f"{platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, niceness {args.nice}"
    )
    roots = {"after": Path(args.root).resolve()}
    if args.before:
        roots = {"before": Path(args.before).resolve(), **roots}
    for name, root in roots.items():
        print(f"{name}: {root}")
    outputs = {name: Path(f"{args.output}-{name}.{args.format}") for name in roots}
    commands: dict[str, list] = {name: [] for name in roots}
    phase_runs: dict[str, list] = {name: [] for name in roots}
    # Alternately, so that a disturbance of the machine falls on each kind of run alike.
    for _ in range(args.runs):
        for name, root in roots.items():
            commands[name].append(run_command(root, args.format, outputs[name]))
            if args.phases:
                phase_runs[name].append(run_phases(root, args.format))
    results = {
        name: _report(name, outputs[name], commands[name], phase_runs[name]) for name in roots
    }
    if "before" in results:
        before, after = results["before"], results["after"]
        print("\nafter / before:")
        for key in ("wall_least", "wall_median", "cpu_least", "cpu_median"):
            print(f"  {key:12} {after[key] / before[key]:.2f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(json.dumps({"format": args.format, **results}))


if __name__ == "__main__":
    main()
