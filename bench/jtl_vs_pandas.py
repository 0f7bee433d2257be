"""Benchmark: the JMeter JTL CSV collector on a ~1 GB JTL, next to what a user would write with pandas.

Run with `.venv/bin/python bench/jtl_vs_pandas.py` (options: --rows N, --labels N, --no-k6, --regenerate).
It writes into bench/out/ (git-ignored, reused across runs):

- a JTL CSV of `--rows` samples (default 10 million, ~1 GB) over `--labels` labels, JMeter 5.x columns
  with header, 2 % failures whose message is quoted (it holds the delimiter), log-normal latencies;
- if the k6 collector exists (evaluator/collectors/load/k6_json.py), a k6 `--out json` NDJSON stream of
  the same size in bytes (http_req_duration + http_req_failed points with name/method/status tags).

Each tool runs in its own child process, started by a small intermediate process that samples the RSS of
the child's whole process tree every 20 ms and reads the child's ru_maxrss on exit (ru_maxrss survives
fork/exec, so measuring from this large parent would report the parent's size). The pandas rows are
`pd.read_csv(path)` + `groupby('label')['elapsed'].quantile([.5, .9, .95, .99])` + counts and error rate, run
twice: as `pip install pandas` gives it (no pyarrow: the C parser and Python string objects), and with pyarrow
installed (pandas 3 then keeps strings in Arrow arrays, which is much faster); for the k6 stream,
`pd.read_json(lines=True, chunksize=…)` + `json_normalize` + the same groupby. `make bench` installs the pinned
pandas and pyarrow of requirements-bench.lock; without pandas the rows are skipped with a message.
`--own-reader` also times the collectors' own streaming readers (READINESS_NO_DUCKDB=1).

Finally the collector's p50/p95/p99 per label are checked against pandas' exact quantiles: the
collector's nearest-rank value must lie between pandas' `interpolation="lower"` and `"higher"` quantiles
(exact percentiles), or within 0.1 % of that range (histogram percentiles).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
import tempfile
from pathlib import Path

from measure import run_measured

OUT = Path(__file__).parent / "out"
PERCENTILES = (50, 95, 99)

OURS = r"""
import json, sys, time
from pathlib import Path
from evaluator.collectors.load.jmeter_jtl_csv import JMeterJtlCsvCollector
start = time.perf_counter()
data = JMeterJtlCsvCollector().collect(Path(sys.argv[1])).data
seconds = time.perf_counter() - start
labels = {e.name: {"requests": e.requests, "failures": e.failures, "p50": e.latency_us.p50, "p95": e.latency_us.p95,
                   "p99": e.latency_us.p99} for e in data.endpoints}
json.dump({"seconds": seconds, "percentiles": data.percentiles, "labels": labels}, open(sys.argv[2], "w"))
"""

K6 = r"""
import json, sys, time
from pathlib import Path
from evaluator.collectors.load.k6_json import K6JsonCollector
start = time.perf_counter()
data = K6JsonCollector().collect(Path(sys.argv[1])).data
json.dump({"seconds": time.perf_counter() - start, "requests": data.totals.requests}, open(sys.argv[2], "w"))
"""

PANDAS = r"""
import json, sys, time
if sys.argv[1] == "without-pyarrow":  # what `pip install pandas` alone gives: pyarrow is optional
    sys.modules["pyarrow"] = None
del sys.argv[1]
import pandas as pd
start = time.perf_counter()
df = pd.read_csv(sys.argv[1])
by_label = df.groupby("label")
quantiles = by_label["elapsed"].quantile([0.5, 0.9, 0.95, 0.99])
counts = by_label.size()
failures = (~df["success"]).groupby(df["label"]).sum()
error_rate = failures / counts
seconds = time.perf_counter() - start
# Outside the timing: the exact order statistics around each percentile, for the agreement check.
low = by_label["elapsed"].quantile([0.5, 0.95, 0.99], interpolation="lower")
high = by_label["elapsed"].quantile([0.5, 0.95, 0.99], interpolation="higher")
labels = {}
for label in counts.index:
    labels[label] = {"requests": int(counts[label]), "failures": int(failures[label]),
                     **{f"p{int(q * 100)}": [int(low[(label, q)]), int(high[(label, q)])] for q in (0.5, 0.95, 0.99)}}
json.dump({"seconds": seconds, "version": pd.__version__, "labels": labels}, open(sys.argv[2], "w"))
"""

PANDAS_K6 = r"""
import json, sys, time
import pandas as pd
start = time.perf_counter()
frames = []
for chunk in pd.read_json(sys.argv[1], lines=True, chunksize=250_000):
    points = chunk[chunk["type"] == "Point"]
    data = pd.json_normalize(points["data"].tolist())
    data["metric"] = points["metric"].to_numpy()
    frames.append(data[["metric", "value", "tags.name", "tags.method"]])
