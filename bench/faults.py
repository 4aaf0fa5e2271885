"""The fault test: `make faults`. Prints what happened, and exits 1 if a report was lost, the
database was left inconsistent, or a visitor met anything but the guide's own pages.

1. kill -9 an app server (master and workers) in the middle of a stream of reports. The staff's
   phones go on through the second server, as behind a load balancer. Every report that got a
   success answer must be in the database once, and each report row must have come with its
   revision bump (one transaction: no half-written report).
2. Restart PostgreSQL under load (`pg_ctlcluster … stop`, a pause, `… start`). While it is down,
   every page must be the localized 503 page (never a 500 or a traceback) and every form sent
   must say that nothing was saved; when it is back, the app must recover by itself.

Needs root (it stops and starts this machine's PostgreSQL) and leaves PostgreSQL running.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.cluster import Cluster, Staff
from bench.load import PLACES, STAGES, page_mix

HEADING = {"en": "<h1>The guide is briefly unavailable</h1>", "zh": "<h1>嘉定花信暂时无法访问</h1>"}


def postgresql(action: str) -> None:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            action,
            *(["-m", "fast"] if action == "stop" else []),
        ],
        check=True,
        capture_output=True,
    )


def postgresql_answers() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"]).returncode == 0


class Phone(threading.Thread):
    """A staff member reporting without pause; switches server when one stops answering."""

    def __init__(self, bases: list[str], username: str, slug: str, stop: threading.Event):
        super().__init__(daemon=True)
        self.bases, self.stop = list(bases), stop
        self.staff = Staff(bases[0], username, slug)
        self.acknowledged: list[str] = []
        self.unanswered: list[str] = []  # sent, but no answer came: saved or not, nobody knows
        self.refused: list[tuple[str, int, str]] = []  # an answer that was not "saved"

    def run(self) -> None:
        self.staff.log_in()
        form = None
        for number in itertools.count(1):
            if self.stop.is_set():
                return
            note = f"fault {self.staff.username} #{number}"
            stage = STAGES[number % len(STAGES)]
            try:
                try:
                    form = self.staff.open_form(stage, note, base=self.bases[0])
                except requests.HTTPError:
                    if form is None:
                        raise
                    # The form would not open: send the one still on the screen, as people do.
                    form = {
                        k: note if k.endswith("-note_en") else stage if k.endswith("-stage") else v
                        for k, v in form.items()
                    }
                answer = self.staff.send(form, base=self.bases[0])
            except requests.RequestException:
                self.unanswered.append(note)
                if len(self.bases) > 1:
                    self.bases.pop(0)  # the load balancer takes this server out
                time.sleep(0.2)
                continue
            if answer.status_code == 302:
                self.acknowledged.append(note)
            else:
                self.refused.append((note, answer.status_code, answer.text))
                time.sleep(0.2)


def check_reports(cluster: Cluster, phones: list[Phone], revision_before: int) -> bool:
    rows = [note for (note,) in cluster.sql("SELECT note->>'en' FROM bloom_report WHERE note->>'en' LIKE 'fault %%'")]
    acknowledged = {n for p in phones for n in p.acknowledged}
    unanswered = {n for p in phones for n in p.unanswered}
    missing = acknowledged - set(rows)
    twice = len(rows) - len(set(rows))
    [(revision,)] = cluster.sql("SELECT value FROM revision WHERE id = 1")
    [(orphans,)] = cluster.sql(
        "SELECT count(*) FROM bloom_report r LEFT JOIN plant p ON p.id = r.plant_id "
        "LEFT JOIN staff s ON s.id = r.staff_id WHERE p.id IS NULL OR s.id IS NULL"
    )
    print(
        f"  acknowledged {len(acknowledged)}: {len(acknowledged) - len(missing)} in the database, "
        f"{len(missing)} missing, {twice} stored twice"
    )
    print(
        f"  sent without an answer {len(unanswered)}: {len(unanswered & set(rows))} saved before the answer was lost, "
        f"{len(unanswered - set(rows))} not saved"
    )
    print(
        f"  consistency: {len(rows)} report rows and {revision - revision_before} revision bumps "
        f"({'equal' if len(rows) == revision - revision_before else 'NOT EQUAL'}), {orphans} orphan rows"
    )
    return not missing and not twice and not orphans and len(rows) == revision - revision_before


def kill_an_app_server(seconds_before: float, seconds_after: float) -> bool:
    print("1. kill -9 an app server in the middle of a stream of reports")
    with Cluster(workers=2) as cluster:
        names = [cluster.add_staff(f"phone{n}", slug) for n, slug in enumerate(PLACES[:4])]
        doomed, survivor = cluster.start_server(), cluster.start_server()
        [(revision_before,)] = cluster.sql("SELECT value FROM revision WHERE id = 1")
        stop = threading.Event()
        phones = [
            Phone([doomed.base, survivor.base], name, slug, stop)
            for name, slug in zip(names, PLACES, strict=False)  # the first few places
        ]
        for phone in phones:
            phone.start()
        time.sleep(seconds_before)
        sent_before = sum(len(p.acknowledged) for p in phones)
        doomed.kill()
        print(
            f"  killed server 1 (master and {2} workers, SIGKILL) after {seconds_before:g} s and "
            f"{sent_before} acknowledged reports; the phones go on through server 2"
        )
        time.sleep(seconds_after)
        stop.set()
        for phone in phones:
            phone.join(timeout=30)
        refused = [r for p in phones for r in p.refused]
        for note, status, _ in refused[:5]:
            print(f"  refused: {note}: HTTP {status}")
        return check_reports(cluster, phones, revision_before) and not refused


class Visitor(threading.Thread):
    """A tourist's phone going through the public pages without pause, noting every answer."""

    def __init__(self, base: str, paths: list[str], stop: threading.Event, log: list):
        super().__init__(daemon=True)
        self.base, self.paths, self.stop, self.log = base, paths, stop, log
        self.session = requests.Session()

    def run(self) -> None:
        for path in itertools.cycle(self.paths):
            if self.stop.is_set():
                return
            try:
                answer = self.session.get(self.base + path, timeout=10)
                self.log.append((time.monotonic(), path, answer.status_code, answer.text))
            except requests.RequestException as error:
                self.log.append((time.monotonic(), path, 0, error.__class__.__name__))


