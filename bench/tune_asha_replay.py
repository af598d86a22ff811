#!/usr/bin/env python3
"""ASHA's settings replayed offline on a random search's per-epoch validation losses (no training).

  python3 bench/tune_asha_replay.py DIR [DIR...]      (DIR/random/results.jsonl of bench/tune-schedulers.sh)

For each (r_min, eta) it replays Algorithm 2 with one worker (tune_asha_check.replay, which matches
the ASHA tunes epoch for epoch) and prints the epochs ASHA would spend, as a share of random search's,
and whether its best trial is random search's best (if not: that trial's rank and val loss against the best).
"""
import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location("check", os.path.join(os.path.dirname(__file__), "tune_asha_check.py"))
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)

for d in sys.argv[1:]:
    settings, epochs, _ = check.read(os.path.join(d, "random", "results.jsonl"))
    trials, R = settings["trials"], settings["max_epochs"]
    loss = {k: v["val_loss"] for k, v in epochs.items()}
    finals = {t: loss[(t, R)] for t in range(trials) if (t, R) in loss}
    best = min(finals, key=lambda t: (finals[t], t))
    cells = []
    for rmin, eta in [(1, 3), (1, 2), (2, 3), (1, 4)]:
        ran = check.replay(loss, trials, rmin, eta, R)
        total = sum(ran.values())
        full = [t for t, e in ran.items() if e == R]
        found = min(full, key=lambda t: (finals[t], t)) if full else None
        # a miss says how far off the trial ASHA kept is: its rank among random's finals and its val loss over the best's
        miss = "" if found is None else (f" (missed: rank {sorted(finals.values()).index(finals[found]) + 1} of {len(finals)},"
                                         f" val loss +{100 * (finals[found] / finals[best] - 1):.1f}%)")
        cells.append(f"r_min {rmin} eta {eta}: {total} epochs ({100 * total / (trials * R):.0f}%), best {found}"
                     + (" = random's" if found == best else miss))
    print(f"{os.path.basename(d.rstrip('/'))}: random's best trial {best}; " + "; ".join(cells))