df = pd.concat(frames, ignore_index=True)
durations = df[df["metric"] == "http_req_duration"]
quantiles = durations.groupby(["tags.name", "tags.method"])["value"].quantile([0.5, 0.9, 0.95, 0.99])
failures = df[df["metric"] == "http_req_failed"].groupby(["tags.name", "tags.method"])["value"].sum()
json.dump({"seconds": time.perf_counter() - start, "requests": len(durations)}, open(sys.argv[2], "w"))
"""


def generate_jtl(path: Path, rows: int, labels: int, seed: int = 7) -> None:
    """A JMeter 5.x JTL CSV with header: `rows` samples over `labels` labels, 2 % failures with quoted messages."""
    rnd = random.Random(seed)
    names = [f"GET /api/items{i:02d}" if i % 3 else f"POST /api/orders{i:02d}" for i in range(labels)]
    scale = [rnd.uniform(20, 400) for _ in range(labels)]
    stamp = 1764230400000
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="") as out:
        out.write(
            "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,"
            "bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"
        )
        batch = []
        for n in range(rows):
            k = rnd.randrange(labels)
            elapsed = int(rnd.lognormvariate(0, 0.6) * scale[k])
            stamp += rnd.randrange(3)
            threads = 200 if n > 1000 else n // 5 + 1
            url = f"http://shop.test/api/{k}"
            if rnd.random() < 0.02:
                batch.append(
                    f"{stamp},{elapsed},{names[k]},503,Service Unavailable,Users 1-{n % 200 + 1},text,false,"
                    f'"Response code was 503, expected 200",512,300,{threads},{threads},{url},{elapsed},0,3\n'
                )
            else:
                batch.append(
                    f"{stamp},{elapsed},{names[k]},200,OK,Users 1-{n % 200 + 1},text,true,,{900 + elapsed},300,"
                    f"{threads},{threads},{url},{max(elapsed - 3, 0)},0,3\n"
                )
            if len(batch) == 100_000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
    tmp.replace(path)


def generate_k6(path: Path, size: int, labels: int, seed: int = 11) -> None:
    """A k6 --out json stream of about `size` bytes: http_req_duration and http_req_failed points per request."""
    rnd = random.Random(seed)
    scale = [rnd.uniform(20, 400) for _ in range(labels)]
    tmp = path.with_suffix(".tmp")
    written = 0
    second = 0
    with open(tmp, "w") as out:
        for metric, kind in (("http_req_duration", "trend"), ("http_req_failed", "rate")):
            out.write(
                json.dumps({"type": "Metric", "data": {"name": metric, "type": kind, "contains": "time",
                            "thresholds": [], "submetrics": None}, "metric": metric}) + "\n"
            )  # fmt: skip
        while written < size:
            batch = []
            for _ in range(20_000):
                k = rnd.randrange(labels)
                second += 1
                stamp = f"2026-11-27T10:{second // 60000 % 60:02d}:{second // 1000 % 60:02d}.{second % 1000:03d}000Z"
                failed = rnd.random() < 0.02
                status = "503" if failed else "200"
                method = "GET" if k % 3 else "POST"
                tags = (
                    f'{{"expected_response":"{str(not failed).lower()}","group":"","method":"{method}",'
                    f'"name":"http://shop.test/api/{k}","proto":"HTTP/1.1","scenario":"default",'
                    f'"status":"{status}","url":"http://shop.test/api/{k}"}}'
                )
                value = round(rnd.lognormvariate(0, 0.6) * scale[k], 3)
                batch.append(
                    f'{{"metric":"http_req_duration","type":"Point","data":{{"time":"{stamp}","value":{value},'
                    f'"tags":{tags}}}}}\n{{"metric":"http_req_failed","type":"Point","data":{{"time":"{stamp}",'
                    f'"value":{int(failed)},"tags":{tags}}}}}\n'
                )
            chunk = "".join(batch)
            out.write(chunk)
            written += len(chunk)
    tmp.replace(path)


NO_DUCKDB = {"READINESS_NO_DUCKDB": "1"}


def measured(script: str, *args: str, env: dict[str, str] | None = None) -> dict:
    """Run a Python `script` in a measured child process; the measurement plus the JSON the script wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        measure = run_measured([sys.executable, "-c", script, *args, str(result)], env)
        if measure["status"] != 0:
            raise SystemExit(f"benchmark child failed with status {measure['status']}")
        return {**measure, **json.loads(result.read_text())}


def agreement(ours: dict, pandas: dict) -> list[str]:
    """Differences between our per-label counts and percentiles and pandas' exact ones, beyond the documented error."""
    problems = []
    if sorted(ours["labels"]) != sorted(pandas["labels"]):
        return ["the labels differ"]
    slack = 0.001 if ours["percentiles"] == "histogram" else 0.0
    for label, mine in ours["labels"].items():
        theirs = pandas["labels"][label]
        for field in ("requests", "failures"):
            if mine[field] != theirs[field]:
                problems.append(f"{label}: {field} {mine[field]} != {theirs[field]}")
        for p in PERCENTILES:
            low, high = theirs[f"p{p}"]
            value_ms = mine[f"p{p}"] / 1000
            if not low * (1 - slack) <= value_ms <= high * (1 + slack):
                problems.append(f"{label}: p{p} {value_ms} ms outside pandas' [{low}, {high}]")
    return problems


