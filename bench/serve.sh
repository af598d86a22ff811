#!/usr/bin/env bash
# Load test of `nabla serve` against the notes' stack (Starlette + uvicorn + PyTorch CPU, one worker,
# bench/peer_serve.py) serving the same 784-256-128-10 ReLU Fashion-MNIST model, in one session:
# `hey` posts one raw 784-float row per request to POST /predictions/{name}, -n N -c 64 for
# throughput and -n N/10 -c 1 for latency, the two servers alternating round by round. Reports
# requests/s, p50/p99 latency, non-200 answers and each server's RSS (VmHWM: the peak) as a
# markdown table of the medians over the rounds (table.md), beside every raw hey output, the
# machine (lscpu, nproc) and its load average before and after. With --readme it also replaces
# README.md's serving table (between its serve-bench markers).
#
#   bench/serve.sh [--checkpoint FILE] [--n 20000] [--rounds 3] [--warmup 20000] [--out DIR] [--readme]
#
# Without --checkpoint it trains one (2 epochs, into out/serve-bench/). Needs hey, dataset-fashion-mnist,
# python3-torch, python3-starlette, python3-uvicorn (Debian). Run nothing else meanwhile.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
checkpoint="" n=20000 rounds=3 out="" warmup=20000 readme=""
while [ $# -gt 0 ]; do
  case "$1" in
    --checkpoint) checkpoint="$2"; shift 2 ;;
    --n) n="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --readme) readme=1; shift ;;
    *) echo "bench/serve.sh: unknown argument '$1' (see the header of this script)" >&2; exit 2 ;;
  esac
done
for tool in hey curl /usr/bin/python3; do command -v "$tool" >/dev/null || { echo "bench/serve.sh: needs $tool (apt-get install hey curl python3-torch python3-starlette python3-uvicorn)" >&2; exit 1; }; done
width="$(grep -q avx512f /proc/cpuinfo && echo avx512 || echo avx2)"
out="${out:-bench/results/$width-$(date +%F)/serve}"
mkdir -p "$out"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
if [ -z "$checkpoint" ]; then
  checkpoint="out/serve-bench/model.safetensors" # out/ is not committed
  [ -f "$checkpoint" ] || ./nabla train --data fashion-mnist --model 784-256-128-10 --activation relu --batch 128 --epochs 2 \
      --checkpoint "$checkpoint" --out out/serve-bench > "$out/train.txt"
fi
./nabla info > "$out/info.txt"
java -version 2> "$out/java-version.txt"
{ lscpu; echo "nproc: $(nproc)"; } > "$out/machine.txt"
uptime > "$out/load-before.txt"
# one raw test image as {"inputs": [[784 floats in [0, 1]]]}
/usr/bin/python3 - "$out/body.json" <<'PY'
import gzip, json, os, sys
d = os.environ.get("NABLA_DATA", "/usr/share/datasets") + "/fashion-mnist/"
f = next(d + n for n in ("t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte") if os.path.exists(d + n))
raw = (gzip.open if f.endswith(".gz") else open)(f, "rb").read()[16:16 + 784]
json.dump({"inputs": [[round(b / 255, 6) for b in raw]]}, open(sys.argv[1], "w"))
PY

nabla_port=18481 peer_port=18482
# a bounded heap, as one would deploy it (ParallelGC otherwise sizes the heap from the machine's memory)
NABLA_JAVA_OPTS="${NABLA_JAVA_OPTS:--Xmx256m}" ./nabla serve --checkpoint "fashion=$checkpoint" --port $nabla_port > "$out/nabla-serve.txt" 2>&1 &
echo "NABLA_JAVA_OPTS=${NABLA_JAVA_OPTS:--Xmx256m}" > "$out/nabla-java-opts.txt"
nabla_pid=$!
/usr/bin/python3 bench/peer_serve.py "$checkpoint" $peer_port 1 > "$out/peer-serve.txt" 2>&1 &
peer_pid=$!
trap 'kill $nabla_pid $peer_pid 2>/dev/null || true' EXIT
for port in $nabla_port $peer_port; do
  for _ in $(seq 1 120); do
    curl -sf -o /dev/null -X POST --data-binary @"$out/body.json" "http://127.0.0.1:$port/predictions/fashion" && break
    sleep 0.5
  done
  curl -sf -o /dev/null -X POST --data-binary @"$out/body.json" "http://127.0.0.1:$port/predictions/fashion" \
    || { echo "bench/serve.sh: the server on port $port did not answer; see $out/*-serve.txt" >&2; exit 1; }
done
java_pid="$(pgrep -P $nabla_pid java || echo $nabla_pid)"
url() { echo "http://127.0.0.1:$1/predictions/fashion"; }
load() { hey -n "$2" -c "$3" -m POST -T application/json -D "$out/body.json" "$(url "$1")"; }
# warm-up, not reported: the same number of requests to each (the JIT compiles nabla's path; uvicorn's first requests)
load $nabla_port "$warmup" 64 > "$out/warmup-nabla.txt"
load $peer_port "$warmup" 64 > "$out/warmup-peer.txt"
for r in $(seq 1 "$rounds"); do
  for s in nabla peer; do
    port=$nabla_port; [ $s = peer ] && port=$peer_port
    load $port "$n" 64 > "$out/round$r-$s-c64.txt"
    load $port $((n / 10)) 1 > "$out/round$r-$s-c1.txt"
    echo "round $r $s: $(grep 'Requests/sec' "$out/round$r-$s-c64.txt")" >&2
  done
