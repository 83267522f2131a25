#!/usr/bin/env python3
"""Steward vs. adnanh/webhook, one command per HTTP request (driven by bench/webhook_peer.sh).

Measures, in one run, webhook running `/bin/sh -c 'echo ok'` per POST and Steward's
`POST /api/automations/{id}/run?wait=1` of a script automation running `echo ok`:

  * start-up: spawn -> first HTTP 200 on a health request (Steward GET /health, webhook GET /),
    median of N starts each; Steward with a fresh data dir and with an existing one;
  * idle RSS (VmRSS) after start-up, before any load; RSS and peak after the load;
  * sequential latency: 200 keep-alive requests on ONE connection per server, the two servers
    interleaved request by request (drift on a noisy machine hits both alike), after a warm-up;
  * throughput: wrk -t2 -c8 -d10s with bench/post.lua;
  * every run stored: rows in Steward's `runs` table vs. the requests it answered.

Everything listens on 127.0.0.1. Every process started here is registered in --pidfile
("PID COMM" per line) so that the calling shell script can kill leftovers by PID.
"""

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

HOST = "127.0.0.1"


# ---------------------------------------------------------------------------------------------
# Processes


class Procs:
    """Children of this script; each is registered in the pid file before anything else."""

    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.live = []

    def spawn(self, argv, comm, stdout_path, env=None):
        out = open(stdout_path, "wb")
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                 env=env, close_fds=True)
        finally:
            out.close()
        with open(self.pidfile, "a") as f:
            f.write(f"{p.pid} {comm}\n")
        self.live.append(p)
        return p

    def stop(self, p, sig=signal.SIGTERM, timeout=15.0):
        """Signals p and reaps it; returns seconds from the signal to its exit."""
        if p.poll() is None:
            t0 = time.monotonic()
            p.send_signal(sig)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            elapsed = time.monotonic() - t0
        else:
            elapsed = 0.0
        if p in self.live:
            self.live.remove(p)
        return elapsed

    def stop_all(self):
        for p in list(self.live):
            self.stop(p, timeout=5.0)


def clean_env():
    # No STEWARD_* from the caller's environment: the bench measures the defaults.
    return {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def rss_kib(pid):
    vals = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "Threads"):
                vals[k] = int(v.split()[0])
    return vals


def wait_ready(proc, port, path, timeout=10.0, t0=None):
    """Polls until GET path answers 200. Returns (seconds to first TCP connect, seconds to 200)
    measured from t0 (default: now)."""
    t0 = time.monotonic() if t0 is None else t0
    t_connect = None
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"process {proc.args[0]} exited with {proc.returncode} before it was ready")
        if time.monotonic() - t0 > timeout:
            raise RuntimeError(f"{proc.args[0]} not ready on port {port} after {timeout} s")
        try:
            sock = socket.create_connection((HOST, port), timeout=timeout)
        except (ConnectionRefusedError, ConnectionResetError):
            time.sleep(0.0005)
            continue
        if t_connect is None:
            t_connect = time.monotonic() - t0
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
            conn.sock = sock
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            if resp.status == 200:
                t_ok = time.monotonic() - t0
                conn.close()
                return t_connect, t_ok
            conn.close()
        except (ConnectionError, http.client.HTTPException, socket.timeout):
            sock.close()
        time.sleep(0.0005)


# ---------------------------------------------------------------------------------------------
# The two servers