def restart_postgresql(visitors: int, down_for: float) -> bool:
    print("2. restart PostgreSQL under load")
    with Cluster(workers=4) as cluster:
        names = [cluster.add_staff(f"phone{n}", slug) for n, slug in enumerate(PLACES[:2])]
        server = cluster.start_server()
        [(revision_before,)] = cluster.sql("SELECT value FROM revision WHERE id = 1")
        stop, log = threading.Event(), []
        paths = page_mix(PLACES[:3])
        crowd = [Visitor(server.base, paths[n::visitors] + paths[:n], stop, log) for n in range(visitors)]
        phones = [
            Phone([server.base], name, slug, stop)
            for name, slug in zip(names, PLACES, strict=False)  # the first few places
        ]
        for thread in crowd + phones:
            thread.start()
        try:
            time.sleep(5)
            stopping = time.monotonic()
            postgresql("stop")
            stopped = time.monotonic()
            time.sleep(down_for)
            starting = time.monotonic()
            postgresql("start")
            started = time.monotonic()
        finally:
            if not postgresql_answers():
                postgresql("start")
        time.sleep(10)
        stop.set()
        for thread in crowd + phones:
            thread.join(timeout=30)

        phases = {
            "before": (0, stopping),
            "stopping": (stopping, stopped),
            "down": (stopped, starting),
            "starting": (starting, started),
            "after": (started, float("inf")),
        }
        print(
            f"  {len(crowd)} visitors and {len(phones)} staff phones; PostgreSQL stopped for "
            f"{starting - stopped:.1f} s (stop took {stopped - stopping:.1f} s, start {started - starting:.1f} s)"
        )
        print(f"  {'phase':9} {'answers':>8}  by status")
        for phase, (start, end) in phases.items():
            statuses = collections.Counter(status for at, _, status, _ in log if start <= at < end)
            print(
                f"  {phase:9} {sum(statuses.values()):8d}  "
                + ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(statuses.items()))
            )
        bad_pages = [
            (path, status)
            for _, path, status, text in log
            if status not in (200, 503)
            or (
                status == 503
                and (HEADING["zh" if path.startswith("/zh/") else "en"] not in text and not path.startswith("/api/"))
            )
            or "Traceback" in text
        ]
        first_200 = min((at for at, _, status, _ in log if at >= starting and status == 200), default=None)
        last_503 = max((at for at, _, status, _ in log if status == 503), default=None)
        tracebacks = server.log.read_text().count("Traceback")
        refused = [r for p in phones for r in p.refused]
        said_so = [r for r in refused if r[1] == 503 and "Nothing was saved." in r[2]]
        conflicts = [r for r in refused if r[1] == 409]  # an old form sent once it was back: kept, shown
        print(f"  every answer a 200 or the localized 503 page: {'yes' if not bad_pages else bad_pages[:5]}")
        print(
            f"  forms not saved: {len(refused)}, of them {len(said_so)} with the 503 page saying nothing was "
            f"saved, {len(conflicts)} with the conflict page (an old form sent once it was back)"
        )
        if first_200 is not None and last_503 is not None:
            print(
                f"  recovered by itself, no restart: first 200 {first_200 - starting:.2f} s and last 503 "
                f"{last_503 - starting:.2f} s after the start command (which returned after {started - starting:.2f} s)"
            )
        print(
            f"  server log: {tracebacks} tracebacks, "
            f"{server.log.read_text().count('database unavailable')} one-line 'database unavailable' warnings"
        )
        ok = check_reports(cluster, phones, revision_before)
        return (
            ok
            and not bad_pages
            and not tracebacks
            and len(said_so) + len(conflicts) == len(refused)
            and first_200 is not None
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--visitors", type=int, default=16, help="threads loading public pages")
    parser.add_argument("--down", type=float, default=8.0, help="seconds PostgreSQL stays stopped")
    args = parser.parse_args()
    killed = kill_an_app_server(4, 4)
    print()
    restarted = restart_postgresql(args.visitors, args.down)
    ok = killed and restarted
    print(
        f"\n{'PASS' if ok else 'FAIL'}: nothing acknowledged was lost, the database is consistent, "
        f"and visitors met only the guide's pages"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
