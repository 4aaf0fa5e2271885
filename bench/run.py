"""The performance benchmark: `make bench`. Prints figures; asserts nothing (the budgets are in
docs/performance.md, and a person reads the figures against them).

1. Serves the guide with gunicorn on loopback, on a fresh SQLite database from data/places.yaml.
2. In Debian's Chromium at 375×812, first visit (empty cache) of the home, calendar and a place
   page in both languages: bytes transferred (compressed) for everything but map tiles and photos,
   before the map is wanted and again once it has been scrolled into view and drawn, and the
   render-blocking bytes (the HTML plus the stylesheets Chromium marks as blocking). Tile
   requests are answered with a local stub; any other outside request is counted.
3. Lighthouse (npm `lighthouse`, mobile: simulated slow 4G, 4× CPU slowdown): LCP and the four
   category scores.
4. wrk, 32 connections on loopback: requests per second and p50/p99 latency of a place page and
   of /healthz in the same run, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.wrk import run_wrk  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402  (the tests' Chromium, flags and all)

BIN = Path(sys.executable).parent
PAGES = ["/{lang}/", "/{lang}/calendar", "/{lang}/places/jiading-wisteria-park"]
TILE_HOSTS = ("tile.openstreetmap.org", "is.autonavi.com")
BUDGET = {
    "before": 20 * 1024,  # the page before its map is wanted
    "transfer": 70 * 1024,  # with the map
    "blocking": 20 * 1024,
    "lcp": 1200,
    "performance": 95,
    "accessibility": 100,
    "best-practices": 95,
    "seo": 100,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(workers: int):
    """Start gunicorn on a fresh database; return (process, base URL, temp folder)."""
    folder = Path(tempfile.mkdtemp(prefix="guide-bench-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}", "GUNICORN_WORKERS": str(workers)}
    if workers > 1:
        # Several workers must share the login counts (the guide refuses to start otherwise):
        # this machine's Redis, under keys of this run's own.
        prefix = f"guide-bench-{folder.name}:"
        env.update(
            REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            FLASK_SECRET_KEY=secrets.token_hex(32),  # several servers' way: a key set, not made per machine
            FLASK_CACHE_KEY_PREFIX=prefix + "page:",
            FLASK_RATELIMIT_KEY_PREFIX=prefix + "limits",
        )
    for command in (["db", "upgrade"], ["places", "load", "data/places.yaml"]):  # as `make data`
        subprocess.run(
            [str(BIN / "flask"), "--app", "guide", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}", "guide:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return process, base, folder
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def measure_bytes(base: str) -> list[dict]:
    from playwright.sync_api import sync_playwright

    from tests.browser_support import TILE

    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in ("en", "zh"):
            for path in PAGES:
                url = base + path.format(lang=lang)
                # A first visit: no service worker yet (it answers later visits from its shell,
                # which would hide the bytes; the shell's own size is printed below).
                context = browser.new_context(
                    viewport={"width": 375, "height": 812},
                    is_mobile=True,
                    has_touch=True,
                    device_scale_factor=2,
                    service_workers="block",
                )
                page = context.new_page()
                outside = []

                def route(r, outside=outside):
                    host = urlsplit(r.request.url).hostname or ""
                    if host == "127.0.0.1":
                        r.continue_()
                    elif host.endswith(TILE_HOSTS):
                        r.fulfill(status=200, content_type="image/png", body=TILE)
                    else:
                        outside.append(r.request.url)
                        r.abort()

                page.route("**/*", route)
                page.goto(url, wait_until="networkidle")
                figures = page.evaluate(FIGURES)
                figures["before"] = figures.pop("transfer")
                figures["transfer"] = figures["before"]
                if page.locator("[data-map]").count():  # scroll to the map, as a visitor would
                    page.locator("#map").scroll_into_view_if_needed()
                    page.wait_for_selector("[data-map-ready]", timeout=15_000)
                    page.wait_for_load_state("networkidle")
                    figures["transfer"] = page.evaluate(FIGURES)["transfer"]
                rows.append({"page": path.format(lang=lang), **figures, "outside": len(outside)})
                context.close()
        browser.close()
    return rows


def shell_bytes(base: str) -> tuple[int, int]:
    """What the service worker fetches once per version, after the page's load event: the shell
    it precaches (docs/offline.md), as transferred with Brotli, and the number of files."""

    def get(url: str) -> bytes:
        request = urllib.request.Request(base + url, headers={"Accept-Encoding": "br"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read()

    worker = get("/sw.js").decode()
    setup = json.loads(worker.split("\n", 1)[0].removeprefix("self.GUIDE = ").removesuffix(";"))
    urls = [entry if isinstance(entry, str) else entry["url"] for entry in setup["shell"]]
    total = len(worker.encode()) + len(get(setup["workbox"])) + sum(len(get(url)) for url in urls)
    return total, len(urls) + 2


FIGURES = """() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const own = performance.getEntriesByType('resource')
        .filter(r => new URL(r.name).hostname === '127.0.0.1' && !r.name.includes('/photos/'));
    return {
        transfer: nav.transferSize + own.reduce((n, r) => n + r.transferSize, 0),
        blocking: nav.transferSize + own.filter(r => r.renderBlockingStatus === 'blocking')
                                         .reduce((n, r) => n + r.transferSize, 0),
        html: nav.transferSize, requests: own.length + 1,
    };
}"""


def lighthouse(base: str) -> list[dict]:
    binary = ROOT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        raise SystemExit("node_modules/.bin/lighthouse is missing: run `npm ci` (make bench does)")
    rows = []
    for lang in ("en", "zh"):
        for path in PAGES:
            url = base + path.format(lang=lang)
            out = Path(tempfile.mkdtemp()) / "report.json"
            subprocess.run(
                [
                    str(binary),
                    url,
                    "--quiet",
                    "--output=json",
                    f"--output-path={out}",
                    "--form-factor=mobile",
                    "--screenEmulation.mobile",
                    "--throttling-method=simulate",
                    "--blocked-url-patterns=*openstreetmap.org*",
                    "--blocked-url-patterns=*autonavi.com*",
                    "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS),
                ],
                env={**os.environ, "CHROME_PATH": CHROMIUM},
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            report = json.loads(out.read_text())
            rows.append(
                {
                    "page": path.format(lang=lang),
                    "lcp": report["audits"]["largest-contentful-paint"]["numericValue"],
                    **{
                        k: round(report["categories"][k]["score"] * 100)
                        for k in ("performance", "accessibility", "best-practices", "seo")
                    },
                }
            )
    return rows


def wrk(url: str, seconds: int) -> dict:
    return run_wrk(url, seconds, 32, "-H", "Accept-Encoding: br, gzip", "-H", "Accept-Language: en")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=15, help="length of each wrk run")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--skip-lighthouse", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (make bench does)")
    process, base, folder = serve(args.workers)
    try:
        shared = "Redis for the page cache and limits" if args.workers > 1 else "in memory"
        print(f"Jiading Bloom Guide benchmark · gunicorn, {args.workers} workers, SQLite, {shared}, {base}")
        print(f"machine: {os.cpu_count()} cores; Chromium {CHROMIUM}\n")
        print("First visit at 375×812 (bytes as transferred, compressed; tiles and photos excluded)")
        print("before: until the map is wanted; with map: after scrolling to it, once drawn")
        print(f"{'page':42} {'before':>8} {'with map':>9} {'blocking':>9} {'html':>7} {'requests':>8} {'outside':>7}")
        for r in measure_bytes(base):
            ok = (
                r["before"] <= BUDGET["before"]
                and r["transfer"] <= BUDGET["transfer"]
                and r["blocking"] <= BUDGET["blocking"]
                and not r["outside"]
            )
            print(
                f"{r['page']:42} {r['before'] / 1024:7.1f}K {r['transfer'] / 1024:8.1f}K {r['blocking'] / 1024:8.1f}K "
                f"{r['html'] / 1024:6.1f}K {r['requests']:8d} {r['outside']:7d}{'' if ok else '  OVER BUDGET'}"
            )
        print(
            f"budget: before the map ≤ {BUDGET['before'] // 1024}K, with the map ≤ {BUDGET['transfer'] // 1024}K, "
            f"render-blocking ≤ {BUDGET['blocking'] // 1024}K, no outside host\n"
        )
        if not args.skip_lighthouse:
            print("Lighthouse, mobile (simulated slow 4G, 4× CPU slowdown)")
            print(f"{'page':42} {'LCP':>7} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5}")
            for r in lighthouse(base):
                ok = r["lcp"] <= BUDGET["lcp"] and all(
                    r[k] >= BUDGET[k] for k in ("performance", "accessibility", "best-practices", "seo")
                )
                print(
                    f"{r['page']:42} {r['lcp'] / 1000:6.2f}s {r['performance']:5d} {r['accessibility']:5d} "
                    f"{r['best-practices']:5d} {r['seo']:5d}{'' if ok else '  BELOW GOAL'}"
                )
            print("goal: LCP ≤ 1.2 s, performance ≥ 95, accessibility 100, best practices ≥ 95, SEO 100\n")
        shell, files = shell_bytes(base)
        print(
            f"Offline shell, fetched by the service worker after the load event, once per version: "
            f"{files} files, {shell / 1024:.1f}K (the worker itself uncompressed, the rest Brotli)\n"
        )
        print(f"Throughput: wrk, 2 threads, 32 connections, {args.seconds} s each, Accept-Encoding: br, gzip")
        health = wrk(base + "/healthz", args.seconds)
        place = wrk(base + "/en/places/jiading-wisteria-park", args.seconds)
        for name, r in (("/healthz", health), ("/en/places/jiading-wisteria-park", place)):
            print(f"{name:42} {r['rps']:9.0f} req/s  p50 {r['p50']:6.2f} ms  p99 {r['p99']:6.2f} ms  errors {r['bad']}")
        ratio = place["rps"] / health["rps"]
        print(
            f"place page / healthz throughput: {ratio:.0%} (goal ≥ 50%); place p99 {place['p99']:.1f} ms (goal < 50 ms)"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
