#!/usr/bin/python3
"""The PyTorch side of the Fashion-MNIST comparison (README, "Training"): the same network, data,
initialization and SGD as `./nabla train`, written the way a user gets it fast with PyTorch —
the whole training set as one tensor, a fresh permutation per epoch, batches by indexing.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/peer_pytorch.py --config A
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/peer_pytorch.py --config B

Config A: 784-128-10, sigmoid, Xavier (uniform) init, softmax + cross-entropy, SGD lr 0.1, batch 64, 5 epochs, 1 thread.
Config B: 784-256-128-10, ReLU, He (Kaiming normal, fan_in) init, SGD momentum 0.9, lr 0.05, batch 128, 10 epochs, 2 threads.
Biases start at 0 (as nabla's). Pixels are scaled to [0, 1] (torchvision's ToTensor) and not
normalized further, as `./nabla train --normalize none`. An epoch trains on all 60,000 images; its
time is the training pass alone (evaluation excluded). Prints one line per epoch and a last line
    RESULT config=A threads=1 epochs=5 seconds_per_epoch=... seconds_after_first=... test_accuracy=...
that bench/compare.sh reads. Needs Debian's python3-torch, libopenblas0-openmp (without it
torch falls back to the reference BLAS, ~20x slower) and dataset-fashion-mnist.
"""
import argparse
import gzip
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

CONFIGS = {
    "A": dict(sizes=[784, 128, 10], activation="sigmoid", init="xavier", lr=0.1, momentum=0.0, batch=64, epochs=5, threads=1),
    "B": dict(sizes=[784, 256, 128, 10], activation="relu", init="he", lr=0.05, momentum=0.9, batch=128, epochs=10, threads=2),
}


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(folder, stem):
    for name in (stem + ".gz", stem):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    sys.exit(f"{stem}[.gz] not found in {folder}: apt-get install dataset-fashion-mnist or set NABLA_DATA")


def load(folder):
    x_train = read_idx(find(folder, "train-images-idx3-ubyte")).reshape(-1, 784)
    y_train = read_idx(find(folder, "train-labels-idx1-ubyte"))
    x_test = read_idx(find(folder, "t10k-images-idx3-ubyte")).reshape(-1, 784)
    y_test = read_idx(find(folder, "t10k-labels-idx1-ubyte"))
    to_x = lambda a: torch.from_numpy(a.astype(np.float32) / 255.0)
    to_y = lambda a: torch.from_numpy(a.astype(np.int64))
    return to_x(x_train), to_y(y_train), to_x(x_test), to_y(y_test)


def build(c):
    layers = []
    sizes = c["sizes"]
    for i in range(len(sizes) - 1):
        linear = nn.Linear(sizes[i], sizes[i + 1])
        if c["init"] == "xavier":
            nn.init.xavier_uniform_(linear.weight)
        else:
            nn.init.kaiming_normal_(linear.weight, mode="fan_in", nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i + 2 < len(sizes):
            layers.append(nn.Sigmoid() if c["activation"] == "sigmoid" else nn.ReLU())
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser(description="PyTorch peer of ./nabla train on Fashion-MNIST")
    ap.add_argument("--config", choices=sorted(CONFIGS), required=True)
    ap.add_argument("--epochs", type=int, help="override the config's epochs (a smoke run)")
    ap.add_argument("--threads", type=int, help="override the config's threads")
    ap.add_argument("--seed", type=int, default=42)
    default_data = os.path.join(os.environ["NABLA_DATA"], "fashion-mnist") if os.environ.get("NABLA_DATA") else "/usr/share/datasets/fashion-mnist"
    ap.add_argument("--data", default=default_data)
    a = ap.parse_args()
    c = dict(CONFIGS[a.config])
    if a.epochs:
        c["epochs"] = a.epochs
    if a.threads:
        c["threads"] = a.threads
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var} is set; the comparison runs with it unset", file=sys.stderr)
    torch.set_num_threads(c["threads"])
    torch.manual_seed(a.seed)

    x, y, x_test, y_test = load(a.data)
    model = build(c)
    opt = torch.optim.SGD(model.parameters(), lr=c["lr"], momentum=c["momentum"])
    loss_fn = nn.CrossEntropyLoss()
    n = x.shape[0]
    times = []
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, config {a.config}: {c}")
    for epoch in range(1, c["epochs"] + 1):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, c["batch"]):
            idx = perm[i:i + c["batch"]]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        seconds = time.perf_counter() - t0
        times.append(seconds)
        print(f"epoch {epoch}/{c['epochs']}: train loss {total / n:.4f}, {seconds:.3f} s")
    model.eval()
    with torch.no_grad():
        accuracy = (model(x_test).argmax(1) == y_test).float().mean().item()
    after_first = sum(times[1:]) / len(times[1:]) if len(times) > 1 else times[0]
    print(f"test accuracy: {accuracy:.4f}")
    print(f"RESULT config={a.config} threads={c['threads']} epochs={c['epochs']} seconds_per_epoch={sum(times) / len(times):.4f} "
          f"seconds_after_first={after_first:.4f} test_accuracy={accuracy:.4f}")


if __name__ == "__main__":
    main()
