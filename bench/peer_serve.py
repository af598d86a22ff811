#!/usr/bin/python3
"""The notes' serving stack for bench/serve.sh: Starlette + uvicorn (one worker) + PyTorch on the CPU,
serving a nabla checkpoint at TorchServe's POST /predictions/{name} with nabla's JSON answer.

    /usr/bin/python3 bench/peer_serve.py CHECKPOINT PORT [TORCH_THREADS]
"""
import json, os, sys
import numpy as np, torch, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_load_checkpoint import build, read_safetensors

tensors, meta = read_safetensors(sys.argv[1])
model = build(json.loads(meta["architecture"])).eval()
model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items() if k[0].isdigit()}, strict=True)
norm, classes = json.loads(meta["normalization"]), json.loads(meta["classes"])
mean, inv_std = torch.tensor(norm["mean"]), torch.tensor(norm["inv_std"])
torch.set_num_threads(int(sys.argv[3]) if len(sys.argv) > 3 else 1)

async def predict(request):
    x = (torch.tensor((await request.json())["inputs"], dtype=torch.float32) - mean) * inv_std
    with torch.no_grad():
        p = torch.softmax(model(x), dim=1)
    return JSONResponse({"predictions": [{"class": int(r.argmax()), "label": classes[int(r.argmax())], "probabilities": r.tolist()} for r in p]})

app = Starlette(routes=[Route("/predictions/{name}", predict, methods=["POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
