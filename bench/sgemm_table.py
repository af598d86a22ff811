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
alloc = {}  # (shape, threads) -> gc.alloc.rate.norm of nabla, bytes per call (when run with -prof gc)
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
            norm = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            if p["impl"] == "nabla" and norm is not None:
                alloc[(p["shape"], int(p["threads"]))] = norm["score"]
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

# Issue 2's figures, each beside what this run measured. They were set for a 2-core AVX-512 machine
# (OpenBLAS ~200 GFLOP/s there); on AVX2 the FMA peak of a core is about half of that.
def cpu_has(flag):
    try:
        return any(flag in line.split() for line in open("/proc/cpuinfo") if line.startswith("flags"))
    except OSError:
        return False

def check(name, value, ok, shown):
    verdict = "–" if value is None else ("met" if ok(value) else "NOT met")
    print(f"| {name} | {shown(value) if value is not None else '–'} | {verdict} |")

print()
print(f"Issue 2's targets (this CPU: {'AVX-512' if cpu_has('avx512f') else 'no AVX-512'}, "
      f"{'FMA' if cpu_has('fma') else 'no FMA'}):")
print()
print("| target | measured | |")
print("|---|---|---|")
gf = lambda v: f"{v:.1f} GFLOP/s"
x = lambda v: f"{v:.2f}×"
for s in ("sq1024", "sq2048"):
    check(f"{s} 1 thread ≥ 180 GFLOP/s", rows.get((s, "nabla", 1)), lambda v: v >= 180, gf)
for s in ("sq1024", "sq2048"):
    n1, n2 = rows.get((s, "nabla", 1)), rows.get((s, "nabla", 2))
    check(f"{s} 2 threads ≥ 1.8× 1 thread", n2 / n1 if n1 and n2 else None, lambda v: v >= 1.8, x)
for s in ("sq1024", "sq2048"):
    for t in ("tn", "nt"):
        base, var = rows.get((s, "nabla", 1)), rows.get((f"{s}_{t}", "nabla", 1))
        # "within 5%": no more than 5% slower (a faster transposed layout passes)
        check(f"{s}_{t} ≥ 0.95× {s} (1 thread)", var / base if base and var else None,
              lambda v: v >= 0.95, x)
for s in ("fwd1", "fwd2", "wgradAtB", "dxABt"):
    check(f"{s} 1 thread ≥ 140 GFLOP/s", rows.get((s, "nabla", 1)), lambda v: v >= 140, gf)
for s in shapes:
    n1, ob = rows.get((s, "nabla", 1)), rows.get((s, "openblas", 1))
    if ob:
        check(f"{s} within 10% of OpenBLAS (1 thread)", n1 / ob if n1 else None, lambda v: v >= 0.9, x)
worst = max(alloc.values()) if alloc else None
check("gc.alloc.rate.norm ≈ 0 (< 64 B a call, JMH's own bytes)", worst, lambda v: v < 64,
      lambda v: f"at most {v:.1f} B a call")
print()
print("One run of a shared machine: read a ratio near its target against the paired runs (OpenBLAS: bench/sgemm_paired.sh;")
print("transposes: bench.SgemmTransposesPaired).")
