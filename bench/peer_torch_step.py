"""PyTorch beside TrainStepBench: one step (zero_grad, forward, cross-entropy, backward, SGD momentum) of
784-256-128-10 ReLU at batch 128 and 784-128-10 sigmoid at batch 64, one thread, median of five 1 s rounds.
Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/peer_torch_step.py"""
import time, statistics, torch
torch.set_num_threads(1)
for cfg in [((784,256,128,10), torch.nn.ReLU, 128), ((784,128,10), torch.nn.Sigmoid, 64)]:
    sizes, act, batch = cfg
    layers=[]
    for i in range(len(sizes)-1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i+1]))
        if i < len(sizes)-2: layers.append(act())
    net=torch.nn.Sequential(*layers); opt=torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9); lossf=torch.nn.CrossEntropyLoss()
    x=torch.randn(batch, sizes[0]); y=torch.randint(0,10,(batch,))
    def step():
        opt.zero_grad(); l=lossf(net(x), y); l.backward(); opt.step()
    for _ in range(200): step()
    rounds=[]
    for r in range(5):
        t=time.perf_counter(); n=0
        while time.perf_counter()-t<1.0: step(); n+=1
        rounds.append((time.perf_counter()-t)/n*1e6)
    print(sizes, "batch", batch, "1 thread: step median %.0f us (rounds %s)" % (statistics.median(rounds), [round(v) for v in rounds]))
