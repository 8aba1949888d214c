#!/usr/bin/env python3
"""Benchmark for `skillsctl analyze-boundaries` (issue 3's targets).

Generates synthetic monorepos (bench/gen_monorepo.py) and times, on the same
trees, in one run:
  - size + imports: skillsctl --no-history vs tokei (line counts only) and
    dependency-cruiser (import graph, 5,000 files only: it is slow);
  - the history pass: skillsctl with history minus without, vs `git log
    --name-only` alone, on 20,000 commits;
  - `--suggest` (Louvain over the folders) at 50,000 files, and at 5,000 files
    with the 20,000 commits' change coupling;
  - peak memory of skillsctl at 50,000 files (/usr/bin/time).

Needs: cargo build --release; tokei on PATH (cargo install tokei);
dependency-cruiser in /tmp/depcruise (npm install dependency-cruiser
typescript@5: dependency-cruiser 17 parses TypeScript only with typescript
below 7, and without it cruises no .ts file at all, which this script checks).

The machine these figures come from is shared and its speed drifts, so the
tools are run alternately, several rounds, and compared by their medians.
Usage: python3 bench/analyze_boundaries.py
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = os.path.join(ROOT, "target", "release", "skillsctl")
DEPCRUISE = "/tmp/depcruise/node_modules/.bin/depcruise"
RUNS = 3
ROUNDS = 15


def timed(cmd, cwd=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    return time.perf_counter() - start


def best(cmd, cwd=None, runs=RUNS):
    return min(timed(cmd, cwd) for _ in range(runs))


def alternate(commands, rounds=ROUNDS):
    """Runs the commands in turn, `rounds` times; medians and minimums by name."""
    times = {name: [] for name in commands}
    for _ in range(rounds):
        for name, cmd in commands.items():
            times[name].append(timed(cmd))
    return {name: (statistics.median(t), min(t)) for name, t in times.items()}


def depcruise(repo):
    """Seconds dependency-cruiser takes on the repo, or None if it did not cruise it."""
    start = time.perf_counter()
    out = subprocess.run(
        [DEPCRUISE, "--no-config", "--ts-config", "tsconfig.json", "--output-type", "json", "packages"],
        cwd=repo, capture_output=True, text=True,
    )
    elapsed = time.perf_counter() - start
    try:
        cruised = json.loads(out.stdout)["summary"]["totalCruised"]
    except (ValueError, KeyError):
        cruised = 0
    if out.returncode != 0 or cruised == 0:
        print("  dependency-cruiser cruised no modules: install typescript@5 beside it", file=sys.stderr)
        return None
    return elapsed


def main():
    # BENCH_DIR keeps the generated trees between runs.
    keep = os.environ.get("BENCH_DIR")
    work = keep or tempfile.mkdtemp(prefix="skillsctl-ab-bench-")
    gen = os.path.join(ROOT, "bench", "gen_monorepo.py")
    small = os.path.join(work, "small")
    large = os.path.join(work, "large")
    if not os.path.isdir(small):
        subprocess.run([sys.executable, gen, small, "--files", "5000", "--commits", "20000"], check=True)
    if not os.path.isdir(large):
        subprocess.run([sys.executable, gen, large, "--files", "50000"], check=True)
    analyse = lambda repo, *extra: [BIN, "--quiet", "--format", "json", "analyze-boundaries", repo, *extra]
    print(f"size + imports (median of {ROUNDS} alternating runs, seconds; min in brackets):")
    for name, repo in [("5,000 files", small), ("50,000 files", large)]:
        commands = {"skillsctl": analyse(repo, "--no-history")}
        if shutil.which("tokei"):
            commands["tokei"] = ["tokei", "-o", "json", repo]
        result = alternate(commands)
        ours, ours_min = result["skillsctl"]
        line = f"  {name:13s} skillsctl {ours:6.3f} [{ours_min:.3f}]"
        if "tokei" in result:
            tokei, tokei_min = result["tokei"]
            line += f"   tokei {tokei:6.3f} [{tokei_min:.3f}]   ratio {ours / tokei:4.2f}x tokei"
        if repo == small and os.path.exists(DEPCRUISE):
            dc = depcruise(repo)
            if dc:
                line += f"   dependency-cruiser {dc:7.2f}   {dc / ours:5.0f}x slower than skillsctl"
        print(line)
    with_history = best(analyse(small, "--since", "3650days"))
    without = best(analyse(small, "--no-history"))
    git_log = best(["git", "-C", small, "log", "--no-merges", "--no-renames", "--name-only", "-z", "--format=%x1e%aN%x1f%aE%x1f%at"])
    history_pass = max(with_history - without, 0.0)
    print(f"history pass on 20,000 commits: {history_pass:.2f} s (with {with_history:.2f} - without {without:.2f}); git log --name-only alone {git_log:.2f} s; ratio {history_pass / git_log:.2f}x")
    suggest_large = best(analyse(large, "--no-history", "--suggest"))
    suggest_small = best(analyse(small, "--since", "3650days", "--suggest"))
    print(f"--suggest: {suggest_large:.2f} s at 50,000 files (target < 2 s); {suggest_small:.2f} s at 5,000 files with 20,000 commits of change coupling")
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *analyse(large, "--no-history")], capture_output=True, text=True, check=True)
    peak_kb = int(out.stderr.strip().splitlines()[-1])
    print(f"peak memory at 50,000 files: {peak_kb / 1024:.0f} MB (target < 150 MB)")
    if not keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
