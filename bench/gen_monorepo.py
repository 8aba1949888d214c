#!/usr/bin/env python3
"""Generates a synthetic TypeScript monorepo (and optionally a git history) for
benchmarking `skillsctl analyze-boundaries` against tokei and dependency-cruiser.

  python3 bench/gen_monorepo.py OUT_DIR --files 5000 [--commits 20000]

Layout: packages/app (Next.js routes) and packages/backend-core with 40 domains
under src/services/<domain>/, tsconfig `paths` aliases (@core/<domain>/*),
realistic imports (relative inside a domain, aliases across domains, type-only
imports, re-exports, a few dynamic imports and requires), comments and blank
lines. Deterministic (seeded).
"""
import argparse
import json
import os
import random
import subprocess

DOMAINS = [f"domain{i:02d}" for i in range(40)]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def source(rng, domain, index, files_per_domain):
    lines = [f"// {domain} module {index}: generated for benchmarks", ""]
    for j in range(rng.randint(2, 6)):
        other = rng.randrange(files_per_domain)
        if other != index:
            lines.append(f"import {{ value{other}_{j} as local{j} }} from './m{other}';")
    for j in range(rng.randint(0, 3)):
        d = rng.choice(DOMAINS)
        lines.append(f"import type {{ Shape{j} }} from '@core/{d}/types';")
    if rng.random() < 0.3:
        lines.append("export * from './types';")
    lines.append("")
    lines.append("/**\n * Computes a value the way the service needs it.\n */")
    for j in range(rng.randint(6, 14)):
        lines.append(f"export function value{index}_{j}(input: number): number {{")
        lines.append(f"  const label = \"{domain}//{j}\"; // not a comment inside the string")
        lines.append(f"  return input * {j + 1} + label.length;")
        lines.append("}")
        lines.append("")
    if rng.random() < 0.1:
        lines.append(f"export const lazy = () => import('./m{rng.randrange(files_per_domain)}');")
    if rng.random() < 0.05:
        lines.append("const legacy = require('./types');")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--commits", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(20261124)
    root = args.out
    per_domain = max(2, args.files // len(DOMAINS))
    write(f"{root}/package.json", json.dumps({"name": "bench", "private": True, "workspaces": ["packages/*"]}, indent=2))
    write(f"{root}/tsconfig.json", json.dumps({"compilerOptions": {"baseUrl": ".", "module": "esnext", "moduleResolution": "bundler", "paths": {"@core/*": ["packages/backend-core/src/services/*"]}}}, indent=2))
    write(f"{root}/packages/backend-core/package.json", json.dumps({"name": "@bench/core"}))
    all_files = []
    for domain in DOMAINS:
        base = f"{root}/packages/backend-core/src/services/{domain}"
        write(f"{base}/types.ts", "".join(f"export interface Shape{j} {{ id: string; value: number }}\n" for j in range(4)))
        all_files.append(f"packages/backend-core/src/services/{domain}/types.ts")
        for i in range(per_domain - 1):
            write(f"{base}/m{i}.ts", source(rng, domain, i, per_domain - 1))
            all_files.append(f"packages/backend-core/src/services/{domain}/m{i}.ts")
    if args.commits:
        authors = [f"Dev {i} <dev{i}@bench.dev>" for i in range(25)] + ["dependabot[bot] <bot@github.com>"]
        env = dict(os.environ, GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
        subprocess.run(["git", "init", "-q", "-b", "main", root], check=True)
        subprocess.run(["git", "-C", root, "add", "-A"], check=True)
        subprocess.run(["git", "-C", root, "-c", "user.name=Bench", "-c", "user.email=b@b", "commit", "-qm", "import"], check=True, env=env)
        # fast-import writes thousands of commits without touching the work tree.
        lines = []
        mark = 1
        for c in range(args.commits):
            name, email = rng.choice(authors)[:-1].split(" <")
            when = 1767225600 + c * 300
            files = rng.sample(all_files, rng.randint(1, 6))
            lines.append("commit refs/heads/main")
            lines.append(f"mark :{mark}")
            mark += 1
            lines.append(f"author {name} <{email}> {when} +0000")
            lines.append(f"committer {name} <{email}> {when} +0000")
            message = f"change {c}"
            lines.append(f"data {len(message)}")
            lines.append(message)
            if c == 0:
                lines.append("from refs/heads/main^0")
            for f in files:
                content = f"// revision {c}\n"
                lines.append(f"M 100644 inline {f}")
                lines.append(f"data {len(content)}")
                lines.append(content)
            lines.append("")
        subprocess.run(["git", "-C", root, "fast-import", "--quiet"], input="\n".join(lines) + "\n", text=True, check=True)
        # The work tree stays as generated: the history is for the history pass only.
    print(f"{root}: {len(all_files)} files{f', {args.commits} commits' if args.commits else ''}")


if __name__ == "__main__":
    main()