def main() -> None:
    """Generate (once) the inputs, time every tool, print the table and check agreement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="samples in the JTL (default 10M, ~1 GB)")
    parser.add_argument("--labels", type=int, default=50)
    parser.add_argument("--no-k6", action="store_true", help="skip the k6 NDJSON stream")
    parser.add_argument("--regenerate", action="store_true", help="rewrite the inputs even if present")
    parser.add_argument(
        "--own-reader", action="store_true", help="also time the collectors' own streaming readers (no DuckDB)"
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    jtl = OUT / f"jtl-{args.rows}x{args.labels}.jtl"
    if args.regenerate or not jtl.exists():
        print(f"generating {jtl} …", flush=True)
        generate_jtl(jtl, args.rows, args.labels)
    size_mb = jtl.stat().st_size / 1e6
    print(f"JTL CSV: {jtl.name}, {size_mb:,.0f} MB, {args.rows:,} samples, {args.labels} labels")

    rows = []
    ours = measured(OURS, str(jtl))
    rows.append(("readiness jmeter-jtl-csv", ours, size_mb, "jtl"))
    if args.own_reader:
        rows.append(("  its own reader (no DuckDB)", measured(OURS, str(jtl), env=NO_DUCKDB), size_mb, "jtl"))
    pandas: dict[str, dict] = {}
    if importlib.util.find_spec("pandas") is None:
        print("pandas is not installed in this interpreter: skipping the pandas rows (make bench installs it)")
    else:
        for variant in ("without-pyarrow", "with-pyarrow"):
            if variant == "with-pyarrow" and importlib.util.find_spec("pyarrow") is None:
                continue
            result = measured(PANDAS, variant, str(jtl))
            pandas.setdefault("jtl", result)
            rows.append((f"pandas {result['version']} {variant}", result, size_mb, "jtl"))
    k6_module = Path(__file__).parent.parent / "evaluator" / "collectors" / "load" / "k6_json.py"
    if not args.no_k6 and k6_module.exists():
        ndjson = OUT / f"k6-{jtl.stat().st_size // 1_000_000}MB.ndjson"
        if args.regenerate or not ndjson.exists():
            print(f"generating {ndjson} …", flush=True)
            generate_k6(ndjson, jtl.stat().st_size, args.labels)
        k6_mb = ndjson.stat().st_size / 1e6
        rows.append(("readiness k6-json (NDJSON)", measured(K6, str(ndjson)), k6_mb, "k6"))
        if args.own_reader:
            rows.append(("  its own reader (no DuckDB)", measured(K6, str(ndjson), env=NO_DUCKDB), k6_mb, "k6"))
        if importlib.util.find_spec("pandas") is not None:
            pandas["k6"] = measured(PANDAS_K6, str(ndjson))
            rows.append(("pandas read_json(lines, chunks)", pandas["k6"], k6_mb, "k6"))
    elif not args.no_k6:
        print("evaluator/collectors/load/k6_json.py does not exist yet: skipping the k6 row")

    print()
    # wall: the whole child process (interpreter start, imports, parse); cpu: its user + system time, the
    # fairer number on a shared machine; parse: the timed section inside the child.
    print(f"{'tool':34} {'wall s':>7} {'cpu s':>7} {'parse s':>8} {'MB/s':>7} {'peak MiB':>9} {'speed vs pandas':>22}")
    print("(ratios are against the first pandas row of the same input: pandas as `pip install pandas` gives it)")
    for name, result, mb, group in rows:
        ratio = "n/a"
        if group in pandas:
            base = pandas[group]
            ratio = f"{base['wall'] / result['wall']:.2f}x wall {base['cpu'] / result['cpu']:.2f}x cpu"
        print(
            f"{name:34} {result['wall']:7.2f} {result['cpu']:7.2f} {result['seconds']:8.2f} "
            f"{mb / result['wall']:7.1f} {result['peak_mib']:9.0f} {ratio:>22}"
        )
    if "jtl" in pandas:
        print(f"\nmemory: pandas peaks at {pandas['jtl']['peak_mib'] / ours['peak_mib']:.1f}x the JTL collector's")
        problems = agreement(ours, pandas["jtl"])
        if problems:
            print("DISAGREEMENT with pandas:\n  " + "\n  ".join(problems[:20]))
            raise SystemExit(1)
        print(f"agreement: counts, failures and p50/p95/p99 of all {len(ours['labels'])} labels match pandas' exact")
        print(f"quantiles (percentiles: {ours['percentiles']!r}, nearest rank within pandas' lower..higher)")
    load = os.getloadavg()[0]
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load:.1f}, Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
