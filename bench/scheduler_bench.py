"""Driver for bench/scheduler.sh (see there). Standard library only."""
import argparse, json, os, re, signal, sqlite3, statistics, subprocess, sys, time, urllib.request


def rss_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(steward, data, log, pidfile):
    t0 = time.monotonic()
    proc = subprocess.Popen([steward, "serve", "--port", "0", "--data-dir", data],
                            stdout=open(log, "w"), stderr=subprocess.STDOUT)
    with open(pidfile, "a") as f:
        f.write(f"{proc.pid}\n")
    port = None
    while time.monotonic() - t0 < 120:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", open(log).read())
        if m:
            port = int(m.group(1))
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).read()
                return proc, port, (time.monotonic() - t0) * 1000
            except OSError:
                pass
        if proc.poll() is not None:
            raise RuntimeError("steward exited: " + open(log).read()[-2000:])
        time.sleep(0.002)
    raise RuntimeError("steward did not start")


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steward", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--automations", type=int, default=100_000)
    ap.add_argument("--every-minute", type=int, default=1_000)
    ap.add_argument("--minutes", type=int, default=2)
    args = ap.parse_args()
    data = os.path.join(args.work, "data")

    # 1. Schema (and the admin key) from a first start; then the automations, by SQL.
    proc, _, _ = start(args.steward, data, os.path.join(args.work, "first.log"), args.pidfile)
    proc.send_signal(signal.SIGTERM)
    proc.wait(30)
    now_ms = int(time.time() * 1000)
    db = sqlite3.connect(os.path.join(data, "steward.db"))
    db.execute(f"""
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {args.automations - 1})
        INSERT INTO automations(id, name, type, params_json, target, enabled, timeout_s, tags_json,
                                created_ms, updated_ms, schedule, timezone, catch_up, concurrency)
        SELECT printf('auto_bench%06d', i), 'bench ' || i, 'script', '{{"command":"true","shell":"sh"}}', 'local',
               1, 60, '[]', {now_ms}, {now_ms},
               CASE WHEN i < {args.every_minute} THEN '* * * * *' ELSE printf('%d %d * * *', i % 60, (i / 60) % 24) END,
               'UTC', 'skip', 'skip'
        FROM n""")
    db.commit()
    db.close()

    # 2. Start-up with them loaded, and RSS.
    proc, port, startup_ms = start(args.steward, data, os.path.join(args.work, "serve.log"), args.pidfile)
    time.sleep(1)
    rss_loaded = rss_kib(proc.pid)

    # 3. Idle CPU between fires (all fires are at second 0): seconds 10..50 of a minute.
    def wait_until_second(s):
        while int(time.time()) % 60 != s:
            time.sleep(0.05)
    wait_until_second(10)
    c0, t0 = cpu_seconds(proc.pid), time.monotonic()
    wait_until_second(50)
    idle_cpu_pct = (cpu_seconds(proc.pid) - c0) / (time.monotonic() - t0) * 100

    # 4. Let N full minutes of fires happen, then read the lags from the store.
    first_minute = (int(time.time()) // 60 + 1) * 60
    time.sleep(max(0, first_minute + args.minutes * 60 + 5 - time.time()))
    rss_after = rss_kib(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.wait(60)
    db = sqlite3.connect(os.path.join(data, "steward.db"))
    rows = db.execute("SELECT scheduled_ms, created_ms, started_ms, status FROM runs "
                      "WHERE scheduled_ms >= ? AND scheduled_ms < ?",
                      (first_minute * 1000, (first_minute + args.minutes * 60) * 1000)).fetchall()
    statuses = {}
    for r in rows:
        statuses[r[3]] = statuses.get(r[3], 0) + 1

    lines = [f"## Scheduler: {args.automations:,} scheduled automations — {time.strftime('%Y-%m-%d %H:%M')}", "",
             f"- {os.cpu_count()} CPUs; {args.every_minute:,} fire every minute, the rest daily at spread minutes;"
             f" each runs `sh -c true`",
             "", "| metric | value | target | met? |", "|---|---|---|---|"]
    lines.append(f"| start-up with {args.automations:,} loaded (spawn -> /health 200), ms | {startup_ms:.0f} | — | — |")
    lines.append(f"| RSS with {args.automations:,} loaded, MiB | {rss_loaded / 1024:.1f} | ≤ 200 | "
                 f"{'yes' if rss_loaded / 1024 <= 200 else '**NO**'} |")
    lines.append(f"| RSS after the fires, MiB | {rss_after / 1024:.1f} | — | — |")
    lines.append(f"| CPU while idle between fires, % of one core | {idle_cpu_pct:.2f} | ≤ 1 | "
                 f"{'yes' if idle_cpu_pct <= 1 else '**NO**'} |")
    for m in range(args.minutes):
        lo, hi = (first_minute + m * 60) * 1000, (first_minute + (m + 1) * 60) * 1000
        sel = [r for r in rows if lo <= r[0] < hi]
        created = [r[1] - r[0] for r in sel]
        started = [r[2] - r[0] for r in sel if r[2] is not None]
        p99 = pct(created, 99)
        lines.append(f"| minute {m + 1}: {len(sel):,} fires; lag due -> run created p50 / p99 / max, ms | "
                     f"{pct(created, 50):.0f} / {p99:.0f} / {max(created) if created else float('nan'):.0f} | p99 ≤ 50 | "
                     f"{'yes' if p99 <= 50 else '**NO**'} |")
        lines.append(f"| minute {m + 1}: lag due -> run started p50 / p99 / max, ms | "
                     f"{pct(started, 50):.0f} / {pct(started, 99):.0f} / {max(started) if started else float('nan'):.0f} | — | — |")
    lines.append("")
    lines.append(f"- runs in the measured minutes by status: {json.dumps(statuses)}")
    text = "\n".join(lines)
    print(text)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    open(os.path.join(args.out, f"scheduler-{stamp}.md"), "w").write(text + "\n")


if __name__ == "__main__":
    main()
