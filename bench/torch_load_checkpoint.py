#!/usr/bin/python3
"""Loads a nabla training checkpoint into PyTorch and checks both ways that the two agree.

    /usr/bin/python3 bench/torch_load_checkpoint.py [out/model.safetensors]

(Debian's python3-torch is installed for /usr/bin/python3.) The script
  1. parses the safetensors file with numpy (no `safetensors` package needed),
  2. rebuilds the nn.Sequential from the `architecture` metadata and loads the model tensors
     with load_state_dict(strict=True) — the checkpoint's names are the state dict's names,
  3. runs it on the first 100 embedded digits, normalized as the metadata says, and compares the
     class probabilities with `./nabla predict --input x.npy --probs-out p.npy` on the same rows,
  4. writes PyTorch's own state dict (weights halved) back as safetensors with the same metadata,
     has nabla predict with it, and compares again: nabla reads what PyTorch writes.
Prints the largest differences and exits 1 if one is above the tolerance.
"""
import gzip
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np
import torch
from torch import nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# float32 forward passes of the same weights in two engines: different summation orders give
# differences of a few ulps of the logits (~1e-6 relative); probabilities then differ by < 1e-5.
TOLERANCE = 1e-5


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        assert info["dtype"] == "F32", (name, info["dtype"])
        b, e = info["data_offsets"]
        tensors[name] = np.frombuffer(blob[8 + n + b:8 + n + e], dtype="<f4").reshape(info["shape"]).copy()
    return tensors, meta


def write_safetensors(path, tensors, meta):
    header = {"__metadata__": meta}
    offset = 0
    for name, a in tensors.items():
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for a in tensors.values():
            f.write(np.ascontiguousarray(a, dtype="<f4").tobytes())


def build(architecture):
    layers = []
    for m in architecture:
        t = m["type"]
        if t == "Linear":
            layers.append(nn.Linear(m["in_features"], m["out_features"], bias=m["bias"]))
        elif t == "BatchNorm1d":
            layers.append(nn.BatchNorm1d(m["num_features"], eps=m["eps"], momentum=m["momentum"]))
        elif t == "LeakyReLU":
            layers.append(nn.LeakyReLU(m["negative_slope"]))
        elif t == "Dropout":
            layers.append(nn.Dropout(m["p"]))
        elif t in ("Softmax", "LogSoftmax"):
            layers.append(getattr(nn, t)(dim=m["dim"]))
        else:
            layers.append(getattr(nn, t)())
    return nn.Sequential(*layers)


def probabilities(model, x, loss):
    with torch.no_grad():
        out = model(torch.from_numpy(x))
    if loss == "nll":
        return out.exp().numpy()
    if loss in ("mse", "sse", "l1"):
        return out.numpy()
    if loss == "bce":
        return torch.sigmoid(out).numpy()
    return torch.softmax(out, dim=1).numpy()


def nabla_predict(checkpoint, x, workdir):
    xin = os.path.join(workdir, "x.npy")
    pout = os.path.join(workdir, "p.npy")
    np.save(xin, x)
    subprocess.run([os.path.join(ROOT, "nabla"), "predict", "--checkpoint", checkpoint, "--input", xin,
                    "--probs-out", pout, "--top", "1"], check=True, stdout=subprocess.DEVNULL)
    return np.load(pout)


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "out", "model.safetensors")
    tensors, meta = read_safetensors(path)
    config = json.loads(meta["config"])
    model = build(json.loads(meta["architecture"])).eval()
    state = {k: v for k, v in tensors.items() if k[0].isdigit()}  # optimizer.* and best.* are training state
    full = model.state_dict()
    for k in full:
        if k.endswith("num_batches_tracked"):  # an int64 counter nabla does not keep
            state[k] = full[k].numpy()
    model.load_state_dict({k: torch.from_numpy(np.asarray(v)) for k, v in state.items()}, strict=True)
    print(f"loaded {path} into PyTorch {torch.__version__}: {model}")

    with gzip.open(os.path.join(ROOT, "backprop", "data", "digits.csv.gz"), "rt") as f:
        rows = np.loadtxt(f, delimiter=",", max_rows=100)
    x = (rows[:, :-1] / 16.0).astype(np.float32)  # raw pixels in [0, 1], as nabla's loader gives them
    if x.shape[1] != model[0].in_features:
        sys.exit(f"the model takes {model[0].in_features} inputs; this check feeds the 64-pixel digits")
    norm = json.loads(meta["normalization"])
    mean = np.asarray(norm["mean"], dtype=np.float32)
    inv_std = np.asarray(norm["inv_std"], dtype=np.float32)
    xn = ((x - mean) * inv_std).astype(np.float32)

    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        p_torch = probabilities(model, xn, config["loss"])
        p_nabla = nabla_predict(path, x, tmp)
        d = float(np.abs(p_torch - p_nabla).max())
        agree = float((p_torch.argmax(1) == p_nabla.argmax(1)).mean())
        print(f"nabla's weights in PyTorch: max |p_torch - p_nabla| = {d:.2e}, same class on {agree:.0%} of 100 digits")
        worst = max(worst, d)

        with torch.no_grad():
            for p in model.parameters():
                p.mul_(0.5)
        theirs = {k: v.numpy() for k, v in model.state_dict().items() if v.dtype == torch.float32}
        theirs_path = os.path.join(tmp, "torch.safetensors")
        write_safetensors(theirs_path, theirs, meta)
        p_torch = probabilities(model, xn, config["loss"])
        p_nabla = nabla_predict(theirs_path, x, tmp)
        d = float(np.abs(p_torch - p_nabla).max())
        print(f"PyTorch's state dict in nabla: max |p_torch - p_nabla| = {d:.2e}")
        worst = max(worst, d)
    if worst > TOLERANCE:
        sys.exit(f"FAILED: difference {worst:.2e} above {TOLERANCE:.0e}")
    print(f"ok: within {TOLERANCE:.0e}")


if __name__ == "__main__":
    main()