class Steward:
    comm = "steward"

    def __init__(self, procs, binary, data_dir, log_path, port=0):
        self.procs, self.binary, self.data_dir, self.log_path = procs, binary, data_dir, log_path
        self.port, self.key, self.proc = port, None, None
        self.extra_args = []

    def spawn(self):
        argv = [self.binary, "serve", "--port", str(self.port), "--bind", HOST, "--data-dir", self.data_dir]
        argv += self.extra_args
        self.proc = self.procs.spawn(argv, self.comm, self.log_path, env=clean_env())
        return self.proc

    def read_banner(self, timeout=10.0, need_key=True):
        """Port (when started with --port 0) and, on a first start, the admin key from stdout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = open(self.log_path, errors="replace").read()
            m = re.search(r"listening on http://[0-9.]+:(\d+)", text)
            k = re.search(r"\b(stw_[a-z2-7]+)\b", text)
            if m and (k or not need_key):
                self.port = int(m.group(1))
                self.key = k.group(1) if k else None
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"steward exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.002)
        raise RuntimeError(f"steward printed no banner within {timeout} s:\n{open(self.log_path).read()}")

    def health_path(self):
        return "/health"

    def auth(self):
        return {"Authorization": f"Bearer {self.key}"}


class Webhook:
    comm = "webhook"

    def __init__(self, procs, hooks_file, log_path, port):
        self.procs, self.hooks_file, self.log_path, self.port = procs, hooks_file, log_path, port
        self.proc = None

    def spawn(self):
        argv = ["webhook", "-hooks", self.hooks_file, "-ip", HOST, "-port", str(self.port)]
        self.proc = self.procs.spawn(argv, self.comm, self.log_path)
        return self.proc

    def health_path(self):
        return "/"  # webhook answers "OK" on its root: its health check, no command run


def start_webhook(procs, hooks_file, log_path, tries=3):
    """Starts webhook on a free port (retrying if the port was taken in between)."""
    for attempt in range(tries):
        w = Webhook(procs, hooks_file, log_path, free_port())
        t0 = time.monotonic()
        w.spawn()
        try:
            t_conn, t_ok = wait_ready(w.proc, w.port, w.health_path(), t0=t0)
            return w, t_conn, t_ok
        except RuntimeError:
            procs.stop(w.proc)
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------
# Measurements


def pct(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100.0 * len(s)) - 1)]


def measure_startups(procs, binary, hooks_file, work, n):
    fresh, existing, hook = [], [], []
    dirs = []
    for i in range(n):
        # Steward, fresh data dir (creates steward.db, runs the migrations, creates the admin key).
        d = os.path.join(work, f"start-{i}")
        dirs.append(d)
        for kind in ("fresh", "webhook"):
            if kind == "fresh":
                s = Steward(procs, binary, d, os.path.join(work, f"start-{i}-fresh.log"), port=free_port())
                t0 = time.monotonic()
                s.spawn()
                t_conn, t_ok = wait_ready(s.proc, s.port, "/health", t0=t0)
                s.read_banner(need_key=True)  # the key is printed right after the HTTP server starts
                procs.stop(s.proc)
                fresh.append((t_conn, t_ok))
            else:
                w, t_conn, t_ok = start_webhook(procs, hooks_file, os.path.join(work, f"start-{i}-webhook.log"))
                procs.stop(w.proc)
                hook.append((t_conn, t_ok))
    for i, d in enumerate(dirs):
        # Steward again on the same data dirs: the database and the key exist.
        s = Steward(procs, binary, d, os.path.join(work, f"start-{i}-existing.log"), port=free_port())
        t0 = time.monotonic()
        s.spawn()
        t_conn, t_ok = wait_ready(s.proc, s.port, "/health", t0=t0)
        procs.stop(s.proc)
        existing.append((t_conn, t_ok))

    def summary(samples):
        return {"connect_ms": [round(c * 1000, 2) for c, _ in samples],
                "ready_ms": [round(r * 1000, 2) for _, r in samples],
                "median_connect_ms": statistics.median(c for c, _ in samples) * 1000,
                "median_ready_ms": statistics.median(r for _, r in samples) * 1000}

    return {"steward_fresh": summary(fresh), "steward_existing": summary(existing), "webhook": summary(hook)}


class Client:
    """One keep-alive connection; checks the connection is never re-opened."""

    def __init__(self, port, path, headers, check):
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.conn.connect()
        self.sock = self.conn.sock
        self.path, self.headers, self.check = path, headers, check
        self.reconnects = 0

    def post(self):
        t0 = time.perf_counter()
        self.conn.request("POST", self.path, body=b"", headers=self.headers)
        resp = self.conn.getresponse()
        body = resp.read()
        dt = time.perf_counter() - t0
        if resp.status != 200:
            raise RuntimeError(f"POST {self.path}: HTTP {resp.status}: {body[:300]!r}")
        if self.conn.sock is not self.sock:
            self.reconnects += 1
            self.sock = self.conn.sock
        return dt, self.check(body)

    def close(self):
        self.conn.close()


def check_steward(body):
    r = json.loads(body)
    if r.get("status") != "done" or r.get("output") != "ok\n":
        raise RuntimeError(f"unexpected Steward run: {body[:400]!r}")
    return r["run_id"]


def check_webhook(body):
    if body != b"ok\n":
        raise RuntimeError(f"unexpected webhook answer: {body[:200]!r}")
    return None


def run_wrk(procs, url, lua, auth, threads, conns, duration, raw_path):
    env = dict(os.environ)
    env["BENCH_AUTH"] = auth or ""
    argv = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration}s", "-s", lua, url]
    tmp = os.path.join(os.path.dirname(procs.pidfile), os.path.basename(raw_path))  # scratch dir
    p = procs.spawn(argv, "wrk", tmp, env=env)
    try:
        p.wait(duration + 60)
    finally:
        procs.stop(p, sig=signal.SIGKILL)
    with open(tmp, errors="replace") as f:
        out = f.read()
    with open(raw_path, "w") as f:
        f.write("$ " + " ".join(argv) + "\n" + out)
    m = re.search(r"^WRK_JSON (\{.*\})$", out, re.M)
    if p.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed ({p.returncode}):\n{out}")
    r = json.loads(m.group(1))
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    return r


def sql(db, query):
    p = subprocess.run(["sqlite3", "-readonly", "-cmd", ".timeout 10000", db, query],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    return p.stdout.decode().strip()


def count_runs(db):
    by_status = {}
    for line in sql(db, "SELECT status, COUNT(*) FROM runs GROUP BY status").splitlines():
        st, _, n = line.partition("|")
        by_status[st] = int(n)
    ok_output = int(sql(db, "SELECT COUNT(*) FROM runs WHERE status = 'done' AND output = 'ok' || char(10)"))
    return {"total": sum(by_status.values()), "by_status": by_status, "done_with_ok_output": ok_output}


def missing_run_ids(db, run_ids):
    ids = set(run_ids)
    found = set()
    chunk = list(ids)
    for i in range(0, len(chunk), 200):
        part = chunk[i:i + 200]
        q = "SELECT id FROM runs WHERE status = 'done' AND id IN (" + ",".join(f"'{x}'" for x in part) + ")"
        found.update(sql(db, q).split())
    return sorted(ids - found)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def version_of(argv):
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=10)
        return p.stdout.decode(errors="replace").strip().splitlines()[0]
    except Exception as e:  # noqa: BLE001 - informational only
        return f"unknown ({e})"


# ---------------------------------------------------------------------------------------------
# Report


def fmt(v, digits=2):
    return f"{v:.{digits}f}"


def build_table(r):
    s_tp, w_tp = r["wrk"]["steward"]["rps"], r["wrk"]["webhook"]["rps"]
    seq = r["sequential"]
    s50, w50 = seq["steward"]["p50_ms"], seq["webhook"]["p50_ms"]
    s99, w99 = seq["steward"]["p99_ms"], seq["webhook"]["p99_ms"]
    s_idle, w_idle = r["rss"]["steward_idle_kib"] / 1024, r["rss"]["webhook_idle_kib"] / 1024
    s_load, w_load = r["rss"]["steward_after_kib"] / 1024, r["rss"]["webhook_after_kib"] / 1024
    s_hwm, w_hwm = r["rss"]["steward_peak_kib"] / 1024, r["rss"]["webhook_peak_kib"] / 1024
    st = r["startup"]
    s_fresh, s_exist = st["steward_fresh"]["median_ready_ms"], st["steward_existing"]["median_ready_ms"]
    w_start = st["webhook"]["median_ready_ms"]
    stored = r["stored"]
    ws, ww = r["wrk"]["steward"]["latency_us"], r["wrk"]["webhook"]["latency_us"]
    a = r["params"]
    wrk_label = f"wrk -t{a['threads']} -c{a['conns']} -d{a['duration']}s"

    def ratio(a, b):
        return f"{a / b:.2f}×" if b else "—"

    def yn(ok):
        return "**yes**" if ok else "**NO**"

    rows = [
        (f"c{a['conns']} throughput ({wrk_label}), req/s", fmt(s_tp, 0), fmt(w_tp, 0), ratio(s_tp, w_tp),
         "≥ 1.0× webhook", yn(s_tp >= w_tp)),
        (f"sequential p50 ({seq['n']} keep-alive), ms", fmt(s50), fmt(w50), ratio(s50, w50),
         f"≤ webhook + 0.5 ms (≤ {w50 + 0.5:.2f})", yn(s50 <= w50 + 0.5)),
        (f"sequential p99 ({seq['n']} keep-alive), ms", fmt(s99), fmt(w99), ratio(s99, w99), "—", "—"),
        (f"c{a['conns']} latency p50 / p99 ({wrk_label}), ms", f"{ws['p50'] / 1000:.2f} / {ws['p99'] / 1000:.2f}",
         f"{ww['p50'] / 1000:.2f} / {ww['p99'] / 1000:.2f}", ratio(ws["p50"], ww["p50"]) + " (p50)", "—", "—"),
        ("idle RSS (after start-up, before load), MiB", fmt(s_idle, 1), fmt(w_idle, 1), ratio(s_idle, w_idle),
         "≤ 15 MiB", yn(s_idle <= 15.0)),
        ("RSS after load, MiB (extra)", fmt(s_load, 1), fmt(w_load, 1), ratio(s_load, w_load), "—", "—"),
        ("peak RSS (VmHWM), MiB (extra)", fmt(s_hwm, 1), fmt(w_hwm, 1), ratio(s_hwm, w_hwm), "—", "—"),
        (f"start-up, fresh data dir (median of {len(st['webhook']['ready_ms'])}), ms", fmt(s_fresh, 1),
         fmt(w_start, 1), ratio(s_fresh, w_start), "≤ 100 ms", yn(s_fresh <= 100.0)),
        (f"start-up, existing data dir (median of {len(st['webhook']['ready_ms'])}), ms", fmt(s_exist, 1),
         fmt(w_start, 1), ratio(s_exist, w_start), "≤ 100 ms", yn(s_exist <= 100.0)),
        ("every run stored (rows / answered)", f"{stored['rows_after_wait']} / {stored['answered']}", "n/a", "—",
         "every run stored", yn(stored["ok"])),
    ]
    head = ("metric", "Steward", "webhook", "ratio (Steward/webhook)", "target", "met?")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * len(head)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def build_report(r):
    st, seq, stored = r["startup"], r["sequential"], r["stored"]
    ctx = r["context"]
    out = []
    out.append(f"## Steward vs webhook — {ctx['date']}")
    out.append("")
    out.append(f"- host: {ctx['cpus']} CPU(s), {ctx['kernel']}; load average before {ctx['load_before']}, "
               f"after {ctx['load_after']}")
    out.append(f"- steward: {ctx['steward_binary']} ({ctx['steward_version']}, git {ctx['git']}, "
               f"build type {ctx['build_type']})")
    out.append(f"- webhook: {ctx['webhook_version']}; wrk: {ctx['wrk_version']}")
    endpoint = ("webhook POST /api/automations/webhook/{token}?wait=1, no key" if ctx.get("endpoint") == "webhook"
                else "POST /api/automations/{id}/run?wait=1 with a key")
    out.append(f"- Steward endpoint: {endpoint}")
    out.append(f"- command per request: Steward `{ctx.get('shell', 'bash')} -c 'echo ok'` (script automation -> bash tool), "
               f"webhook `/bin/sh -c 'echo ok'` (/bin/sh -> {ctx['bin_sh']})")
    out.append("")
    out.append(build_table(r))
    out.append("")
    out.append("Details:")
    out.append(f"- sequential: {seq['n']} requests per server after {seq['warmup']} warm-up ones, one keep-alive "
               f"connection each, interleaved; mean Steward {seq['steward']['mean_ms']:.2f} ms, webhook "
               f"{seq['webhook']['mean_ms']:.2f} ms; min Steward {seq['steward']['min_ms']:.2f} ms, webhook "
               f"{seq['webhook']['min_ms']:.2f} ms; reconnects Steward {seq['steward']['reconnects']}, webhook "
               f"{seq['webhook']['reconnects']}")
    for name in ("steward", "webhook"):
        w = r["wrk"][name]
        e = w["errors"]
        out.append(f"- wrk {name}: {w['requests']} requests in {w['duration_us'] / 1e6:.2f} s; errors connect "
                   f"{e['connect']}, read {e['read']}, write {e['write']}, non-2xx {e['status']}, timeout "
                   f"{e['timeout']}")
    out.append(f"- start-up samples (spawn -> HTTP 200 on the health request; ms): Steward fresh "
               f"{st['steward_fresh']['ready_ms']}, Steward existing {st['steward_existing']['ready_ms']}, "
               f"webhook {st['webhook']['ready_ms']}; first TCP connect (median): Steward fresh "
               f"{st['steward_fresh']['median_connect_ms']:.1f}, existing "
               f"{st['steward_existing']['median_connect_ms']:.1f}, webhook "
               f"{st['webhook']['median_connect_ms']:.1f}")
    out.append(f"- runs stored: answered {stored['answered']} (warm-up {stored['warmup']} + sequential "
               f"{stored['sequential']} + wrk {stored['wrk_2xx']}); rows 1 s after wrk {stored['rows_after_wait']} "
               f"{stored['by_status_after_wait']}, of them done with output 'ok\\n' {stored['done_ok_after_wait']}; "
               f"extra rows (requests in flight when wrk stopped, at most {r['params']['conns']}): "
               f"{stored['rows_after_wait'] - stored['answered']}; sequential run ids missing: "
               f"{len(stored['missing_sequential_ids'])}; rows after the daemon stopped {stored['rows_after_stop']} "
               f"{stored['by_status_after_stop']}")
    if stored.get("run_duration_ms"):
        d = stored["run_duration_ms"]
        out.append(f"- Steward run duration as stored (finished_ms - created_ms, ms): mean {d['mean']:.2f}, "
                   f"p50 {d['p50']}, p99 {d['p99']}, max {d['max']}")
    out.append(f"- Steward stop on SIGTERM took {r['steward_stop_s'] * 1000:.0f} ms")
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steward", required=True)
    ap.add_argument("--hooks", required=True)
    ap.add_argument("--lua", required=True)
    ap.add_argument("--work", required=True, help="scratch directory (removed by the caller)")
    ap.add_argument("--out", required=True, help="results directory")
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--settle", type=float, default=1.0, help="seconds idle before the idle RSS is read")
    ap.add_argument("--endpoint", choices=["run", "webhook"], default="run",
                    help="Steward side: POST /api/automations/{id}/run?wait=1 with a key (run), or the "
                         "automation's webhook POST /api/automations/webhook/{token}?wait=1 without one")
    ap.add_argument("--shell", choices=["bash", "sh"], default="bash",
                    help="the script automation's shell (webhook always runs /bin/sh)")
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    procs = Procs(args.pidfile)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    results = {"params": vars(args).copy()}
    build_dir = os.path.dirname(os.path.dirname(os.path.abspath(args.steward)))
    build_type = "?"
    try:
        m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", open(os.path.join(build_dir, "CMakeCache.txt")).read(), re.M)
        build_type = m.group(1) if m else "?"
    except OSError:
        pass
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    git = version_of(["git", "-C", repo, "describe", "--always", "--dirty"])
    results["context"] = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(), "kernel": platform.release(), "load_before": loadavg(),
        "steward_binary": args.steward, "steward_version": "?",
        "git": git, "build_type": build_type,
        "webhook_version": version_of(["webhook", "-version"]),
        "wrk_version": version_of(["wrk", "--version"]).split(" Copyright")[0],
        "bin_sh": os.path.realpath("/bin/sh"),
        "shell": args.shell,
        "endpoint": args.endpoint,
    }

    try:
        # 1. Start-up times.
        print(f"start-up: {args.starts} starts each ...", flush=True)
        results["startup"] = measure_startups(procs, args.steward, args.hooks, args.work, args.starts)

        # 2. The instances under test, then their idle RSS.
        print("starting the instances under test ...", flush=True)
        steward = Steward(procs, args.steward, os.path.join(args.work, "main"),
                          os.path.join(args.work, "steward-main.log"))
        steward.spawn()
        steward.read_banner(need_key=True)
        wait_ready(steward.proc, steward.port, "/health")
        m = re.search(r"^(Steward \S+) listening", open(steward.log_path).read(), re.M)
        results["context"]["steward_version"] = m.group(1) if m else "?"
        webhook, _, _ = start_webhook(procs, args.hooks, os.path.join(args.work, "webhook-main.log"))
        time.sleep(args.settle)
        s_idle, w_idle = rss_kib(steward.proc.pid), rss_kib(webhook.proc.pid)
        results["rss"] = {"steward_idle_kib": s_idle["VmRSS"], "webhook_idle_kib": w_idle["VmRSS"],
                          "steward_idle_threads": s_idle["Threads"], "webhook_idle_threads": w_idle["Threads"]}

        c = http.client.HTTPConnection(HOST, steward.port, timeout=30)
        definition = {"name": "echo", "type": "script", "params": {"command": "echo ok", "shell": args.shell}}
        if args.endpoint == "webhook":
            definition["webhook"] = {"rate_limit": 100000}  # the benchmark is the flood
        c.request("POST", "/api/automations",
                  body=json.dumps(definition),
                  headers={**steward.auth(), "Content-Type": "application/json"})
        resp = c.getresponse()
        body = resp.read()
        c.close()
        if resp.status != 201:
            raise RuntimeError(f"creating the automation: HTTP {resp.status}: {body!r}")
        auto_id = json.loads(body)["id"]
        s_path = f"/api/automations/{auto_id}/run?wait=1"
        s_auth = steward.auth()
        if args.endpoint == "webhook":
            s_path = f"/api/automations/webhook/{json.loads(body)['webhook_token']}?wait=1"
            s_auth = {}
        w_path = "/hooks/echo"

        # 3. Sequential latency, interleaved, one keep-alive connection per server.
        print(f"sequential: {args.warmup} warm-up + {args.requests} requests per server ...", flush=True)
        sc = Client(steward.port, s_path, s_auth, check_steward)
        wc = Client(webhook.port, w_path, {}, check_webhook)
        run_ids = []
        for _ in range(args.warmup):
            run_ids.append(sc.post()[1])
            wc.post()
        s_lat, w_lat = [], []
        for _ in range(args.requests):
            dt, rid = sc.post()
            s_lat.append(dt * 1000)
            run_ids.append(rid)
            w_lat.append(wc.post()[0] * 1000)
        sc.close()
        wc.close()

        def lat(v, cl):
            return {"p50_ms": pct(v, 50), "p99_ms": pct(v, 99), "mean_ms": statistics.fmean(v), "min_ms": min(v),
                    "max_ms": max(v), "reconnects": cl.reconnects}

        results["sequential"] = {"n": args.requests, "warmup": args.warmup, "steward": lat(s_lat, sc),
                                 "webhook": lat(w_lat, wc), "steward_ms": [round(x, 3) for x in s_lat],
                                 "webhook_ms": [round(x, 3) for x in w_lat]}

        # 4. Throughput.
        results["wrk"] = {}
        print(f"wrk -t{args.threads} -c{args.conns} -d{args.duration}s: Steward ...", flush=True)
        results["wrk"]["steward"] = run_wrk(procs, f"http://{HOST}:{steward.port}{s_path}", args.lua,
                                            f"Bearer {steward.key}" if s_auth else "", args.threads, args.conns, args.duration,
                                            os.path.join(args.out, f"webhook_peer-{stamp}-wrk-steward.txt"))
        time.sleep(1.0)  # runs in flight when wrk stopped finish and are stored
        db = os.path.join(args.work, "main", "steward.db")
        after_wait = count_runs(db)
        print(f"wrk -t{args.threads} -c{args.conns} -d{args.duration}s: webhook ...", flush=True)
        results["wrk"]["webhook"] = run_wrk(procs, f"http://{HOST}:{webhook.port}{w_path}", args.lua, "",
                                            args.threads, args.conns, args.duration,
                                            os.path.join(args.out, f"webhook_peer-{stamp}-wrk-webhook.txt"))

        s_after, w_after = rss_kib(steward.proc.pid), rss_kib(webhook.proc.pid)
        results["rss"].update({"steward_after_kib": s_after["VmRSS"], "webhook_after_kib": w_after["VmRSS"],
                               "steward_peak_kib": s_after["VmHWM"], "webhook_peak_kib": w_after["VmHWM"],
                               "steward_after_threads": s_after["Threads"],
                               "webhook_after_threads": w_after["Threads"]})

        # 5. Every run stored?
        missing = missing_run_ids(db, [x for x in run_ids if x])
        durations = [int(x) for x in sql(db, "SELECT finished_ms - created_ms FROM runs WHERE status = 'done'").split()]
        results["steward_stop_s"] = procs.stop(steward.proc)
        procs.stop(webhook.proc)
        after_stop = count_runs(db)
        ws = results["wrk"]["steward"]
        wrk_2xx = ws["requests"] - ws["errors"]["status"]
        answered = args.warmup + args.requests + wrk_2xx
        extra = after_wait["total"] - answered
        ok = (not missing and 0 <= extra <= args.conns and ws["errors"]["status"] == 0
              and after_wait["done_with_ok_output"] == after_wait["total"]
              and after_stop["total"] == after_wait["total"])
        results["stored"] = {
            "answered": answered, "warmup": args.warmup, "sequential": args.requests, "wrk_2xx": wrk_2xx,
            "rows_after_wait": after_wait["total"], "by_status_after_wait": after_wait["by_status"],
            "done_ok_after_wait": after_wait["done_with_ok_output"], "rows_after_stop": after_stop["total"],
            "by_status_after_stop": after_stop["by_status"], "missing_sequential_ids": missing, "ok": ok,
            "run_duration_ms": {"mean": statistics.fmean(durations), "p50": pct(durations, 50),
                                "p99": pct(durations, 99), "max": max(durations)} if durations else None,
        }
        results["context"]["load_after"] = loadavg()
    finally:
        procs.stop_all()

    report = build_report(results)
    print()
    print(report)
    md = os.path.join(args.out, f"webhook_peer-{stamp}.md")
    with open(md, "w") as f:
        f.write(report + "\n")
    with open(os.path.join(args.out, f"webhook_peer-{stamp}.json"), "w") as f:
        json.dump(results, f, indent=1)
    shutil.copyfile(md, os.path.join(args.out, "webhook_peer-latest.md"))
    print(f"\nresults: {md} (+ .json, wrk output)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
