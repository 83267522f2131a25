#!/usr/bin/env python3
"""Writes a mixed file tree of about --mib MiB for bench/backup.sh, quickly.

Roughly 35 % many small text files (1-16 KiB), 35 % medium files (64 KiB - 8 MiB, half
text, half random), 30 % three large files alternating 1 MiB random and text blocks (so
partly compressible). Text comes from slices of one generated corpus, random data from
os.urandom; 100 files per directory, plus a few symlinks and empty directories.
"""
import argparse
import os
import random

WORDS = ("steward backup archive daemon manifest sha256 verify restore retention config service "
         "log error warning info debug request response user group path file directory network "
         "disk memory cpu schedule cron timer job run step tool plugin automation alpha beta gamma").split()


def corpus(rng, size):
    lines, total = [], 0
    while total < size:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14))) + f" {rng.randint(0, 99999)}\n"
        lines.append(line)
        total += len(line)
    return "".join(lines).encode()[:size]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--mib", type=int, default=1024)
    args = ap.parse_args()
    rng = random.Random(42)
    text = corpus(rng, 8 << 20)
    total = args.mib << 20
    count = 0
    made = set()

    def text_slice(n):
        start = rng.randrange(0, len(text) - n) if n < len(text) else 0
        return (text * (n // len(text) + 1))[:n] if n >= len(text) else text[start:start + n]

    def path_for(kind):
        nonlocal count
        d = os.path.join(args.root, kind, f"d{count // 100:04d}")
        if d not in made:
            os.makedirs(d, exist_ok=True)
            made.add(d)
        count += 1
        return os.path.join(d, f"f{count:06d}")

    written = 0
    budget = total * 35 // 100
    while written < budget:  # small text files
        n = rng.randint(1024, 16384)
        with open(path_for("small"), "wb") as f:
            f.write(text_slice(n))
        written += n
    budget += total * 35 // 100
    while written < budget:  # medium, text or random
        n = min(rng.randint(64 << 10, 8 << 20), budget - written)
        with open(path_for("medium") + (".txt" if count % 2 else ".bin"), "wb") as f:
            f.write(text_slice(n) if count % 2 else os.urandom(n))
        written += n
    os.makedirs(os.path.join(args.root, "large"), exist_ok=True)
    per_large = (total - written) // 3
    for i in range(3):  # large, alternating random and text MiB blocks
        with open(os.path.join(args.root, "large", f"big{i}.img"), "wb") as f:
            left = per_large
            block = 0
            while left > 0:
                n = min(1 << 20, left)
                f.write(os.urandom(n) if block % 2 else text_slice(n))
                left -= n
                block += 1
        written += per_large
    for i in range(20):
        os.makedirs(os.path.join(args.root, "empty", f"e{i}"), exist_ok=True)
    os.symlink("../large/big0.img", os.path.join(args.root, "small", "link-to-big0"))
    os.symlink("/etc/hostname", os.path.join(args.root, "small", "absolute-link"))
    print(f"make_tree: {count + 3} files, {written / 1e6:.1f} MB under {args.root}")


if __name__ == "__main__":
    main()
