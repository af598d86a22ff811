#!/usr/bin/env python3
"""Checks an ASHA tune against the random search over the same trials (bench/tune-schedulers.sh's DIR).

  python3 bench/tune_asha_check.py DIR [DIR...]

For each DIR (holding random/results.jsonl and asha/results.jsonl of one tune with --parallel 1):
  - replays ASHA's promotion rule (Li et al. 2018, Algorithm 2; one worker: a promotion when a rung
    has one, from the highest rung down, else the next new trial) on the random search's per-epoch
    validation losses, and says whether the epochs each trial ran match the ASHA tune's;
  - says whether every epoch the ASHA tune ran equals that epoch of the same trial in the random
    search (all fields but the wall-clock ones): pausing and resuming a trial changes nothing;
  - prints the epochs of each, and the best trial (lowest final val loss among those that ran every
    epoch) of each.
"""
import json
import math
import sys


def read(path):
    settings, epochs, ends = None, {}, {}
    for line in open(path):
        m = json.loads(line)
        if "tune" in m:
            settings = m["tune"]
        elif "epoch" in m:
            m = dict(m)
            for k in ("seconds", "examples_per_second"):
                m.pop(k, None)
            epochs[(m["trial"], m["epoch"])] = m
        elif "state" in m:
            ends[m["trial"]] = m
    return settings, epochs, ends


def replay(loss, trials, rmin, eta, R):
    """Epochs each trial runs under one worker's ASHA, from loss[(trial, epoch)]."""
    rungs, r = [], rmin
    while r < R:
        rungs.append(r)
        r *= eta
    recorded = [dict() for _ in rungs]
    promoted = [set() for _ in rungs]
    ran, nxt = {}, 0
    while True:
        job = None
        for k in reversed(range(len(rungs))):
            top = sorted(recorded[k], key=lambda t: (recorded[k][t], t))[: len(recorded[k]) // eta]
            cands = [t for t in top if t not in promoted[k]]
            if cands:
                job = (cands[0], rungs[k + 1] if k + 1 < len(rungs) else R)
                promoted[k].add(cands[0])
                break
        if job is None and nxt < trials:
            job = (nxt, rungs[0] if rungs else R)
            nxt += 1
        if job is None:
            return ran
        t, to = job
        ran[t] = to
        if to < R:
            v = loss[(t, to)]
            recorded[rungs.index(to)][t] = math.inf if math.isnan(v) else v


def best(ends, R):
    full = [e for e in ends.values() if e["epochs"] == R]
    b = min(full, key=lambda e: e["val_loss"])
    return "trial %d, val loss %.4f" % (b["trial"], b["val_loss"])


def main(dirs):
    for d in dirs:
        s, rnd, rnd_end = read(d + "/random/results.jsonl")
        s2, ash, ash_end = read(d + "/asha/results.jsonl")
        # the rungs are the ASHA tune's (a random search records the defaults, which need not be its)
        R, eta, rmin, n = s2["max_epochs"], s2["eta"], s2["min_epochs"], s2["trials"]
        sim = replay({k: v["val_loss"] for k, v in rnd.items()}, n, rmin, eta, R)
        actual = {t: e["epochs"] for t, e in ash_end.items()}
        same = all(rnd.get(k) == v for k, v in ash.items())
        print("%s: random %d epochs, best %s; asha %d epochs (%.1f%%), best %s" % (
            d, len(rnd), best(rnd_end, R), len(ash), 100.0 * len(ash) / len(rnd), best(ash_end, R)))
        print("    the replayed rule runs the tune's epochs per trial: %s; every asha epoch equals random's: %s" % (
            sim == actual, same))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
