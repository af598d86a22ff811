"""The table of bench/ab.sh: per benchmark and parameters, the median score of each side over the
rounds, new/old, and every round's score in order. Reads target/ab/runs/{old,new}-<round>.json."""
import glob, json, os, re, statistics, sys


def key(result):
    params = result.get("params") or {}
    name = result["benchmark"].rsplit(".", 2)
    return ".".join(name[-2:]) + f" [{result.get('mode', '?')}]" + "".join(f" {k}={v}" for k, v in sorted(params.items()))


def scores(runs, side):
    """{benchmark key: [score of round 1, round 2, ...]} and the unit of each key."""
    by_key, units = {}, {}
    files = sorted(glob.glob(os.path.join(runs, f"{side}-*.json")),
                   key=lambda f: int(re.search(r"-(\d+)\.json$", f).group(1)))
    for f in files:
        with open(f) as fh:
            for result in json.load(fh):
                k = key(result)
                by_key.setdefault(k, []).append(result["primaryMetric"]["score"])
                units[k] = result["primaryMetric"]["scoreUnit"]
    return by_key, units


def fmt(x):
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.4g}"


def main(old, new, runs):
    a, units = scores(runs, "old")
    b, _ = scores(runs, "new")
    print(f"old = {old}, new = {new}; medians over the rounds, new/old, then each round's score (old | new)")
    for k in sorted(set(a) | set(b)):
        oa, nb = a.get(k, []), b.get(k, [])
        if not oa or not nb:
            print(f"{k}: missing on one side (old {len(oa)} rounds, new {len(nb)})")
            continue
        mo, mn = statistics.median(oa), statistics.median(nb)
        rounds = " ".join(fmt(x) for x in oa) + " | " + " ".join(fmt(x) for x in nb)
        print(f"{k}  [{units[k]}]\n    old {fmt(mo)}  new {fmt(mn)}  new/old {mn / mo:.3f}    {rounds}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: ab_table.py OLD NEW RUNS_DIR")
    main(*sys.argv[1:])
