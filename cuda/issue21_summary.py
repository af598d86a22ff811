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


def fmt(x, p=1):
    return "-" if x is None else f"{x:.{p}f} ms"


def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"


def epoch_table(d, gpu, title, jmh_file, torch_file):
    """One epoch table: nabla on the GPU and on the CPU (JMH, ms/op) beside PyTorch CUDA's median epoch; without
    a GPU GpuEpochBench's cuda runs return at once, so their scores are not epochs and are left out."""
    section(title)
    rows = [(p, s) for p, s, u, _ in jmh(os.path.join(d, jmh_file)) if u == "ms/op" and (gpu or p.get("backend") != "cuda")]
    cuda = next((s for p, s in rows if p.get("backend") == "cuda"), None)
    cpu = next((s for p, s in rows if p.get("backend") == "cpu"), None)
    torch = torch_result(os.path.join(d, torch_file))
    tms = float(torch["seconds_per_epoch_median"]) * 1000 if torch else None
    print("| nabla cuda | nabla cpu (all threads) | PyTorch CUDA (median) | cpu/cuda | PyTorch/nabla cuda |")
    print("|---|---|---|---|---|")
    print(f"| {fmt(cuda)} | {fmt(cpu, 0)} | {fmt(tms)} | {ratio(cpu, cuda)} | {ratio(tms, cuda)} |")


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

    epoch_table(d, gpu, "Config-B epoch, 60,000 examples resident (target: nabla cuda <= PyTorch CUDA)", "epoch.json", "torch-cuda-b.txt")
    epoch_table(d, gpu, "Config B with --batchnorm --dropout 0.2 (target: nabla cuda >= 10x nabla cpu)", "epoch-bn-dropout.json",
                "torch-cuda-bn-dropout.txt")

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
