#!/usr/bin/env python3
"""Benchmark for `skillsctl migrate` on the machine's PostgreSQL.

1. 500 small sqlx-layout migrations applied to an empty database by
   - psql, all files in one session (`psql -f 1.sql -f 2.sql ...`), no ledger;
   - skillsctl migrate run (lock, ledger row per migration, one transaction each);
   - sqlx-cli `sqlx migrate run` (if installed), the same files.
   Targets: skillsctl within 1.2x psql, and no slower than sqlx-cli.
2. `skillsctl migrate status` with 1,000 applied migrations. Target: < 150 ms.

Usage: cargo build --release && python3 bench/migrate.py
Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust). Creates and drops
databases named skillsctl_bench_*.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = os.path.join(ROOT, "target", "release", "skillsctl")
SQLX = shutil.which("sqlx") or os.path.expanduser("~/.cargo/bin/sqlx")
PG = ["-h", "127.0.0.1", "-U", "postgres"]
RUNS = 3


def psql(db, *args):
    subprocess.run(["psql", *PG, "-d", db, "-q", "-v", "ON_ERROR_STOP=1", *args], check=True, stdout=subprocess.DEVNULL)


def fresh(name):
    subprocess.run(["dropdb", *PG, "--if-exists", name], check=True)
    subprocess.run(["createdb", *PG, name], check=True)
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def write_migrations(directory, count):
    os.makedirs(directory, exist_ok=True)
    files = []
    for i in range(1, count + 1):
        path = os.path.join(directory, f"{i:05d}_step_{i}.sql")
        with open(path, "w") as f:
            f.write(f"CREATE TABLE t{i} (id bigint PRIMARY KEY, name text NOT NULL);\n"
                    f"CREATE INDEX t{i}_name ON t{i} (name);\n"
                    f"INSERT INTO t{i} VALUES (1, 'one'), (2, 'two');\n")
        files.append(path)
    return files


def timed(cmd, env=None):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def median(values):
    values = sorted(values)
    return values[len(values) // 2]


def main():
    work = tempfile.mkdtemp(prefix="skillsctl-bench-")
    files = write_migrations(os.path.join(work, "migrations"), 500)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    results = {}

    times = []
    for _ in range(RUNS):
        fresh("skillsctl_bench_psql")
        args = []
        for path in files:
            args += ["-f", path]
        times.append(timed(["psql", *PG, "-d", "skillsctl_bench_psql", "-q", "-v", "ON_ERROR_STOP=1", *args]))
    results["psql (one session, no ledger)"] = median(times)

    times = []
    for _ in range(RUNS):
        url = fresh("skillsctl_bench_skillsctl")
        times.append(timed([BIN, "--quiet", "migrate", "--database-url", url, "--source", os.path.join(work, "migrations"), "--layout", "sqlx", "run"], env))
    results["skillsctl migrate run"] = median(times)

    if os.path.exists(SQLX):
        times = []
        for _ in range(RUNS):
            url = fresh("skillsctl_bench_sqlx")
            times.append(timed([SQLX, "migrate", "run", "--database-url", url, "--source", os.path.join(work, "migrations")], env))
        results["sqlx-cli migrate run"] = median(times)

    print(f"500 small migrations on an empty PostgreSQL database (median of {RUNS}):")
    base = results["psql (one session, no ledger)"]
    for name, seconds in results.items():
        print(f"  {name:32s} {seconds * 1000:8.0f} ms  {seconds / base:5.2f}x psql")

    # status with 1,000 applied migrations
    more = write_migrations(os.path.join(work, "status"), 1000)
    url = fresh("skillsctl_bench_status")
    subprocess.run([BIN, "--quiet", "migrate", "--database-url", url, "--source", os.path.join(work, "status"), "--layout", "sqlx", "run"], check=True, stdout=subprocess.DEVNULL, env=env)
    times = [timed([BIN, "--format", "json", "migrate", "--database-url", url, "--source", os.path.join(work, "status"), "--layout", "sqlx", "status"], env) for _ in range(10)]
    print(f"skillsctl migrate status, {len(more)} applied: median {median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms over 10 runs (target < 150 ms)")

    for name in ["skillsctl_bench_psql", "skillsctl_bench_skillsctl", "skillsctl_bench_sqlx", "skillsctl_bench_status"]:
        subprocess.run(["dropdb", *PG, "--if-exists", name], check=True)
    shutil.rmtree(work)


if __name__ == "__main__":
    sys.exit(main())
