#!/usr/bin/env python3
"""Driver for bench/backup.sh: times Steward's backup create/verify (a real daemon, POST
/api/v1/run?wait=1) against `tar -cf - | zstd -T1 -3` and `zstd -dc | tar -tf -` with
sha256sum over the archive and the tar stream, on the same tree, and prints a Markdown table.

Every process it starts is recorded in --pidfile ("PID COMM") so the shell can kill it.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request


def log(msg):
    print(msg, flush=True)


def tree_bytes(root):
    total, files = 0, 0
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                total += os.path.getsize(p)
                files += 1
    return total, files


class Steward:
    def __init__(self, binary, work, pidfile):
        self.log_path = os.path.join(work, "steward.log")
        data = os.path.join(work, "data")
        os.makedirs(data, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
        self.proc = subprocess.Popen([binary, "serve", "--port", "0", "--bind", "127.0.0.1", "--data-dir", data],
                                     stdout=open(self.log_path, "w"), stderr=subprocess.STDOUT, env=env)
        with open(pidfile, "a") as f:
            f.write(f"{self.proc.pid} steward\n")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = open(self.log_path, errors="replace").read()
            m = re.search(r"listening on http://[0-9.]+:(\d+)", text)
            k = re.search(r"\b(stw_[a-z2-7]+)\b", text)
            if m and k:
                self.port, self.key = int(m.group(1)), k.group(1)
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"steward exited with {self.proc.returncode}:\n{text}")
            time.sleep(0.01)
        raise RuntimeError("steward printed no banner within 30 s")

    def call(self, method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=3600) as r:
            return json.loads(r.read())

    def run_tool(self, args):
        """One backup run, waited for; returns (seconds, run JSON)."""
        t0 = time.monotonic()
        run = self.call("POST", "/api/v1/run?wait=1", {"tool": "backup", "args": args, "timeout": 7200})
        while run["status"] in ("queued", "running"):
            time.sleep(0.2)
            run = self.call("GET", f"/api/automations/runs/{run['run_id']}")
        elapsed = time.monotonic() - t0
        if run["status"] != "done":
            raise RuntimeError(f"backup {args.get('operation')} failed: {json.dumps(run)[:2000]}")
        return elapsed, run

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def timed_shell(cmd):
    t0 = time.monotonic()
    subprocess.run(["bash", "-o", "pipefail", "-c", cmd], check=True)
    return time.monotonic() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steward", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--tree", required=True)
    ap.add_argument("--pidfile", required=True)
    args = ap.parse_args()

    size, files = tree_bytes(args.tree)
    mb = size / 1e6
    log(f"backup bench: tree {mb:.1f} MB in {files} files")
    subprocess.run(["sync"], check=True)  # generation's dirty pages must not land in a timing

    dest = os.path.join(args.work, "steward-out")
    peer = os.path.join(args.work, "peer.tar.zst")
    parent, base = os.path.dirname(args.tree), os.path.basename(args.tree)

    steward = Steward(args.steward, args.work, args.pidfile)
    try:
        log("steward create ...")
        t_create, run = steward.run_tool({"operation": "create", "name": "bench", "sources": [args.tree],
                                          "destination": dest, "compression": "zstd", "level": 3})
        result = run["steps"][0]["result"]
        log(f"  {t_create:.2f} s, archive {result['size'] / 1e6:.1f} MB")
        log("steward verify ...")
        t_verify, _ = steward.run_tool({"operation": "verify", "archive": result["archive"]})
        log(f"  {t_verify:.2f} s")
    finally:
        steward.stop()

    log("peer create: tar -cf - | zstd -T1 -3 ...")
    t_pcreate = timed_shell(f"tar -C '{parent}' -cf - '{base}' | zstd -q -T1 -3 -o '{peer}' && sync -f '{peer}'")
    psize = os.path.getsize(peer)
    log(f"  {t_pcreate:.2f} s, archive {psize / 1e6:.1f} MB")
    log("peer verify: sha256sum archive; zstd -dc | tee >(sha256sum) | tar -tf - ...")
    t_pverify = timed_shell(f"sha256sum '{peer}' >/dev/null && zstd -q -dc -T1 '{peer}' | "
                            f"tee >(sha256sum >/dev/null) | tar -tf - >/dev/null")

    def row(name, ts, tp):
        s, p = mb / ts, mb / tp
        return f"| {name} | {s:.1f} | {p:.1f} | {s / p:.2f} |"

    print()
    print(f"Tree: {mb:.1f} MB, {files} files; {os.cpu_count()} CPU(s), load average "
          f"{' '.join(open('/proc/loadavg').read().split()[:3])}")
    print()
    print("| operation | Steward backup MB/s | tar + zstd -T1 -3 MB/s | Steward / peer |")
    print("|---|---|---|---|")
    print(row("create (zstd 3)", t_create, t_pcreate))
    print(row("verify (sha256 of archive and of every file / of the tar stream)", t_verify, t_pverify))
    print()
    print(f"Archive size: Steward {result['size'] / 1e6:.1f} MB, peer {psize / 1e6:.1f} MB "
          f"(MB/s = tree MB / wall seconds; Steward through HTTP, including the run's bookkeeping)")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001 - report and fail the run
        print(f"backup bench: {e}", file=sys.stderr)
        sys.exit(1)
