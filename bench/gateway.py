#!/usr/bin/env python3
"""Benchmark for the gateway commands (issue: update-gateway-config and rollout).

  1. Rendering all four targets (app JSON, nginx, HAProxy, HTTPRoute) for a
     gateway file of 200 routes: `update-gateway-config --check` (parse, render
     every target in memory, compare with the files on disk). Target < 50 ms.
  2. A rollout step's own overhead with nginx: `update-gateway-config ai
     --weight N --render --skip-health` (edit, render, `nginx -t`, `haproxy -c`,
     one all-or-nothing write, `nginx -s reload` of a running nginx).
     Target < 200 ms.
  3. The HAProxy runtime-API path: `rollout ai --steps N --pause 0s
     --haproxy-runtime` against a running HAProxy, minus the same step's
     health probe (measured alone with `health-check`). Target < 20 ms.

Usage: cargo build --release && python3 bench/gateway.py [path/to/skillsctl]
Needs nginx and haproxy on PATH. Loopback only; bounded; stops what it starts.
"""
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
BIN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "skillsctl")
RUNS = 15


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"status":"healthy","checks":[]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def gateway_file(routes, monolith, service, nginx_port, haproxy_port, work, nginx_prefix):
    lines = [f'[monolith]\nurls = ["{monolith}"]\n']
    lines.append(f'[[route]]\nservice = "ai"\nprefix = "/api/v1/ai"\nmode = "external"\nurls = ["{service}"]\nweight = 0\n')
    for i in range(routes - 1):
        lines.append(f'[[route]]\nservice = "domain-{i}"\nprefix = "/api/v1/domain-{i}"\nmode = "{"external" if i % 4 == 0 else "internal"}"\n'
                     + (f'urls = ["{service}"]\nweight = {i % 100}\n' if i % 4 == 0 else ""))
    reload = f'reload = "nginx -p {nginx_prefix} -c {nginx_prefix}/nginx.conf -s reload"\n' if nginx_prefix else ""
    lines.append(f'[render]\napp = "routes.json"\n[render.nginx]\nfile = "nginx/skillsctl.conf"\nlisten = "127.0.0.1:{nginx_port}"\naccess_log = "{work}/access.log"\n{reload}'
                 f'[render.haproxy]\nfile = "haproxy/haproxy.cfg"\nbind = "127.0.0.1:{haproxy_port}"\nsocket = "{work}/admin.sock"\n'
                 f'[render.httproute]\nfile = "k8s/httproute.yaml"\n')
    return "\n".join(lines)


def timed(cmd, cwd):
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def wait_port(port):
    deadline = time.time() + 10
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.02)
    raise SystemExit(f"nothing listens on {port}")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    work = tempfile.mkdtemp(prefix="skillsctl-gw-bench-")
    nginx_prefix = os.path.join(work, "nginx-run")
    os.makedirs(nginx_prefix)
    for d in ("nginx", "haproxy", "k8s"):
        os.makedirs(os.path.join(work, d))
    nginx_port, haproxy_port = free_port(), free_port()
    gw = os.path.join(work, "gateway.toml")
    with open(gw, "w") as f:
        f.write(gateway_file(200, url, url, nginx_port, haproxy_port, work, None))
    cli = [BIN, "--quiet", "update-gateway-config", "--gateway", gw]
    first = subprocess.run(cli + ["--render"], capture_output=True, text=True)
    if first.returncode != 0:
        raise SystemExit(first.stderr)
    # 1. render all four for 200 routes
    check = sorted(timed(cli + ["--check"], work) for _ in range(RUNS))
    print(f"render all four targets, 200 routes (--check): median {statistics.median(check) * 1000:.1f} ms, min {check[0] * 1000:.1f} ms (target < 50 ms)")
    procs = []
    try:
        with open(os.path.join(nginx_prefix, "nginx.conf"), "w") as f:
            p = nginx_prefix
            f.write(f"pid {p}/nginx.pid;\nerror_log {p}/error.log;\nevents {{}}\nhttp {{ client_body_temp_path {p}/b; proxy_temp_path {p}/p; fastcgi_temp_path {p}/f; uwsgi_temp_path {p}/u; scgi_temp_path {p}/s; include {work}/nginx/skillsctl.conf; }}\n")
        procs.append(subprocess.Popen(["nginx", "-p", nginx_prefix, "-c", f"{nginx_prefix}/nginx.conf", "-g", "daemon off;"]))
        procs.append(subprocess.Popen(["haproxy", "-db", "-f", f"{work}/haproxy/haproxy.cfg"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_port(nginx_port)
        wait_port(haproxy_port)
        # Now that nginx runs, the steps reload it.
        with open(gw, "w") as f:
            f.write(gateway_file(200, url, url, nginx_port, haproxy_port, work, nginx_prefix))
        # 2. one step's overhead with nginx: edit, render, checks, write, reload
        steps = []
        for i in range(RUNS):
            steps.append(timed(cli + ["ai", "--weight", str(10 + i), "--render", "--skip-health"], work))
        steps.sort()
        print(f"rollout step overhead with nginx (weight, render, nginx -t, haproxy -c, write, reload): median {statistics.median(steps) * 1000:.1f} ms, min {steps[0] * 1000:.1f} ms (target < 200 ms)")
        # 3. HAProxy runtime API: a one-step rollout minus its health probe
        probe = sorted(timed([BIN, "--quiet", "health-check", "--retries", "0", f"ai={url}/health"], work) for _ in range(RUNS))
        runtime = []
        for i in range(RUNS):
            runtime.append(timed([BIN, "--quiet", "rollout", "ai", "--gateway", gw, "--steps", str(30 + i), "--pause", "0s", "--check-every", "1ms", "--haproxy-runtime", "--threshold", "errors < 100%"], work))
        runtime.sort()
        rt, pr = statistics.median(runtime), statistics.median(probe)
        print(f"HAProxy runtime-API step: median {rt * 1000:.1f} ms, of which health probes (2 per step, {pr * 1000:.1f} ms each as a whole health-check run) ~{2 * pr * 1000:.1f} ms; the rest {max(rt - 2 * pr, 0) * 1000:.1f} ms (target < 20 ms)")
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        server.shutdown()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