done
grep -E 'VmHWM|VmRSS' /proc/"$java_pid"/status > "$out/rss-nabla.txt"
grep -E 'VmHWM|VmRSS' /proc/"$peer_pid"/status > "$out/rss-peer.txt"
curl -s http://127.0.0.1:$nabla_port/metrics > "$out/nabla-metrics.txt"
uptime > "$out/load-after.txt"
kill -TERM $nabla_pid; wait $nabla_pid; echo "nabla serve exit code after SIGTERM: $?" > "$out/nabla-exit.txt"
/usr/bin/python3 - "$out" "$rounds" "$n" "${readme:+README.md}" <<'PY' | tee "$out/table.md"
import re, statistics, sys
out, rounds, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
readme = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] else None
def parse(path, expected):
    t = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
    pct = {int(p): float(s) * 1000 for p, s in re.findall(r"(\d+)% in ([\d.]+) secs", t)}
    ok = sum(int(k) for c, k in re.findall(r"\[(\d+)\]\s+(\d+) responses", t) if c == "200")
    return rps, pct.get(50), pct.get(99), expected - ok  # non-200 answers and errors (timeouts, resets)
def rss(name):
    kb = dict(re.findall(r"(\w+):\s+(\d+) kB", open(f"{out}/rss-{name}.txt").read()))
    return int(kb["VmHWM"]) / 1024
rows = {}
for s in ("nabla", "peer"):
    c64 = [parse(f"{out}/round{r}-{s}-c64.txt", n // 64 * 64) for r in range(1, rounds + 1)]
    c1 = [parse(f"{out}/round{r}-{s}-c1.txt", n // 10) for r in range(1, rounds + 1)]
    med = lambda xs, i: statistics.median(x[i] for x in xs)
    rows[s] = (med(c64, 0), med(c64, 1), med(c64, 2), med(c1, 1), med(c1, 2), sum(x[3] for x in c64 + c1), rss(s))
print(f"| server (medians of {rounds} rounds) | req/s -c 64 | p50 ms -c 64 | p99 ms -c 64 | p50 ms -c 1 | p99 ms -c 1 | non-200 | peak RSS MiB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
names = {"nabla": "nabla serve", "peer": "Starlette + uvicorn + PyTorch (1 worker, 1 thread)"}
for s, r in rows.items():
    print(f"| {names[s]} | {r[0]:,.0f} | {r[1]:.2f} | {r[2]:.2f} | {r[3]:.2f} | {r[4]:.2f} | {r[5]} | {r[6]:.0f} |")
ratio = rows['nabla'][0] / rows['peer'][0]
print(f"\nthroughput ratio nabla/peer: {ratio:.1f}x")
if readme:
    machine = open(f"{out}/machine.txt").read()
    model = re.search(r"Model name:\s+(.*)", machine).group(1).strip()
    cores = re.search(r"nproc: (\d+)", machine).group(1)
    width = "AVX-512" if "avx512f" in machine else "AVX2"
    java = open(f"{out}/java-version.txt").read().split("\n")[0]
    load = lambda f: re.search(r"load average: ([\d.]+)", open(f"{out}/{f}").read()).group(1)
    block = [f"From `bench/serve.sh --n {n} --rounds {rounds}` ({cores}-core {model}, {width}, {java}, `hey` on the same machine;",
             f"medians of {rounds} alternating rounds; load average {load('load-before.txt')} before, {load('load-after.txt')} after; raw:",
             f"`{out}`):", "",
             "| server | req/s at 64 clients | p50 / p99 ms at 64 | p50 / p99 ms at 1 client | non-200 | peak RSS |",
             "|---|---|---|---|---|---|"]
    names = {"nabla": "nabla serve (defaults, `-Xmx256m`)", "peer": "Starlette + uvicorn + PyTorch (1 worker, 1 thread)"}
    for s, r in rows.items():
        block.append(f"| {names[s]} | {r[0]:,.0f} | {r[1]:.1f} / {r[2]:.1f} | {r[3]:.1f} / {r[4]:.1f} | {r[5]} | {r[6]:.0f} MiB |")
    block += ["", f"Throughput ratio nabla/peer in this run: {ratio:.1f}x."]
    text = open(readme).read()
    begin, end = "<!-- serve-bench:begin -->", "<!-- serve-bench:end -->"
    if begin not in text or end not in text:
        sys.exit(f"bench/serve.sh: {readme} has no {begin} ... {end} section to replace")
    head, rest = text.split(begin, 1)
    open(readme, "w").write(head + begin + "\n" + "\n".join(block) + "\n" + end + rest.split(end, 1)[1])
    print(f"{readme}: serving table replaced", file=sys.stderr)
PY
