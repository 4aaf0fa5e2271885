"""Run wrk on loopback and read its figures (bench/run.py, bench/load.py)."""

from __future__ import annotations

import re
import subprocess


def run_wrk(url: str, seconds: int, connections: int, *options: str) -> dict:
    """Requests, req/s, p50/p90/p99 in ms, error responses (non-2xx/3xx) and socket errors."""
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", *options, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def ms(label):
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": ms("50%"),
        "p90": ms("90%"),
        "p99": ms("99%"),
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(map(int, sockets.groups())) if sockets else 0,
    }
