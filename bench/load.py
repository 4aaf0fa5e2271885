"""The load test: `make load`. Prints figures, and exits 1 if anything was lost or failed.

One app server (gunicorn, the repository's gunicorn.conf.py) on PostgreSQL and Redis, on
loopback. For 60 s, wrk keeps 64 connections busy on a mix of public pages in both languages
while park staff send reports through the real forms (log in, open the place form, send it),
each staff member at their own place, one report every second or so. Afterwards:
- wrk's count of 5xx and other error responses and of socket errors, which must be 0;
- every report the app acknowledged (302 to the place page) is in the database, once;
- the resident memory of each worker, sampled every 5 s: after warm-up, and at the end;
- Redis: its memory and the guide's page keys before and after. A share of requests (--noise)
  carry a random query string (`?utm_source=…`, WeChat's `?from=singlemessage&…`), as shared
  links do: they must neither fail nor add keys, since pages key on the parameters they read.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
import time
from pathlib import Path

import redis
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.cluster import Cluster, Staff, rss_kib
from bench.wrk import run_wrk

PLACES = [
    "jiading-wisteria-park",
    "nanshuiguan-park",
    "ziyun-corridor",
    "xincheng-park",
    "guyi-garden",
    "qiuxia-garden",
    "huilongtan-park",
    "jiazhu-osmanthus-park",
]
PAGES = [
    "/{lang}/",
    "/{lang}/calendar",
    "/{lang}/events",
    "/{lang}/places/{slug}",
    "/{lang}/places/{slug}/history",
    "/{lang}/places/{slug}/map.json",
    "/{lang}/feed.atom",
    "/{lang}/places/{slug}/card",
    "/api/v1/places",
    "/api/v1/places/{slug}",
]
STAGES = ["budding", "first_bloom", "blooming", "peak", "fading"]


def page_mix(slugs: list[str]) -> list[str]:
    return sorted({page.format(lang=lang, slug=slug) for page in PAGES for lang in ("en", "zh") for slug in slugs})


def wrk_script(paths: list[str], folder: Path, noise: float) -> Path:
    """A wrk script that walks the page mix, as phones with br/gzip and a language would; a
    share `noise` of the requests carries a random query string that no page reads."""
    script = folder / "mix.lua"
    entries = ",\n".join(f'  "{p}"' for p in paths)
    script.write_text(f"""local paths = {{
{entries}
}}
local tails = {{"?utm_source=", "?from=singlemessage&isappinstalled=0&r=", "?fbclid=", "?spm="}}
local n = 0
request = function()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  if math.random() < {noise} then
    path = path .. tails[math.random(#tails)] .. math.random(1, 2000000000)
  end
  return wrk.format("GET", path, {{["Accept-Encoding"] = "br, gzip"}})
end
""")
    return script


def redis_figures(cluster: Cluster) -> tuple[int, int, int]:
    """Redis's memory in use (bytes), how many page keys the guide holds there, and how many of
    them name a query parameter that no page reads (which must be none)."""
    client = redis.from_url(cluster.redis_url)
    try:
        used = int(client.info("memory")["used_memory"])
        keys = [k.decode() for k in client.scan_iter(match=f"{cluster.prefix}page:*", count=1000)]
        noisy = [k for k in keys if any(n in k for n in ("utm_source", "singlemessage", "fbclid", "spm"))]
        return used, len(keys), len(noisy)
    finally:
        client.close()


class Reporter(threading.Thread):
    """A staff member sending a report about every `pause` seconds until told to stop."""

    def __init__(self, base: str, username: str, slug: str, stop: threading.Event, pause: float):
        super().__init__(daemon=True)
        self.staff, self.stop, self.pause = Staff(base, username, slug), stop, pause
        self.acknowledged: list[str] = []
        self.failures: list[str] = []
        self.seconds: list[float] = []

    def run(self) -> None:
        if (answer := self.staff.log_in()).status_code != 302:
            self.failures.append(f"login {answer.status_code}")
            return
        number = 0
        while not self.stop.is_set():
            number += 1
            note = f"load {self.staff.username} #{number}"
            started = time.monotonic()
            try:
                answer = self.staff.report(STAGES[number % len(STAGES)], note)
            except Exception as error:  # counted and shown, the run goes on
                self.failures.append(f"{note}: {error.__class__.__name__}")
            else:
                if answer.status_code == 302:
                    self.acknowledged.append(note)
                    self.seconds.append(time.monotonic() - started)
                else:
                    self.failures.append(f"{note}: HTTP {answer.status_code}")
            self.stop.wait(self.pause)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--staff", type=int, default=len(PLACES), help="staff sending reports at once")
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between one person's reports")
    parser.add_argument("--noise", type=float, default=0.3, help="share of requests with a random query string")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make load does)")

    with Cluster(workers=args.workers) as cluster:
        names = [cluster.add_staff(f"staff{n}", slug) for n, slug in enumerate(PLACES[: args.staff])]
        server = cluster.start_server()
        paths = page_mix(PLACES)
        for path in paths:  # every page answers before the clock starts
            requests.get(server.base + path, timeout=10).raise_for_status()
        workers = server.workers()
        print(f"Load test · gunicorn {len(workers)} workers on PostgreSQL + Redis, {server.base}")
        print(
            f"{args.seconds} s, wrk 2 threads × {args.connections} connections over {len(paths)} public pages; "
            f"{len(names)} staff reporting through the forms, one report per {args.pause:g} s each; "
            f"{args.noise:.0%} of requests with a random query string\n"
        )
        memory_before, keys_before, _ = redis_figures(cluster)

        stop = threading.Event()
        reporters = [
            Reporter(server.base, name, slug, stop, args.pause)
            for name, slug in zip(names, PLACES, strict=False)  # the first few places
        ]
        memory: dict[int, list[int | None]] = {pid: [] for pid in workers}

        def sample_memory():
            while not stop.is_set():
                for pid in workers:
                    memory[pid].append(rss_kib(pid))
                stop.wait(5)

        sampler = threading.Thread(target=sample_memory, daemon=True)
        sampler.start()
        for reporter in reporters:
            reporter.start()
        script = wrk_script(paths, cluster.folder, args.noise)
        load = run_wrk(server.base, args.seconds, args.connections, "-s", str(script))
        stop.set()
        for reporter in reporters:
            reporter.join(timeout=30)
        sampler.join(timeout=10)

        acknowledged = [note for r in reporters for note in r.acknowledged]
        failures = [failure for r in reporters for failure in r.failures]
        stored = [
            note for (note,) in cluster.sql("SELECT note->>'en' FROM bloom_report WHERE note->>'en' LIKE 'load %%'")
        ]
        missing = set(acknowledged) - set(stored)
        twice = len(stored) - len(set(stored))
        tracebacks = server.log.read_text().count("Traceback")
        memory_after, keys_after, noisy = redis_figures(cluster)
        restarted = set(server.workers()) != set(workers)

        print(
            f"public pages   {load['requests']} requests, {load['rps']:.0f} req/s, p50 {load['p50']:.1f} ms, "
            f"p90 {load['p90']:.1f} ms, p99 {load['p99']:.1f} ms"
        )
        print(f"               error responses (non-2xx/3xx) {load['bad']}, socket errors {load['socket_errors']}")
        seconds = sorted(s for r in reporters for s in r.seconds)
        if seconds:
            print(
                f"staff reports  {len(acknowledged)} acknowledged, {len(failures)} failed; form + send took "
                f"p50 {seconds[len(seconds) // 2] * 1000:.0f} ms, max {seconds[-1] * 1000:.0f} ms"
            )
        for failure in failures[:10]:
            print(f"               failed: {failure}")
        print(
            f"database       {len(stored)} of them stored, {len(missing)} acknowledged but missing, "
            f"{twice} stored twice"
        )
        print(
            f"server log     {tracebacks} tracebacks; workers {'RESTARTED' if restarted else 'all the same processes'}"
        )
        print(
            f"redis          {memory_before / 2**20:.1f} MB, {keys_before} page keys before; "
            f"{memory_after / 2**20:.1f} MB, {keys_after} page keys after, {noisy} of them for a random query"
        )
        print("memory (RSS)   worker   after 5 s    at the end   growth         every 10 s (MB)")
        growths = []
        for pid, samples in memory.items():
            seen = [s for s in samples if s]
            if len(seen) >= 2:
                start, end = seen[1] if len(seen) > 2 else seen[0], seen[-1]
                growths.append(end - start)
                print(
                    f"               {pid:6d}  {start / 1024:8.1f} MB  {end / 1024:8.1f} MB  "
                    f"{(end - start) / 1024:+6.1f} MB    " + " ".join(f"{s / 1024:.0f}" for s in seen[::2])
                )
        ok = not (
            load["bad"] or load["socket_errors"] or failures or missing or twice or tracebacks or restarted or noisy
        )
        print(
            f"\n{'PASS' if ok else 'FAIL'}: no error response, every acknowledged report stored once, "
            "no page key for a random query string"
            + (f", worker memory grew at most {max(growths) / 1024:.1f} MB" if growths else "")
        )
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
