#!/usr/bin/env python3
"""Issue 21's figures from one run of the GPU pack's run.sh, as markdown: reads the files run.sh wrote to its
results folder and prints each figure beside its target. A missing file gives a line saying so, not an error.

usage: issue21_summary.py RESULTS_DIR
"""
import json
import os
import re
import sys


def jmh(path):
    """[(params, score, unit, secondary metrics)] of a JMH JSON file, or [] when it is missing or empty."""
    try:
        with open(path) as f:
            runs = json.load(f)
    except (OSError, ValueError):
        return []
    return [(r.get("params", {}), r["primaryMetric"]["score"], r["primaryMetric"]["scoreUnit"], r.get("secondaryMetrics", {}))
            for r in runs]


def torch_result(path):
    """The key=value pairs of the RESULT line of a peer_pytorch_cuda.py output, or None."""
    try:
        with open(path) as f:
            lines = [l for l in f if l.startswith("RESULT ")]
    except OSError:
        return None
    if not lines:
        return None
    return dict(kv.split("=", 1) for kv in lines[-1].split()[1:])


def section(title):
    print(f"\n## {title}\n")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    d = sys.argv[1]
    print("# Issue 21 figures (run.sh, %s)" % d)
    gpu = False
    try:
        with open(os.path.join(d, "gpu-info.txt")) as f:
            first = f.readline().strip()
        print("\n" + first)
        gpu = first.startswith("cuda: ")
    except OSError:
        pass
    # without a GPU GpuEpochBench's cuda runs return at once: their scores are not epochs
    on_gpu = lambda p: gpu or p.get("backend") != "cuda"

    section("SGEMM against cuBLAS (target: the best version >= 90% at n = 4096 and 8192)")
    try:
        with open(os.path.join(d, "sgemm-vs-cublas.md")) as f:
            table = f.read()
        print(table.strip())
        sizes, best = [], {}  # best[column] = (percent, version)
        for line in table.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] == "version":
                sizes = cells[1:]
            for i, c in enumerate(cells[1:]):
                m = re.search(r"\((\d+)%\)", c)
                if m and int(m.group(1)) > best.get(i, (-1, ""))[0]:
                    best[i] = (int(m.group(1)), cells[0])
        if best:
            print("\nbest version at each size: " + ", ".join(
                f"{sizes[i] if i < len(sizes) else i}: {v} {p}%" for i, (p, v) in sorted(best.items())))
    except OSError:
        print("no sgemm-vs-cublas.md (the SGEMM benchmark did not run)")

    section("Config-B epoch, 60,000 examples resident (target: nabla cuda <= PyTorch CUDA)")
    plain = [(p, s) for p, s, u, _ in jmh(os.path.join(d, "epoch.json")) if u == "ms/op" and on_gpu(p)]
    cuda = next((s for p, s in plain if p.get("backend") == "cuda"), None)
    cpu = next((s for p, s in plain if p.get("backend") == "cpu"), None)
    torch = torch_result(os.path.join(d, "torch-cuda-b.txt"))
    tms = float(torch["seconds_per_epoch_median"]) * 1000 if torch else None
    print("| nabla cuda | nabla cpu (all threads) | PyTorch CUDA (median) | cpu/cuda | PyTorch/nabla cuda |")
    print("|---|---|---|---|---|")
    fmt = lambda x, p=1: "-" if x is None else f"{x:.{p}f} ms"
    ratio = lambda a, b: "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"
    print(f"| {fmt(cuda)} | {fmt(cpu, 0)} | {fmt(tms)} | {ratio(cpu, cuda)} | {ratio(tms, cuda)} |")

    section("Config B with --batchnorm --dropout 0.2 (target: nabla cuda >= 10x nabla cpu)")
    bn = [(p, s) for p, s, u, _ in jmh(os.path.join(d, "epoch-bn-dropout.json")) if u == "ms/op" and on_gpu(p)]
    bcuda = next((s for p, s in bn if p.get("backend") == "cuda"), None)
    bcpu = next((s for p, s in bn if p.get("backend") == "cpu"), None)
    btorch = torch_result(os.path.join(d, "torch-cuda-bn-dropout.txt"))
    btms = float(btorch["seconds_per_epoch_median"]) * 1000 if btorch else None
    print("| nabla cuda | nabla cpu (all threads) | PyTorch CUDA (median) | cpu/cuda | PyTorch/nabla cuda |")
    print("|---|---|---|---|---|")
    print(f"| {fmt(bcuda)} | {fmt(bcpu, 0)} | {fmt(btms)} | {ratio(bcpu, bcuda)} | {ratio(btms, bcuda)} |")

    section("Config B on the CPU by threads (issue 16: nabla and PyTorch CPU, the same random data)")
    threads = {int(p.get("threads", 0)): s for p, s, u, _ in jmh(os.path.join(d, "epoch-threads.json")) if u == "ms/op"}
    torch_threads = {}
    try:
        with open(os.path.join(d, "torch-cpu-threads.txt")) as f:
            for line in f:
                if line.startswith("RESULT "):
                    r = dict(kv.split("=", 1) for kv in line.split()[1:])
                    torch_threads[int(r["threads"])] = float(r["seconds_per_epoch_median"]) * 1000
    except OSError:
        pass
    print("| threads | nabla cpu epoch | PyTorch CPU epoch | nabla/PyTorch |")
    print("|---|---|---|---|")
    for t in sorted(set(threads) | set(torch_threads)):
        print(f"| {t} | {fmt(threads.get(t), 0)} | {fmt(torch_threads.get(t), 0)} | {ratio(threads.get(t), torch_threads.get(t))} |")

    section("Tests")
    try:
        with open(os.path.join(d, "junit.txt")) as f:
            text = f.read()
        for key in ("tests successful", "tests failed", "tests aborted", "tests skipped"):
            m = re.search(r"\[\s*(\d+) " + key, text)
            if m:
                print(f"- {m.group(1)} {key}")
    except OSError:
        print("no junit.txt")


if __name__ == "__main__":
    main()
