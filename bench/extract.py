#!/usr/bin/env python3
"""Benchmark for `skillsctl extract-service` (issue: extract-service).

  1. The plan for the sample's `ai` domain: `extract-service ai --dry-run
     --format json` on a copy of fixtures/skills-monorepo (walk, parse and
     resolve every import, render the template, wire, EXTRACTION.md).
     Target < 100 ms.
  2. Moving one 200-file domain of a 5,000-file monorepo (bench/gen_monorepo.py,
     whose domain00 is topped up to 200 files), rewrites included: the
     written run, `--yes`, each on a fresh copy. Target < 1 s.

Usage: cargo build --release && python3 bench/extract.py [path/to/skillsctl]
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "skillsctl")
RUNS = 15


def run(args, cwd):
    start = time.perf_counter()
    subprocess.run([BIN, *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                   env=dict(os.environ, CI="true"))
    return time.perf_counter() - start


def summary(times):
    ms = sorted(t * 1000 for t in times)
    return f"median {statistics.median(ms):.1f} ms (min {ms[0]:.1f}, max {ms[-1]:.1f}, {len(ms)} runs)"


def big_repo(work):
    repo = os.path.join(work, "mono")
    subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_monorepo.py"), repo, "--files", "5000"],
                   check=True, stdout=subprocess.DEVNULL)
    domain = os.path.join(repo, "packages/backend-core/src/services/domain00")
    have = len(os.listdir(domain))
    for i in range(have, 200):
        with open(os.path.join(domain, f"extra{i}.ts"), "w") as f:
            f.write(f"import {{ Shape0 }} from './types';\nimport type {{ Shape1 }} from '@core/domain01/types';\n"
                    f"export const extra{i}: Shape0 = {{ id: 'x{i}', value: {i} }};\n")
    # Callers in other domains, so the move has monolith imports to rewrite.
    for d in range(1, 40):
        path = os.path.join(repo, f"packages/backend-core/src/services/domain{d:02d}/uses-domain00.ts")
        with open(path, "w") as f:
            f.write("import type { Shape0 } from '@core/domain00/types';\n"
                    "import { extra150 } from '../domain00/extra150';\nexport const v: Shape0 = extra150;\n")
    files = sum(len(fs) for _, _, fs in os.walk(repo))
    return repo, files, len(os.listdir(domain))


def main():
    work = tempfile.mkdtemp(prefix="skillsctl-bench-extract-")
    try:
        sample = os.path.join(work, "sample")
        shutil.copytree(os.path.join(ROOT, "fixtures", "skills-monorepo"), sample)
        run(["extract-service", "ai", "--dry-run", "--format", "json"], sample)  # warm the page cache
        plan = [run(["extract-service", "ai", "--dry-run", "--format", "json"], sample) for _ in range(RUNS)]
        print(f"plan for the sample's ai domain: {summary(plan)}")

        repo, files, domain_files = big_repo(work)
        moves = []
        for i in range(RUNS // 3):
            copy = os.path.join(work, f"copy{i}")
            shutil.copytree(repo, copy)
            moves.append(run(["extract-service", "domain00", "--yes"], copy))
            moved = len(os.listdir(os.path.join(copy, "packages/domain00/src/services/domain00")))
            assert moved == domain_files, (moved, domain_files)
            shutil.rmtree(copy)
        print(f"moving a {domain_files}-file domain of a {files}-file monorepo (written): {summary(moves)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
