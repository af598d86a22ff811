"""Turns bench/sgemm.sh's JMH JSON and numpy lines into README's markdown table (GFLOP/s and ratios)."""
import json, sys

SIZES = {"fwd1": (128, 256, 784), "fwd2": (128, 128, 256), "wgradAtB": (784, 256, 128), "dxABt": (128, 784, 256)}

def mnk(shape):
    base = shape.split("_")[0]
    if base in SIZES:
        return SIZES[base]
    s = int(base[2:])
    return s, s, s

rows = {}  # (shape, impl, threads) -> GFLOP/s
for path in sys.argv[1:]:
    try:
        text = open(path).read().strip()
    except OSError:
        continue
    if not text:
        continue
    if text.startswith("["):
        for r in json.loads(text):
            p = r["params"]
            us = r["primaryMetric"]["score"]
            m, n, k = mnk(p["shape"])
            rows[(p["shape"], p["impl"], int(p["threads"]))] = 2 * m * n * k / (us * 1e3)
    else:
        for line in text.splitlines():
            r = json.loads(line)
            m, n, k = mnk(r["shape"])
            rows[(r["shape"], "openblas", r["threads"])] = 2 * m * n * k / (r["us"] * 1e3)

shapes = []
for (s, _, _) in rows:
    if s not in shapes:
        shapes.append(s)

def g(s, impl, t):
    v = rows.get((s, impl, t))
    return f"{v:.1f}" if v is not None else "–"

print("| shape (m×n×k) | nabla 1T | nabla 2T | 2T/1T | OpenBLAS 1T | nabla/OpenBLAS 1T | OpenBLAS 2T | EJML 1T | Commons Math 1T | ref 1T | nabla/EJML |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for s in shapes:
    m, n, k = mnk(s)
    n1, n2 = rows.get((s, "nabla", 1)), rows.get((s, "nabla", 2))
    ob = rows.get((s, "openblas", 1))
    ej = rows.get((s, "ejml", 1))
    ratio = lambda x, y: f"{x / y:.2f}" if x and y else "–"
    print(f"| {s} ({m}×{n}×{k}) | {g(s,'nabla',1)} | {g(s,'nabla',2)} | {ratio(n2, n1)} | {g(s,'openblas',1)} | {ratio(n1, ob)} "
          f"| {g(s,'openblas',2)} | {g(s,'ejml',1)} | {g(s,'commons',1)} | {g(s,'ref',1)} | {ratio(n1, ej)} |")
