#!/usr/bin/env python3
"""The PyTorch-on-CUDA side of issue 21's epoch comparison: config B (784-256-128-10 ReLU, He init, softmax
cross-entropy, SGD lr 0.05 momentum 0.9, batch 128) with the whole training set resident on the GPU, written the
way a user gets it fast with PyTorch: one tensor on the device, a fresh permutation per epoch made on the device,
batches by indexing, the loss summed on the device and read once an epoch (no synchronization per step).

    python3 bench/peer_pytorch_cuda.py                              # config B, 1 warm-up + 5 timed epochs
    python3 bench/peer_pytorch_cuda.py --batchnorm --dropout 0.2    # train --batchnorm --dropout 0.2's model
    python3 bench/peer_pytorch_cuda.py --data /usr/share/datasets/fashion-mnist   # Fashion-MNIST instead
    python3 bench/peer_pytorch_cuda.py --device cpu --threads 4     # PyTorch CPU on the same data (issue 16's scaling)

Data: by default what bench.GpuEpochBench (nabla's side) trains on: 60,000 random images of Fashion-MNIST's
shape, pixels uniform in [0, 1), labels uniform over 10 classes (drawn here by torch's generator, not Java's
SplittableRandom: an epoch's arithmetic does not depend on the values), normalized by one global mean and std as
nabla's Normalization.global. GpuEpochBench normalizes each batch on the host inside the timed epoch, as nabla
train does; here the resident set is normalized once before timing, as a PyTorch user would. With --data DIR,
Fashion-MNIST's training set (IDX files, as bench/peer_pytorch.py reads them) scaled to [0, 1], and the test
accuracy at the end. The model with --batchnorm/--dropout is nabla's ModelSpec order: Linear → BatchNorm1d (eps
1e-5, momentum 0.1, nabla's defaults) → ReLU → Dropout for each hidden layer, then the output Linear.

TF32 is off (matmul and cuDNN), so the products are plain FP32 as nabla's kernels. An epoch is timed with
torch.cuda.synchronize() before and after it; one warm-up epoch (cuBLAS handles, kernel selection, the caching
allocator) is not counted. Prints one line per epoch and a last line
    RESULT peer=pytorch-cuda threads=0 config=B batchnorm=0 dropout=0.0 epochs=5 seconds_per_epoch_median=... ...
Needs PyTorch with CUDA and a GPU; exits 2 with one line otherwise. No network access.
"""
import argparse
import os
import statistics
import sys
import time

SIZES = [784, 256, 128, 10]
LR, MOMENTUM, BATCH, EXAMPLES = 0.05, 0.9, 128, 60000


