"""OpenBLAS SGEMM through numpy, the native anchor for bench/sgemm.sh: prints JSON lines
{"shape", "threads", "us"} with the median of 5 one-second rounds per shape and thread count."""
import json, os, statistics, sys, time

SHAPES = {"sq128": (128, 128, 128, 0, 0), "sq256": (256, 256, 256, 0, 0), "sq512": (512, 512, 512, 0, 0),
          "sq1024": (1024, 1024, 1024, 0, 0), "sq2048": (2048, 2048, 2048, 0, 0),
          "fwd1": (128, 256, 784, 0, 0), "fwd2": (128, 128, 256, 0, 0),
          "wgradAtB": (784, 256, 128, 1, 0), "dxABt": (128, 784, 256, 0, 1)}

def operands(np, rng, name):
    """op(A), op(B) and C for a shape: transposed operands are views of stored transposes, as in BLAS."""
    m, n, k, ta, tb = SHAPES[name]
    a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
    return (a.T if ta else a), (b.T if tb else b), np.empty((m, n), dtype=np.float32)

def run(threads):
    os.environ["OPENBLAS_NUM_THREADS"] = str(threads)
    import numpy as np
    try:
        from threadpoolctl import threadpool_limits
        threadpool_limits(threads)
    except ImportError:
        pass
    rng = np.random.default_rng(42)
    for name in SHAPES:
        A, B, c = operands(np, rng, name)
        np.matmul(A, B, out=c)
        rounds = []
        for _ in range(5):
            t = time.perf_counter(); it = 0
            while time.perf_counter() - t < 1.0:
                np.matmul(A, B, out=c); it += 1
            rounds.append((time.perf_counter() - t) / it * 1e6)
        print(json.dumps({"shape": name, "threads": threads, "us": statistics.median(rounds)}), flush=True)

def serve():
    """For bench.SgemmPaired: reads 'SHAPE SECONDS' lines, runs one timed round of that shape for
    about SECONDS, answers with the mean microseconds per call. Blocks on stdin between rounds, so
    it leaves the cores to the JVM while nabla's round runs."""
    import numpy as np
    rng = np.random.default_rng(42)
    cache = {}
    for line in sys.stdin:
        name, seconds = line.split()
        if name not in cache:
            cache[name] = operands(np, rng, name)
        A, B, c = cache[name]
        np.matmul(A, B, out=c)
        t = time.perf_counter(); it = 0
        while time.perf_counter() - t < float(seconds):
            np.matmul(A, B, out=c); it += 1
        print((time.perf_counter() - t) / it * 1e6, flush=True)

if __name__ == "__main__":
    # OpenBLAS fixes its thread count at load time: one process per thread count.
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve()
    elif len(sys.argv) > 1:
        run(int(sys.argv[1]))
    else:
        import subprocess
        for t in (1, 2):
            sys.stdout.write(subprocess.run([sys.executable, __file__, str(t)], capture_output=True, text=True).stdout)
