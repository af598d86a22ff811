#!/usr/bin/env python3
"""Reads a `./nabla train --tensorboard DIR --metrics FILE` run with TensorBoard's own reader
(EventAccumulator) and compares every per-epoch scalar with the --metrics JSON lines of the same run.

    python3 -m venv --system-site-packages /tmp/tb && /tmp/tb/bin/pip install tensorboard
    ./nabla train --epochs 5 --tensorboard /tmp/run --metrics /tmp/run.jsonl
    /tmp/tb/bin/python bench/tensorboard_check.py /tmp/run /tmp/run.jsonl
    /tmp/tb/bin/python bench/tensorboard_check.py --golden   # the bytes EventFileTest compares with

Exit status 0 when every scalar matches (to float32), 1 otherwise.
"""
import io
import json
import sys

import numpy as np


def golden():
    from tensorboard.compat.proto.event_pb2 import Event
    from tensorboard.compat.proto.summary_pb2 import Summary
    from tensorboard.summary.writer.record_writer import RecordWriter
    buf = io.BytesIO()
    w = RecordWriter(buf)
    w.write(Event(wall_time=1.5, file_version="brain.Event:2").SerializeToString())
    w.write(Event(wall_time=2.25, step=7, summary=Summary(value=[Summary.Value(tag="train_loss", simple_value=0.25)])).SerializeToString())
    w.write(Event(wall_time=3.0, step=300, summary=Summary(value=[Summary.Value(tag="val/accuracy", simple_value=0.8125)])).SerializeToString())
    print(buf.getvalue().hex())


def check(logdir, metrics):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(logdir, size_guidance={"scalars": 0, "histograms": 0, "images": 0})
    acc.Reload()
    tags = acc.Tags()
    print(f"tags: {len(tags['scalars'])} scalars, {len(tags['histograms'])} histograms, {len(tags['images'])} images")
    rows = [json.loads(line) for line in open(metrics) if line.strip()]
    bad = 0
    compared = 0
    # every figure of the metrics schema (and what a command adds, e.g. sentiment's train_accuracy), but the counters
    keys = [k for k in rows[0] if k not in ("epoch", "steps", "seconds") and rows[0][k] is not None]
    for key in keys:
        events = {e.step: e.value for e in acc.Scalars(key)}
        for r in rows:
            want = float(np.float32(r[key]))
            got = events.get(r["epoch"])
            compared += 1
            if got is None or got != want:
                bad += 1
                print(f"MISMATCH {key} epoch {r['epoch']}: metrics {want!r}, tensorboard {got!r}")
    running = acc.Scalars("running_train_loss")
    print(f"compared {compared} scalars with {metrics}: {compared - bad} equal; running_train_loss: {len(running)} points, "
          f"steps {running[0].step}..{running[-1].step}" if running else "no running_train_loss")
    for tag in tags["histograms"][:2]:
        h = acc.Histograms(tag)[-1].histogram_value
        print(f"histogram {tag}: {int(h.num)} values in [{h.min:.4f}, {h.max:.4f}], {len(h.bucket)} buckets")
    for tag in tags["images"]:
        im = acc.Images(tag)[-1]
        print(f"image {tag}: {im.width}x{im.height}, {len(im.encoded_image_string)} bytes of PNG")
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--golden"]:
        golden()
    else:
        sys.exit(check(sys.argv[1], sys.argv[2]))
