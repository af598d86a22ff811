#!/usr/bin/env python3
"""nabla's SGEMM versions (a JMH JSON from bench.CudaSgemmBench) beside cuBLAS SGEMM through PyTorch,
measured now on the same GPU, with TF32 off (plain FP32 arithmetic, as nabla's kernels do).

usage: compare_cublas.py jmh.json      prints a markdown table: GFLOP/s and % of cuBLAS per n
"""
import json
import sys


def nabla_results(path):
    """{(version, n): GFLOP/s} from the JMH 'gflop' secondary metric (a rate: GFLOP/s)."""
    results = {}
    with open(path) as f:
        for run in json.load(f):
            params = run.get("params", {})
            gflop = run.get("secondaryMetrics", {}).get("gflop")
            if gflop and "version" in params and "n" in params:
                results[(params["version"], int(params["n"]))] = gflop["score"]
    return results


def cublas_gflops(n, seconds=1.0):
    """C = A·B for random n×n float32 on the GPU, TF32 off; mean over ≥ 3 products after 3 warm-ups."""
    import torch

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    a = torch.rand(n, n, device="cuda", dtype=torch.float32) * 2 - 1
    b = torch.rand(n, n, device="cuda", dtype=torch.float32) * 2 - 1
    c = torch.empty(n, n, device="cuda", dtype=torch.float32)
    for _ in range(3):
        torch.mm(a, b, out=c)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    reps, elapsed = 0, 0.0
    while elapsed < seconds * 1000 or reps < 3:
        start.record()
        torch.mm(a, b, out=c)
        end.record()
        end.synchronize()
        elapsed += start.elapsed_time(end)
        reps += 1
    return 2.0 * n ** 3 * reps / (elapsed / 1000) / 1e9


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    nabla = nabla_results(sys.argv[1])
    if not nabla:
        sys.exit("compare_cublas: no CudaSgemmBench results with a gflop metric in " + sys.argv[1])
    sizes = sorted({n for _, n in nabla})
    versions = sorted({v for v, _ in nabla})
    try:
        import torch

        device = torch.cuda.get_device_name(0)
        cublas = {n: cublas_gflops(n) for n in sizes}
    except Exception as e:  # no torch or no GPU: nabla's numbers alone
        device, cublas = "cuBLAS not measured (%s)" % e, {}
    print("SGEMM C = A·B, n×n float32, GFLOP/s (%% of cuBLAS, TF32 off) on %s\n" % device)
    print("| version | " + " | ".join("n=%d" % n for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    if cublas:
        print("| cuBLAS (torch.mm) | " + " | ".join("%.0f" % cublas[n] for n in sizes) + " |")
    for v in versions:
        cells = []
        for n in sizes:
            g = nabla.get((v, n))
            if g is None:
                cells.append("-")
            elif cublas:
                cells.append("%.0f (%.0f%%)" % (g, 100 * g / cublas[n]))
            else:
                cells.append("%.0f" % g)
        print("| %s | %s |" % (v, " | ".join(cells)))


if __name__ == "__main__":
    main()
