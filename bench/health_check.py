#!/usr/bin/env python3
"""Benchmark for `skillsctl health-check` (issue: 500 targets, idle --wait CPU).

1. 500 HTTP targets on one loopback server, each answering after its own delay
   (0-300 ms). Target: the run completes within the slowest target's latency
   plus 100 ms (process start included).
2. An idle `--wait` loop (one target that stays 503, polled every second for
   10 s). Target: under 1% CPU.

Usage: cargo build --release --examples && python3 bench/health_check.py [path/to/skillsctl]
Loopback only; bounded in count and time; stops by itself.
"""
import json
import os
import subprocess
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "skillsctl")
SERVER = os.path.join(ROOT, "target", "release", "examples", "bench_server")
TARGETS = 500
SLOWEST_MS = 300
RUNS = 5


def main():
    # The server is a tokio example so that it, not the benchmark, is never the bottleneck.
    server = subprocess.Popen([SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(server.stdout.readline())

    # Delays spread over 0..SLOWEST_MS; the last target is the slowest.
    delays = [(i * 7) % SLOWEST_MS for i in range(TARGETS - 1)] + [SLOWEST_MS]
    args = [f"t{i}=http://127.0.0.1:{port}/delay/{d}" for i, d in enumerate(delays)]
    cmd = [BIN, "--format", "json", "health-check", "--retries", "0", "--timeout", "5s", *args]
    walls = []
    for run in range(RUNS):
        start = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=False)
        wall = (time.perf_counter() - start) * 1000
        report = json.loads(out.stdout)
        assert report["healthy"] == TARGETS, (report["healthy"], out.stderr[:500])
        walls.append(wall)
    walls.sort()
    median = walls[len(walls) // 2]
    print(f"500 HTTP targets, slowest answers after {SLOWEST_MS} ms")
    print(f"  wall (process start to exit): median {median:.0f} ms, best {walls[0]:.0f} ms, worst {walls[-1]:.0f} ms over {RUNS} runs")
    print(f"  overhead over the slowest target: median {median - SLOWEST_MS:.0f} ms (target: < 100 ms)")

    # Idle --wait: one target that stays down, polled every second for 10 s.
    wait_cmd = ["/usr/bin/time", "-f", "%U %S %e", BIN, "health-check", "--wait", "10s", "--interval", "1s",
                f"down=http://127.0.0.1:{port}/down"]
    out = subprocess.run(wait_cmd, capture_output=True, text=True, check=False)
    user, system, elapsed = (float(x) for x in out.stderr.strip().splitlines()[-1].split())
    cpu = (user + system) / elapsed * 100
    print(f"idle --wait 10s at 1 s interval: {user + system:.3f} s CPU over {elapsed:.1f} s = {cpu:.2f}% (target: < 1%)")
    server.stdin.close()
    server.wait(timeout=10)


if __name__ == "__main__":
    main()
