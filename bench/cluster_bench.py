"""Driver for bench/cluster.sh (see there). Standard library only; SQL through psql."""
import argparse, http.client, json, os, re, signal, subprocess, threading, time

from scheduler_bench import pct  # the same percentile as bench/scheduler.sh


def psql(url, sql):
    out = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-F", "\t", url, "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def start(steward, data, url, log, pidfile, extra=()):
    t0 = time.monotonic()
    database = ["--database", url] if url else []
    proc = subprocess.Popen([steward, "serve", "--port", "0", "--device-port", "0", "--data-dir", data,
                             *database, *extra], stdout=open(log, "w"), stderr=subprocess.STDOUT)
    with open(pidfile, "a") as f:
        f.write(f"{proc.pid}\n")
    while time.monotonic() - t0 < 300:
        text = open(log).read()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", text)
        if m:
            key = re.search(r"^\s+(stw_\w+)", text, re.M)
            return proc, int(m.group(1)), key.group(1) if key else None, (time.monotonic() - t0) * 1000
        if proc.poll() is not None:
            raise SystemExit(f"daemon exited: {text}")
        time.sleep(0.05)
    raise SystemExit("daemon did not start")


def stop(procs):
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        p.wait(60)


def new_database(server, name):
    psql(server + "/postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(server + "/postgres", f"CREATE DATABASE {name}")
    return f"{server}/{name}"


def runs_per_second(args, n, sqlite=False):
    url = "" if sqlite else new_database(args.server, f"bench_runs_{n}")
    procs, ports, key = [], [], None
    for i in range(n):
        name = f"runs{'sqlite' if sqlite else n}-{i}"
        proc, port, k, _ = start(args.steward, os.path.join(args.work, name), url,
                                 os.path.join(args.work, name + ".log"), args.pidfile, ["--workers", "8"])
        procs.append(proc)
        ports.append(port)
        key = key or k
    body = json.dumps({"tool": "system_info", "args": {"sample_ms": 0}})  # no 200 ms CPU sample
    done, failed = [0], [0]
    lock = threading.Lock()
    deadline = time.monotonic() + args.seconds

    def client(i):
        conn = http.client.HTTPConnection("127.0.0.1", ports[i % n], timeout=60)
        ok = bad = 0
        while time.monotonic() < deadline:
            conn.request("POST", "/api/v1/run?wait=true", body,
                         {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            r = conn.getresponse()
            payload = r.read()
            if r.status == 200 and json.loads(payload).get("status") == "done":
                ok += 1
            else:
                bad += 1
        with lock:
            done[0] += ok
            failed[0] += bad

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - t0
    stop(procs)
    if sqlite:
        return done[0] / elapsed, failed[0], [done[0]]
    spread = psql(url, "SELECT COUNT(*) FROM runs GROUP BY daemon_id ORDER BY 1 DESC")
    return done[0] / elapsed, failed[0], [int(r[0]) for r in spread]


def scheduler_lag(args, n):
    url = new_database(args.server, "bench_sched")
    # Schema and the admin key from a first start; then the automations, by SQL.
    proc, _, _, _ = start(args.steward, os.path.join(args.work, "sched-first"), url,
                          os.path.join(args.work, "sched-first.log"), args.pidfile)
    stop([proc])
    now_ms = int(time.time() * 1000)
    psql(url, f"""
        INSERT INTO automations(id, name, type, params_json, target, enabled, timeout_s, tags_json,
                                created_ms, updated_ms, schedule, timezone, catch_up, concurrency)
        SELECT 'auto_bench' || lpad(i::text, 6, '0'), 'bench ' || i, 'script', '{{"command":"true","shell":"sh"}}',
               'local', 1, 60, '[]', {now_ms}, {now_ms},
               CASE WHEN i < {args.every_minute} THEN '* * * * *' ELSE (i % 60) || ' ' || ((i / 60) % 24) || ' * * *' END,
               'UTC', 'skip', 'skip'
        FROM generate_series(0, {args.automations - 1}) AS i""")
    procs, startups = [], []
    for i in range(n):
        p, _, _, ms = start(args.steward, os.path.join(args.work, f"sched-{i}"), url,
                            os.path.join(args.work, f"sched-{i}.log"), args.pidfile)
        procs.append(p)
        startups.append(ms)
    first_minute = (int(time.time()) // 60 + 1) * 60
    time.sleep(max(0, first_minute + args.minutes * 60 + 10 - time.time()))
    rows = psql(url, f"SELECT scheduled_ms, created_ms, daemon_id FROM runs WHERE scheduled_ms >= {first_minute * 1000} "
                     f"AND scheduled_ms < {(first_minute + args.minutes * 60) * 1000}")
    doubled = psql(url, "SELECT COUNT(*) FROM (SELECT 1 FROM runs WHERE trigger = 'schedule' "
                        "GROUP BY automation_id, scheduled_ms HAVING COUNT(*) > 1) d")[0][0]
    stop(procs)
    out = []
    for m in range(args.minutes):
        lo, hi = (first_minute + m * 60) * 1000, (first_minute + (m + 1) * 60) * 1000
        sel = [r for r in rows if lo <= int(r[0]) < hi]
        lag = [int(r[1]) - int(r[0]) for r in sel]
        per_daemon = {}
        for r in sel:
            per_daemon[r[2]] = per_daemon.get(r[2], 0) + 1
        out.append((len(sel), pct(lag, 50), pct(lag, 99), max(lag) if lag else float("nan"),
                    sorted(per_daemon.values(), reverse=True)))
    return startups, out, doubled


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steward", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--server", required=True, help="postgresql://user@host:port (no database)")
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--automations", type=int, default=100_000)
    ap.add_argument("--every-minute", type=int, default=1_000)
    ap.add_argument("--minutes", type=int, default=2)
    ap.add_argument("--daemons", type=int, default=3)
    ap.add_argument("--parts", default="runs,scheduler", help="which measurements: runs, scheduler, or both")
    args = ap.parse_args()

    lines = [f"## Cluster: daemons on one PostgreSQL — {time.strftime('%Y-%m-%d %H:%M')}", "",
             f"- {os.cpu_count()} CPUs, daemons, PostgreSQL and the load generator on this one machine", "",
             f"### Runs per second ({args.clients} clients, {args.seconds} s each, POST /api/v1/run?wait=true, "
             "tool system_info with sample_ms 0, in-process, --workers 8)", "",
             "| daemons | runs/s | vs 1 daemon | failed | runs per daemon |", "|---|---|---|---|---|"]
    base = None
    for n in ((1, 2, 3) if "runs" in args.parts else ()):
        rate, failed, spread = runs_per_second(args, n)
        base = base or rate
        lines.append(f"| {n} | {rate:.0f} | {rate / base:.2f}x | {failed} | {' / '.join(map(str, spread))} |")
        print(lines[-1], flush=True)
    if "runs" in args.parts:  # the embedded default, for scale
        rate, failed, _ = runs_per_second(args, 1, sqlite=True)
        lines.append(f"| 1 on SQLite (no cluster) | {rate:.0f} | {rate / base:.2f}x | {failed} | — |")
        print(lines[-1], flush=True)
    if "scheduler" not in args.parts:
        print("\n".join(lines))
        return
    lines += ["", f"### Scheduler lag: {args.automations:,} automations",
              "", f"- {args.every_minute:,} fire every minute, the rest daily at spread minutes; each runs `sh -c true`",
              "", "| daemons | start-up with them loaded, ms | minute | fires | lag due -> run created p50 / p99 / max, ms "
              "| runs per daemon | fires run twice |", "|---|---|---|---|---|---|---|"]
    for n in sorted({1, args.daemons}):
        startups, minutes, doubled = scheduler_lag(args, n)
        for i, (count, p50, p99, worst, spread) in enumerate(minutes):
            lines.append(f"| {n} | {' / '.join(f'{s:.0f}' for s in startups)} | {i + 1} | {count:,} | "
                         f"{p50:.0f} / {p99:.0f} / {worst:.0f} | {' / '.join(map(str, spread))} | {doubled} |")
            print(lines[-1], flush=True)
    text = "\n".join(lines)
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    open(os.path.join(args.out, f"cluster-{stamp}.md"), "w").write(text + "\n")


if __name__ == "__main__":
    main()
