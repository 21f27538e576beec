"""Import and statistics speed, side by side with DuckDB.

Generates synthetic chat conversations and support-centre cases as CSV, imports them with
`samverkan import` (each in its own process, so its peak memory can be read), then times
`statistics_compute` for one year against DuckDB computing the same figures from the same
records already loaded into an in-memory table (loading not timed). Stats are timed twice: after a
fifth of the chat records and after all of them, to show that their cost does not grow with the
number of records.

    .venv/bin/python benchmarks/stats.py                 # 1M chat, 200k support-centre cases
    .venv/bin/python benchmarks/stats.py --chat 100000 --support 20000   # a quick run
"""

import argparse
import csv
import datetime
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
YEARS = (2021, 2022)


def generate(path_chat: Path, path_support: Path, n_chat: int, n_support: int) -> None:
    rng = random.Random(1)
    start = datetime.datetime(YEARS[0], 1, 1)
    seconds = int((datetime.datetime(YEARS[1] + 1, 1, 1) - start).total_seconds()) - 1
    districts = ["rinkeby-kista", "bromma", "sodermalm", "farsta", ""]
    services = ["", "", "", "", "clinic", "rvc", "social-services", "youth-clinic"]
    forms = ["physical", "psychological", "sexual", "digital", "economic", "other"]
    with path_chat.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "ref",
                "started_at",
                "resident",
                "district",
                "gender",
                "age",
                "concern",
                "violence",
                "referred_to",
            ]
        )
        for i in range(n_chat):
            moment = start + datetime.timedelta(seconds=rng.randrange(seconds))
            resident = rng.choice(("yes", "yes", "no", "unknown"))
            out.writerow(
                [
                    f"c{i}",
                    moment.strftime("%Y-%m-%d %H:%M:%S"),
                    resident,
                    rng.choice(districts) if resident == "yes" else "",
                    rng.choice(("girl", "girl", "girl", "boy", "other", "unknown")),
                    rng.choice(("", 14, 15, 16, 17, 18, 19, 20, 21)),
                    rng.choice(("victim", "victim", "perpetrator", "friend", "other")),
                    ";".join(rng.sample(forms, rng.randrange(3))),
                    rng.choice(services),
                ]
            )
    days = (datetime.date(YEARS[1], 12, 31) - datetime.date(YEARS[0], 1, 1)).days
    with path_support.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "ref",
                "received_on",
                "gender",
                "age",
                "category",
                "screened",
                "screening_answer",
                "referred_to",
            ]
        )
        for i in range(n_support):
            screened = rng.random() < 0.4
            out.writerow(
                [
                    f"s{i}",
                    (
                        datetime.date(YEARS[0], 1, 1)
                        + datetime.timedelta(days=rng.randrange(days + 1))
                    ).isoformat(),
                    rng.choice(("girl", "boy", "boy", "girl", "unknown")),
                    rng.choice(("", *range(10, 22))),
                    rng.choice(
                        (
                            "victim",
                            "witness",
                            "relative",
                            "suspect-mediation",
                            "suspect-interrogation",
                        )
                    ),
                    "yes" if screened else "no",
                    rng.choice(
                        ("none", "none", "none", "victim", "perpetrator", "both", "declined")
                    )
                    if screened
                    else "",
                    rng.choice(services),
                ]
            )