def build(nn, batchnorm, dropout):
    layers = []
    for i in range(len(SIZES) - 1):
        linear = nn.Linear(SIZES[i], SIZES[i + 1])
        nn.init.kaiming_normal_(linear.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i + 2 < len(SIZES):
            if batchnorm:
                layers.append(nn.BatchNorm1d(SIZES[i + 1], eps=1e-5, momentum=0.1))
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def synthetic(torch, device, seed, examples):
    """GpuEpochBench's data: 60,000 × 784 uniform [0, 1), labels uniform in 0..9, globally normalized."""
    g = torch.Generator(device=device).manual_seed(seed)
    x = torch.rand(examples, SIZES[0], device=device, generator=g)
    y = torch.randint(0, SIZES[-1], (examples,), device=device, generator=g)
    mean, std = x.double().mean(), x.double().std(unbiased=False)
    return ((x - mean.float()) / std.float()).contiguous(), y, None, None


def fashion(torch, device, folder):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
    import peer_pytorch  # the same IDX reader as the CPU peer

    x, y, x_test, y_test = peer_pytorch.load(folder)
    return x.to(device), y.to(device), x_test.to(device), y_test.to(device)


def main():
    ap = argparse.ArgumentParser(description="PyTorch on CUDA: config B epochs with the data resident on the GPU")
    ap.add_argument("--epochs", type=int, default=5, help="timed epochs after the warm-up (default 5)")
    ap.add_argument("--warmup", type=int, default=1, help="epochs run first and not timed (default 1)")
    ap.add_argument("--batchnorm", action="store_true", help="a BatchNorm1d after each hidden Linear")
    ap.add_argument("--dropout", type=float, default=0.0, help="a Dropout of this rate after each hidden ReLU")
    ap.add_argument("--data", help="a folder with Fashion-MNIST's IDX files (default: GpuEpochBench's random images)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--examples", type=int, default=EXAMPLES, help="random images (default 60000, as GpuEpochBench); fewer for a smoke run")
    ap.add_argument("--device", default="cuda", help="cpu runs the same loop on the CPU (with --threads: PyTorch CPU's thread scaling "
                    "on the same data, beside GpuEpochBench -p backend=cpu -p threads=N)")
    ap.add_argument("--threads", type=int, help="torch.set_num_threads (CPU only)")
    a = ap.parse_args()
    if a.epochs < 1 or a.warmup < 0 or not (0.0 <= a.dropout < 1.0) or a.examples < BATCH:
        sys.exit(f"peer_pytorch_cuda: --epochs >= 1, --warmup >= 0, --dropout in [0, 1) and --examples >= {BATCH} expected")
    try:
        import torch
        from torch import nn
    except ImportError as e:
        print(f"peer_pytorch_cuda: PyTorch is not installed ({e})", file=sys.stderr)
        sys.exit(2)
    cuda = a.device == "cuda"
    if cuda and not torch.cuda.is_available():
        print(f"peer_pytorch_cuda: no CUDA GPU (torch {torch.__version__}, torch.cuda.is_available() is False): nothing measured",
              file=sys.stderr)
        sys.exit(2)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    device = torch.device(a.device)
    sync = torch.cuda.synchronize if cuda else (lambda: None)

    x, y, x_test, y_test = fashion(torch, device, a.data) if a.data else synthetic(torch, device, a.seed, a.examples)
    model = build(nn, a.batchnorm, a.dropout).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    loss_fn = nn.CrossEntropyLoss()
    n = x.shape[0]
    where = f"{torch.cuda.get_device_name(0)}, CUDA {torch.version.cuda}" if cuda else f"the CPU, {torch.get_num_threads()} threads"
    print(f"PyTorch {torch.__version__} on {where}, TF32 off; "
          f"config B {'-'.join(map(str, SIZES))} relu, batchnorm {a.batchnorm}, dropout {a.dropout}, batch {BATCH}, "
          f"lr {LR}, momentum {MOMENTUM}; data {a.data or 'random (GpuEpochBench)'}: {n} examples resident on {device}")

    times = []
    for epoch in range(1, a.warmup + a.epochs + 1):
        model.train()
        sync()
        t0 = time.perf_counter()
        perm = torch.randperm(n, device=device)
        total = torch.zeros((), device=device)
        for i in range(0, n, BATCH):
            idx = perm[i:i + BATCH]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.detach() * idx.numel()
        sync()
        seconds = time.perf_counter() - t0
        warm = epoch <= a.warmup
        if not warm:
            times.append(seconds)
        print(f"epoch {epoch}{' (warm-up)' if warm else ''}: train loss {total.item() / n:.4f}, {seconds * 1000:.1f} ms")
    accuracy = float("nan")
    if x_test is not None:
        model.eval()
        with torch.no_grad():
            accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
        print(f"test accuracy: {accuracy:.4f}")
    print(f"RESULT peer=pytorch-{a.device} threads={torch.get_num_threads() if not cuda else 0} config=B batchnorm={int(a.batchnorm)} dropout={a.dropout} epochs={a.epochs} "
          f"seconds_per_epoch_median={statistics.median(times):.4f} seconds_per_epoch_min={min(times):.4f} "
          f"seconds_per_epoch_max={max(times):.4f} test_accuracy={accuracy:.4f}")


if __name__ == "__main__":
    main()
