#!/usr/bin/env python3
"""SSE fan-out: N subscribers on one run that prints M bytes of output.

Starts a real `steward serve` (127.0.0.1, scratch data directory), creates a script
automation that waits until the subscribers are connected and then prints a deterministic
text of about M bytes as fast as the shell can, opens N subscribers to
GET /api/automations/runs/{id}/stream (each on its own thread and connection), and reports:
whether every subscriber received every byte (the reassembled text equals the expected one,
checked by SHA-256), how many were dropped for falling behind the stream window, the time
from the first to the last byte per subscriber, the run's own duration, and the daemon's RSS
before and at peak (VmHWM).

Usage: python3 bench/sse_fanout.py [--steward build/bin/steward] [--subscribers 100] [--mbytes 10]
"""
import argparse
import hashlib
import http.client
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webhook_peer import HOST, Procs, Steward, rss_kib, wait_ready  # noqa: E402

LINE_PAD = "x" * 90


def expected_text(lines):
    return "".join(f"{i:08d} {LINE_PAD}\n" for i in range(1, lines + 1))


class Subscriber(threading.Thread):
    def __init__(self, port, key, run_id):
        super().__init__(daemon=True)
        self.port, self.key, self.run_id = port, key, run_id
        self.sha = hashlib.sha256()
        self.bytes = 0
        self.first = self.last = None
        self.end = None
        self.dropped = None
        self.error = None
        self.connected = threading.Event()

    def event(self, raw):
        kind, data = b"", []
        for line in raw.split(b"\n"):
            if line.startswith(b"data:"):
                data.append(line[6:] if line.startswith(b"data: ") else line[5:])
            elif line.startswith(b"event:"):
                kind = line[6:].strip()
        if not data:
            return  # retry: and keep-alive comments
        text = b"\n".join(data)
        if kind == b"end":
            self.end = json.loads(text)
        elif kind == b"dropped":
            self.dropped = json.loads(text)
        else:
            now = time.monotonic()
            self.first = self.first or now
            self.last = now
            self.sha.update(text)
            self.bytes += len(text)

    def run(self):
        try:
            c = http.client.HTTPConnection(HOST, self.port, timeout=300)
            c.request("GET", f"/api/automations/runs/{self.run_id}/stream",
                      headers={"Authorization": f"Bearer {self.key}"})
            resp = c.getresponse()
            self.connected.set()
            if resp.status != 200:
                self.error = f"HTTP {resp.status}"
                return
            buf = b""
            while self.end is None and self.dropped is None:
                block = resp.read1(1 << 16)
                if not block:
                    break
                buf += block
                # Whole events end with a blank line; parse those, keep the rest.
                *events, buf = buf.split(b"\n\n")
                for raw in events:
                    self.event(raw)
            c.close()
        except Exception as e:  # noqa: BLE001 - reported per subscriber
            self.error = repr(e)
        finally:
            self.connected.set()


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steward", default=os.path.join(root, os.environ.get("BUILD", "build"), "bin", "steward"))
    ap.add_argument("--subscribers", type=int, default=100)
    ap.add_argument("--mbytes", type=float, default=10.0)
    ap.add_argument("--window-bytes", type=int, default=None, help="--stream-window-bytes for the daemon (default: its own)")
    args = ap.parse_args()

    lines = int(args.mbytes * 1_000_000 / (len(LINE_PAD) + 10))
    expected = expected_text(lines).encode()
    expected_sha = hashlib.sha256(expected).hexdigest()

    work = tempfile.mkdtemp(prefix="steward-sse-fanout.")
    procs = Procs(os.path.join(work, "pids"))
    try:
        s = Steward(procs, args.steward, os.path.join(work, "data"), os.path.join(work, "steward.log"))
        s.extra_args = ["--http-threads", str(max(256, args.subscribers + 32))]
        if args.window_bytes:
            s.extra_args += ["--stream-window-bytes", str(args.window_bytes)]
        s.spawn()
        s.read_banner()
        wait_ready(s.proc, s.port, "/health")
        rss_idle = rss_kib(s.proc.pid)["VmRSS"]
        gate = os.path.join(work, "go")
        command = (f"while [ ! -e {gate} ]; do sleep 0.05; done; "
                   f"awk 'BEGIN {{ for (i = 1; i <= {lines}; i++) printf \"%08d {LINE_PAD}\\n\", i }}'")
        c = http.client.HTTPConnection(HOST, s.port, timeout=30)
        c.request("POST", "/api/automations", body=json.dumps({"name": "fanout", "type": "script",
                                                               "params": {"command": command}}),
                  headers={**s.auth(), "Content-Type": "application/json"})
        auto_id = json.loads(c.getresponse().read())["id"]
        c.request("POST", f"/api/automations/{auto_id}/run", headers=s.auth())
        run_id = json.loads(c.getresponse().read())["run_id"]

        subs = [Subscriber(s.port, s.key, run_id) for _ in range(args.subscribers)]
        for sub in subs:
            sub.start()
        for sub in subs:
            sub.connected.wait(30)
        time.sleep(0.5)  # the daemon has each stream's first read in flight
        t0 = time.monotonic()
        open(gate, "w").close()
        peak = 0
        while any(sub.is_alive() for sub in subs):
            peak = max(peak, rss_kib(s.proc.pid)["VmRSS"])
            time.sleep(0.05)
        t_all = time.monotonic() - t0
        hwm = rss_kib(s.proc.pid)["VmHWM"]
        c.close()  # idle through the run: the server's keep-alive timeout has closed it
        c = http.client.HTTPConnection(HOST, s.port, timeout=30)
        c.request("GET", f"/api/automations/runs/{run_id}", headers=s.auth())
        run = json.loads(c.getresponse().read())
        c.close()
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)

    complete = [x for x in subs if x.sha.hexdigest() == expected_sha and x.end]
    if len(complete) < len(subs):
        print(f"expected {len(expected)} bytes; got {sorted(set(x.bytes for x in subs))}", file=sys.stderr)
    dropped = [x for x in subs if x.dropped]
    errors = [x.error for x in subs if x.error]
    spans = [x.last - x.first for x in subs if x.first and x.last]
    run_s = (run["finished"] - run["started"]) if run.get("finished") else None
    print(f"## SSE fan-out: {args.subscribers} subscribers, one run printing {len(expected) / 1e6:.1f} MB\n")
    print("| metric | value |")
    print("|---|---|")
    print(f"| subscribers with every byte (SHA-256 match) and the end event | {len(complete)} / {args.subscribers} |")
    print(f"| dropped for falling behind the window | {len(dropped)} |")
    print(f"| errors | {len(errors)} {errors[:3] if errors else ''} |")
    print(f"| run status / duration (s, whole seconds) | {run['status']} / {run_s} |")
    print(f"| gate opened -> last subscriber done, s | {t_all:.2f} |")
    if spans:
        print(f"| per-subscriber first->last byte, s (median / max) | {statistics.median(spans):.2f} / {max(spans):.2f} |")
    print(f"| aggregate delivered, MB/s | {sum(x.bytes for x in subs) / 1e6 / t_all:.0f} |")
    print(f"| daemon RSS idle / peak sampled / VmHWM, MiB | {rss_idle / 1024:.1f} / {peak / 1024:.1f} / {hwm / 1024:.1f} |")
    return 0 if len(complete) == args.subscribers else 1


if __name__ == "__main__":
    sys.exit(main())