def run_import(kind: str, path: Path, env: dict) -> tuple[float, int]:
    """Seconds and peak memory (KiB) of `samverkan import` in a process of its own."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "samverkan", "import", kind, str(path)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, max(peak, before)


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


DUCKDB_QUERIES = {
    # The same figures as the engine's chat and support-centre sections, for one year.
    "chat": """
        SELECT count(*),
               count(*) FILTER (WHERE resident = 'yes'),
               avg(age) FILTER (WHERE resident = 'yes'),
               avg(age) FILTER (WHERE resident = 'yes' AND gender = 'girl'),
               avg(age) FILTER (WHERE resident = 'yes' AND gender = 'boy')
        FROM chat WHERE started_at::DATE BETWEEN $from AND $to""",
    "chat_concern": "SELECT concern, count(*) FROM chat WHERE started_at::DATE BETWEEN $from AND $to GROUP BY ALL",
    "chat_month": "SELECT date_trunc('month', started_at), concern, count(*) FROM chat WHERE started_at::DATE BETWEEN $from AND $to GROUP BY ALL",
    "residents": """SELECT gender, concern, coalesce(district, 'unknown'), count(*) FROM chat
        WHERE resident = 'yes' AND started_at::DATE BETWEEN $from AND $to GROUP BY ALL""",
    "violence": """SELECT form, count(*) FROM (SELECT unnest(string_split(violence, ';')) AS form FROM chat
        WHERE resident = 'yes' AND violence <> '' AND started_at::DATE BETWEEN $from AND $to) GROUP BY ALL""",
    "referrals": """SELECT 'chat', referred_to, count(*) FROM chat WHERE referred_to IS NOT NULL AND started_at::DATE BETWEEN $from AND $to GROUP BY ALL
        UNION ALL SELECT 'support', referred_to, count(*) FROM support WHERE referred_to IS NOT NULL AND received_on BETWEEN $from AND $to GROUP BY ALL""",
    "support": """SELECT gender, category, screened, screening_answer, count(*), sum(age), count(age) FROM support
        WHERE received_on BETWEEN $from AND $to GROUP BY ALL""",
    "partner_violence": """SELECT gender, screening_answer, min(age), count(*) FROM support
        WHERE screening_answer IN ('victim', 'both', 'perpetrator') AND received_on BETWEEN $from AND $to GROUP BY ALL""",
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chat", type=int, default=1_000_000)
    parser.add_argument("--support", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    env = {
        **os.environ,
        "SAMVERKAN_VAR_DIR": str(OUT / "var"),
        "DATABASE_URL": f"sqlite:///{OUT / 'bench.sqlite3'}",
    }
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from samverkan.demo.partnership import demo_partnership_create
    from samverkan.statistics.engine import statistics_compute

    call_command("migrate", verbosity=0)
    demo = demo_partnership_create()

    print(
        f"# {datetime.date.today()} on {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform()}"
    )
    chat_all, support_path = OUT / "chat.csv", OUT / "support.csv"
    began = time.perf_counter()
    generate(chat_all, support_path, args.chat, args.support)
    print(
        f"generated {args.chat:,} chat conversations and {args.support:,} support-centre cases in {time.perf_counter() - began:.1f} s"
    )

    # Split the chat file: a fifth first, then the rest, to time stats at both sizes.
    first_part, rest = OUT / "chat-1.csv", OUT / "chat-2.csv"
    with chat_all.open() as source, first_part.open("w") as one, rest.open("w") as two:
        header = source.readline()
        one.write(header)
        two.write(header)
        for i, line in enumerate(source):
            (one if i < args.chat // 5 else two).write(line)

    year_from, year_to = datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)

    def engine():
        return statistics_compute(
            partnership=demo.partnership,
            date_from=year_from,
            date_to=year_to,
            disclosure="internal",
        )

    def engine_public():
        return statistics_compute(
            partnership=demo.partnership, date_from=year_from, date_to=year_to, disclosure="public"
        )

    # The whole agreement (three years with its extensions), in the whole months the public
    # level answers.
    from samverkan.statistics.release import nearest_public_period

    agreement = demo.partnership.agreements.get()
    whole_from, whole_to = nearest_public_period(
        agreement.starts_on, agreement.final_end_on, datetime.date.today()
    )

    def agreement_internal():
        return statistics_compute(
            partnership=demo.partnership,
            date_from=whole_from,
            date_to=whole_to,
            disclosure="internal",
        )

    def agreement_public():
        return statistics_compute(
            partnership=demo.partnership,
            date_from=whole_from,
            date_to=whole_to,
            disclosure="public",
        )

    imported = 0
    seconds_total = 0.0
    peaks = []
    stats_at = []
    for kind, path, rows in (
        ("support-centre", support_path, args.support),
        ("chat", first_part, args.chat // 5),
        ("chat", rest, args.chat - args.chat // 5),
    ):
        seconds, peak = run_import(kind, path, env)
        imported += rows
        seconds_total += seconds
        peaks.append(peak)
        print(
            f"import {kind:<15} {rows:>9,} rows in {seconds:6.1f} s = {rows / seconds:>8,.0f} rows/s, peak memory {peak / 1024:.0f} MiB"
        )
        if kind == "chat":
            stats_at.append((imported, timed(engine, args.repeat)))
    print(f"import total {imported:,} rows: {imported / seconds_total:,.0f} rows/s")

    import duckdb

    db = duckdb.connect()
    db.execute(
        f"CREATE TABLE chat AS SELECT * FROM read_csv('{chat_all}', header=true, types={{'started_at': 'TIMESTAMP', 'age': 'INTEGER', 'district': 'VARCHAR', 'referred_to': 'VARCHAR', 'violence': 'VARCHAR'}})"
    )
    db.execute(
        f"CREATE TABLE support AS SELECT * FROM read_csv('{support_path}', header=true, types={{'received_on': 'DATE', 'age': 'INTEGER', 'screening_answer': 'VARCHAR', 'referred_to': 'VARCHAR'}})"
    )
    params = {"from": year_from, "to": year_to}

    def duck():
        return {name: db.execute(sql, params).fetchall() for name, sql in DUCKDB_QUERIES.items()}

    # Same figures? A few headline ones, from both.
    ours, theirs = engine(), duck()
    total, residents, _mean, mean_girls, _mean_boys = theirs["chat"][0]
    assert ours["chat"]["conversations"] == total, (ours["chat"]["conversations"], total)
    assert ours["chat"]["residents"]["conversations"] == residents
    assert ours["chat"]["residents"]["mean_age_by_gender"]["girl"] == round(mean_girls, 1)
    assert ours["support_centre"]["cases"] == sum(row[4] for row in theirs["support"])

    from samverkan.statistics.models import ReleasedFigure

    def first_release(function):
        """The cost of a period whose months are released by this very request (the figures
        released before are forgotten first; that is not timed)."""

        def run():
            ReleasedFigure.objects.filter(partnership=demo.partnership).delete()
            began = time.perf_counter()
            function()
            return time.perf_counter() - began

        return statistics.median(run() for _ in range(args.repeat))

    public_first_seconds = first_release(engine_public)
    agreement_first_seconds = first_release(agreement_public)
    duck_seconds = timed(duck, args.repeat)
    engine_seconds = timed(engine, args.repeat)
    public_seconds = timed(engine_public, args.repeat)
    agreement_seconds = timed(agreement_internal, args.repeat)
    agreement_public_seconds = timed(agreement_public, args.repeat)
    for records, seconds in stats_at:
        print(
            f"stats for 2022 with {records:>9,} records in the database: {seconds * 1000:7.1f} ms"
        )
    print(f"stats for 2022, internal: {engine_seconds * 1000:7.1f} ms (median of {args.repeat})")
    print(
        f"stats for 2022, public:   {public_seconds * 1000:7.1f} ms "
        f"(its months released before; {public_seconds / engine_seconds:.1f}x internal)"
    )
    print(
        f"stats for 2022, public, its months released by this request: "
        f"{public_first_seconds * 1000:7.1f} ms ({public_first_seconds / engine_seconds:.1f}x internal)"
    )
    print(
        f"stats for the agreement, {whole_from} to {whole_to}: internal "
        f"{agreement_seconds * 1000:.1f} ms, public {agreement_public_seconds * 1000:.1f} ms "
        f"({agreement_public_seconds / agreement_seconds:.1f}x); released by this request "
        f"{agreement_first_seconds * 1000:.1f} ms "
        f"({agreement_first_seconds / agreement_seconds:.1f}x)"
    )
    print(
        f"DuckDB, same figures:     {duck_seconds * 1000:7.1f} ms (in-memory table, loading not timed)"
    )
    print(
        f"ratio stats/DuckDB: {engine_seconds / duck_seconds:.2f} (internal), {public_seconds / duck_seconds:.2f} (public)"
    )


if __name__ == "__main__":
    main()
