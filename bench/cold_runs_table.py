#!/usr/bin/python3
"""The table of bench/cold-runs.sh from its raw output folder(s).

    bench/cold_runs_table.py DIR...                    # markdown on stdout
    bench/cold_runs_table.py --readme README.md DIR... # also replaces README's cold-runs section

Per config, over all fresh runs in a folder: steady = the median of every epoch >= 2 of every run;
first/steady = each run's first epoch over steady (median and max over runs); worst/steady = the
slowest epoch >= 2 of any run over steady; end-to-end = process start to exit (median). The same
for PyTorch where it ran, and nabla/PyTorch ratios of the steady epoch and of the end-to-end time.
"""
import glob
import json
import os
import re
import statistics
import sys

BEGIN, END = "<!-- cold-runs:begin -->", "<!-- cold-runs:end -->"


def wall(path):
    t0, t1 = open(path).read().split()
    return float(t1) - float(t0)


def nabla_epochs(path):
    return [json.loads(line)["seconds"] for line in open(path) if line.strip()]


def torch_epochs(path):
    return [float(m.group(1)) for m in re.finditer(r"^epoch \d+/\d+: .*, ([0-9.]+) s$", open(path).read(), re.M)]


def summary(runs):
    """runs: list of (epoch seconds, wall). Returns a dict of figures."""
    later = [s for epochs, _ in runs for s in epochs[1:]]
    steady = statistics.median(later)
    firsts = [epochs[0] / steady for epochs, _ in runs]
    return dict(n=len(runs), epochs=len(runs[0][0]), steady=steady, first_med=statistics.median(firsts),
                first_max=max(firsts), worst=max(later) / steady, wall=statistics.median(w for _, w in runs))


def table(folder):
    machine = open(os.path.join(folder, "machine.txt")).read().strip().replace("\n", "; ")
    lines = [f"{machine}; raw output: `{folder}`", "",
             "| config | runs | epochs | steady s/epoch | first/steady (median, max) | worst/steady | end-to-end s "
             "| PyTorch steady s/epoch | PyTorch first/steady | PyTorch end-to-end s | nabla/PyTorch steady | nabla/PyTorch end-to-end |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for c in "ABD":
        metrics = sorted(glob.glob(os.path.join(folder, f"{c}-*.jsonl")), key=lambda p: int(re.search(r"-(\d+)\.jsonl$", p).group(1)))
        if not metrics:
            continue
        n = summary([(nabla_epochs(p), wall(p[:-len(".jsonl")] + ".wall")) for p in metrics])
        row = (f"| {c} | {n['n']} | {n['epochs']} | {n['steady']:.3f} | {n['first_med']:.2f}, {n['first_max']:.2f} "
               f"| {n['worst']:.2f} | {n['wall']:.2f} |")
        torch = [p[:-len(".jsonl")] + ".torch.txt" for p in metrics]
        torch = [p for p in torch if os.path.exists(p)]
        if torch:
            t = summary([(torch_epochs(p), wall(p[:-len(".txt")] + ".wall")) for p in torch])
            row += (f" {t['steady']:.3f} | {t['first_med']:.2f} | {t['wall']:.2f} | {n['steady'] / t['steady']:.2f} "
                    f"| {n['wall'] / t['wall']:.2f} |")
        else:
            row += " | | | | |"
        lines.append(row)
    return "\n".join(lines)


def main(argv):
    readme = None
    if argv[:1] == ["--readme"]:
        readme, argv = argv[1], argv[2:]
    text = "\n\n".join(table(folder.rstrip("/")) for folder in argv)
    print(text)
    if readme:
        doc = open(readme).read()
        if BEGIN not in doc or END not in doc:
            sys.exit(f"{readme} has no {BEGIN} ... {END} section")
        head, rest = doc.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        with open(readme + ".tmp", "w") as f:
            f.write(head + BEGIN + "\n" + text + "\n" + END + tail)
        os.replace(readme + ".tmp", readme)


if __name__ == "__main__":
    main(sys.argv[1:])
