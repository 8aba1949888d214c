#!/usr/bin/env python3
"""`skillsctl analyze-boundaries` against tokei on checked-out repositories.

For each folder given (public monorepos cloned outside this repository; none of
their code is ever committed here), times size + imports with workspace
resolution (`analyze-boundaries --no-history`, no config: detection included)
against `tokei` on the same folder, alternately, and prints the medians with
what the report found: code lines, the share assigned to a domain or a shared
package, the domains by role, the recommendations and the unresolved imports.

Needs: cargo build --release; tokei on PATH (cargo install tokei).
Usage: python3 bench/real_repos.py DIR [DIR...]
"""
import collections
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = os.path.join(ROOT, "target", "release", "skillsctl")
ROUNDS = 11


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def report(repo):
    out = subprocess.run(
        [BIN, "--quiet", "--format", "json", "analyze-boundaries", repo, "--no-history"],
        capture_output=True, text=True,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"{repo}: skillsctl exited {out.returncode}: {out.stderr}")
    return json.loads(out.stdout)


def summary(repo, doc):
    code = doc["lines"]["code"]
    unassigned = doc["unassigned"]["lines"]["code"]
    roles = collections.Counter(d["role"] for d in doc["domains"])
    recs = collections.Counter(d["recommendation"] for d in doc["domains"])
    unresolved = ", ".join(f"{k} {v}" for k, v in sorted(doc["unresolved"].items()))
    return (
        f"{os.path.basename(repo.rstrip('/'))}: {code} code lines, {100 * (code - unassigned) / max(code, 1):.1f}% assigned; "
        f"{len(doc['domains'])} domains ({', '.join(f'{k} {v}' for k, v in sorted(roles.items()))}); "
        f"{', '.join(f'{k} {v}' for k, v in sorted(recs.items()))}; unresolved: {unresolved or 'none'}"
    )


def main():
    repos = sys.argv[1:]
    if not repos:
        sys.exit(__doc__)
    for repo in repos:
        print(summary(repo, report(repo)))
        times = {"skillsctl": [], "tokei": []}
        commands = {
            "skillsctl": [BIN, "--quiet", "--format", "json", "analyze-boundaries", repo, "--no-history"],
            "tokei": ["tokei", "-o", "json", repo],
        }
        for _ in range(ROUNDS):
            for name, cmd in commands.items():
                times[name].append(timed(cmd))
        ours, tokei = (statistics.median(times[n]) for n in ("skillsctl", "tokei"))
        print(f"  skillsctl {ours:.3f} s [min {min(times['skillsctl']):.3f}], tokei {tokei:.3f} s [min {min(times['tokei']):.3f}]: {ours / tokei:.2f}x tokei (median of {ROUNDS} alternating runs)")


if __name__ == "__main__":
    main()
