#!/usr/bin/env python3
"""Charts and tables from JMH JSON results and compare.sh summaries (Python 3 standard library only).

Usage:
    python3 benchmarks/plot.py [--out docs/img] [--tables FILE] RESULT...

Each RESULT is a JMH JSON file (run with `-rf json`, e.g. by benchmarks/run-jmh.sh), a compare.sh
results directory, or its summary.csv. Writes one SVG per benchmark family and JDK under --out
(checksum-jdk17.svg, zstd-jdk17.svg, aead-jdk17.svg, pipeline-jdk17.svg, compare-<dataset>.svg) and
prints Markdown tables (MB/s) to stdout, or to --tables FILE.

JMH reports ops/s with one buffer of `size` bytes per operation; MB/s = ops/s x size / 10^6.
"""
import argparse
import csv
import json
import math
import os
import sys
from collections import OrderedDict
from xml.sax.saxutils import escape

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac"]


def nice_ticks(lo, hi, log):
    if log:
        return [10 ** e for e in range(int(math.floor(math.log10(lo))), int(math.ceil(math.log10(hi))) + 1)]
    step = 10 ** math.floor(math.log10(hi / 5)) if hi > 0 else 1
    for m in (1, 2, 2.5, 5, 10):
        if hi / (step * m) <= 6:
            step *= m
            break
    return [i * step for i in range(int(hi / step) + 2)]


def fmt(v):
    if v >= 1000:
        return f"{v / 1000:g}k" if v < 1e6 else f"{v / 1e6:g}M"
    return f"{v:g}"


NOTE = ""


def bar_chart(title, subtitle, groups, series, values, ylabel, log=False):
    """Grouped vertical bars: values[(group, series)] -> number (missing keys are gaps)."""
    width_per_group = max(60, 18 * len(series) + 20)
    left, right, top, bottom = 80, 50 + 7 * max((len(x) for x in series), default=10), 60, 90
    plot_w = max(width_per_group * len(groups), 620)
    width_per_group = plot_w / len(groups)
    plot_h = 320
    w, h = left + plot_w + right, top + plot_h + bottom
    present = [v for v in values.values() if v is not None and v > 0]
    if not present:
        return None
    vmax, vmin = max(present), min(present)
    ticks = nice_ticks(vmin, vmax, log)
    if log:
        lo, hi = math.log10(ticks[0]), math.log10(ticks[-1])
        y = lambda v: top + plot_h - (math.log10(max(v, ticks[0])) - lo) / (hi - lo) * plot_h
    else:
        hi = ticks[-1]
        y = lambda v: top + plot_h - v / hi * plot_h
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<text x="{w / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">{escape(title)}</text>',
           f'<text x="{w / 2}" y="40" text-anchor="middle" font-size="11" fill="#555">{escape(subtitle)}</text>']
    if NOTE:
        out.append(f'<text x="{w / 2}" y="{h - 8}" text-anchor="middle" font-size="11" fill="#a00">{escape(NOTE)}</text>')
    for t in ticks:
        ty = y(t)
        out.append(f'<line x1="{left}" y1="{ty:.1f}" x2="{left + plot_w}" y2="{ty:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end">{fmt(t)}</text>')
    out.append(f'<text transform="translate(18,{top + plot_h / 2}) rotate(-90)" text-anchor="middle">'
               f'{escape(ylabel)}{" (log scale)" if log else ""}</text>')
    bar_w = (width_per_group - 20) / max(1, len(series))
    for gi, g in enumerate(groups):
        gx = left + gi * width_per_group + 10
        for si, s in enumerate(series):
            v = values.get((g, s))
            if v is None or v <= 0:
                continue
            bx, by = gx + si * bar_w, y(v)
            out.append(f'<rect x="{bx:.1f}" y="{by:.1f}" width="{bar_w - 2:.1f}" height="{top + plot_h - by:.1f}" '
                       f'fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(g)} / {escape(s)}: {v:.4g}</title></rect>')
        out.append(f'<text transform="translate({gx + (width_per_group - 20) / 2:.1f},{top + plot_h + 14}) '
                   f'rotate(20)" text-anchor="start">{escape(g)}</text>')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#333"/>')
    for si, s in enumerate(series):
        ly = top + 10 + si * 18
        out.append(f'<rect x="{left + plot_w + 15}" y="{ly - 10}" width="12" height="12" '
                   f'fill="{PALETTE[si % len(PALETTE)]}"/>')
        out.append(f'<text x="{left + plot_w + 32}" y="{ly}">{escape(s)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def size_label(n):
    n = int(n)
    return f"{n // (1 << 20)} MiB" if n >= 1 << 20 else f"{n // 1024} KiB"


def load_jmh(path):
    text = open(path).read()
    if not text.strip():
        print(f"skipping {path}: empty (a run still in progress?)", file=sys.stderr)
        return []
    entries = json.loads(text)
    stem = os.path.basename(path)
    variant = "warm" if "-warm" in stem else "target" if "-target" in stem else ""
    rows = []
    for e in entries:
        params = e.get("params", {})
        score = e["primaryMetric"]["score"]
        err = e["primaryMetric"].get("scoreError", float("nan"))
        size = int(params.get("size", 0))
        rows.append({
            "bench": e["benchmark"].rsplit(".", 2)[-2], "method": e["benchmark"].rsplit(".", 1)[-1],
            "params": params, "threads": e.get("threads", 1), "ops": score,
            "mbs": (score * size / 1e6 if size else float("nan")) if e.get("mode") != "ss"
            else int(params.get("treeMegabytes", 0)) * 1.048576 / (score / 1000),
            "err": err * size / 1e6 if size and isinstance(err, (int, float)) else float("nan"),
            "variant": variant, "jdk": e.get("jdkVersion", "?"), "vm": e.get("vmName", "") + " " + e.get("vmVersion", ""),
            "cmd": " ".join(e.get("jvmArgs", [])), "mode": e.get("mode"),
            "settings": f'-f {e.get("forks")} -wi {e.get("warmupIterations")} -i {e.get("measurementIterations")} '
                        f'-w {e.get("warmupTime")} -r {e.get("measurementTime")}',
        })
    return rows


def jdk_major(v):
    return v.split(".")[0] if v else "?"


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def mbs(v, err=None):
    if v != v:
        return "n/a"
    s = f"{v:,.0f}" if v >= 100 else f"{v:.1f}"
    if err is None or err != err:
        return s
    return s + (f" ± {err:,.0f}" if err >= 100 else f" ± {err:.1f}")


def jmh_outputs(rows, out_dir, write):
    tables = []
    by_jdk = OrderedDict()
    for r in rows:
        by_jdk.setdefault((jdk_major(r["jdk"]), r["variant"]), []).append(r)
    for (jdk_num, variant), rs in by_jdk.items():
        vm = rs[0]["vm"]
        jdk = jdk_num + (f"-{variant}" if variant else "")
        def family(fam):
            st = "; ".join(OrderedDict.fromkeys(r["settings"] for r in fam))
            return st, f"JDK {rs[0]['jdk']} ({vm.strip()}), JMH {st}; MB/s = ops/s x bytes/op / 1e6"
        # checksums
        ck = [r for r in rs if r["bench"] == "ChecksumBenchmark"]
        if ck:
            settings, sub = family(ck)
            kinds = list(OrderedDict.fromkeys(r["params"]["kind"] for r in ck))
            series = list(OrderedDict.fromkeys(f'{size_label(r["params"]["size"])} {r["params"]["buffer"].lower()}'
                                               for r in sorted(ck, key=lambda r: (int(r["params"]["size"]), r["params"]["buffer"]))))
            vals = {(r["params"]["kind"], f'{size_label(r["params"]["size"])} {r["params"]["buffer"].lower()}'): r["mbs"] for r in ck}
            errs = {(r["params"]["kind"], f'{size_label(r["params"]["size"])} {r["params"]["buffer"].lower()}'): r["err"] for r in ck}
            write(f"checksum-jdk{jdk}.svg", bar_chart(f"Checksums, JDK {jdk}", sub, kinds, series, vals, "MB/s", log=True))
            tables.append(f"### Checksums, JDK {jdk} (MB/s, `{settings}`)\n\n" + md_table(
                ["kind"] + series, [[k] + [mbs(vals.get((k, s), float("nan")), errs.get((k, s))) for s in series] for k in kinds]))
            raw = {s: vals.get(("CRC32C", s)) for s in series}
            for kind in ("PROVIDER_PATH", "PROVIDER_PATH_CRC32C_ONLY"):
                prov = {s: vals.get((kind, s)) for s in series}
                ratio_text = ", ".join(f"{s}: {prov[s] / raw[s]:.2f}" for s in series if raw.get(s) and prov.get(s))
                if ratio_text:
                    tables.append(f"{kind} / CRC32C (target >= 0.95 at 1 MiB): " + ratio_text)
        # zstd
        zs = [r for r in rs if r["bench"] == "CodecBenchmark"]
        if zs:
            settings, sub = family(zs)
            groups = list(OrderedDict.fromkeys(f'{r["params"]["data"]} L{r["params"]["level"]}' for r in
                                               sorted(zs, key=lambda r: (r["params"]["data"], int(r["params"]["level"])))))
            series = list(OrderedDict.fromkeys(f'{r["method"]} {r["params"]["api"].lower()}' for r in
                                               sorted(zs, key=lambda r: (r["method"], r["params"]["api"]))))
            vals = {(f'{r["params"]["data"]} L{r["params"]["level"]}', f'{r["method"]} {r["params"]["api"].lower()}'): r["mbs"] for r in zs}
            write(f"zstd-jdk{jdk}.svg", bar_chart(f"zstd-jni, 1 MiB blocks, JDK {jdk}", sub, groups, series, vals,
                                                   "MB/s of uncompressed data", log=True))
            tables.append(f"### zstd-jni on 1 MiB blocks, JDK {jdk} (MB/s of uncompressed bytes, `{settings}`)\n\n" + md_table(
                ["data, level"] + series, [[g] + [mbs(vals.get((g, s), float("nan"))) for s in series] for g in groups]))
        # aead
        ae = [r for r in rs if r["bench"] == "AeadBenchmark"]
        if ae:
            settings, sub = family(ae)
            groups = list(OrderedDict.fromkeys(r["params"]["kind"] for r in ae))
            series = list(OrderedDict.fromkeys(f'{r["method"]} {size_label(r["params"]["size"])}' for r in
                                               sorted(ae, key=lambda r: (r["method"] == "open", int(r["params"]["size"])))))
            vals = {(r["params"]["kind"], f'{r["method"]} {size_label(r["params"]["size"])}'): r["mbs"] for r in ae}
            write(f"aead-jdk{jdk}.svg", bar_chart(f"AEAD, one doFinal per chunk, JDK {jdk}", sub, groups, series, vals,
                                                   "MB/s", log=True))
            tables.append(f"### AEAD, JDK {jdk} (MB/s, `{settings}`)\n\n" + md_table(
                ["cipher"] + series, [[g] + [mbs(vals.get((g, s), float("nan"))) for s in series] for g in groups]))
        # pipeline vs single-threaded zstd-3
        pl = [r for r in rs if r["bench"] == "PipelineBenchmark"]
        if pl:
            settings, sub = family(pl)
            groups = list(OrderedDict.fromkeys(r["params"]["data"] for r in pl))
            vals, series = {}, []
            for r in pl:
                if r["method"] == "compressOnly":
                    s = "zstd-3 compress (1 thread)" if r["threads"] == 1 else f'zstd-3 compress ({r["threads"]} threads)'
                    vals[(r["params"]["data"], s)] = r["mbs"]
                    series.append(s)
                    continue
                s = f'pipeline {r["method"]} ({r["threads"]} thread{"s" if r["threads"] > 1 else ""})'
                vals[(r["params"]["data"], s)] = r["mbs"]
                series.append(s)
            for r in (r for r in rows if r["bench"] == "CodecBenchmark" and jdk_major(r["jdk"]) == jdk_num):
                if r["params"]["level"] == "3" and r["params"]["api"] == "BYTE_ARRAY" and r["method"] == "compress" \
                        and not any(x["method"] == "compressOnly" for x in pl):
                    vals[(r["params"]["data"], "zstd-3 compress (1 thread)")] = r["mbs"]
                    series.append("zstd-3 compress (1 thread)")
            series = sorted(OrderedDict.fromkeys(series))
            write(f"pipeline-jdk{jdk}.svg", bar_chart(f"Block pipeline (SHA-256 + zstd-3 + AES-GCM/64 KiB), JDK {jdk}",
                                                       sub, groups, series, vals, "MB/s of plaintext", log=True))
            rows_t = [[g] + [mbs(vals.get((g, s), float("nan"))) for s in series] for g in groups]
            tables.append(f"### Block pipeline, 1 MiB blocks, JDK {jdk} (MB/s of plaintext, `{settings}`)\n\n" +
                          md_table(["data"] + series, rows_t))
            t2 = "pipeline seal (2 threads)"
            ratios = [f"{g}: {vals[(g, t2)] / vals[(g, 'zstd-3 compress (1 thread)')]:.2f}x" for g in groups
                      if (g, t2) in vals and (g, "zstd-3 compress (1 thread)") in vals]
            if ratios:
                same_suite = any(r["method"] == "compressOnly" for r in pl)
                tables.append("Pipeline seal on 2 threads / zstd-3 on 1 thread (target >= 1.6x): " + ", ".join(ratios)
                              + ("" if same_suite else " (baseline from CodecBenchmark, a different suite run minutes "
                                 "earlier: not comparable while the machine's load changes)"))
        pv = [r for r in rs if r["bench"] == "ProviderBenchmark"]
        if pv:
            settings, sub = family(pv)
            methods = [m for m in ["backup", "incremental", "verify", "restore"] if any(r["method"] == m for r in pv)]
            series = list(OrderedDict.fromkeys(f'{r["params"]["provider"].lower()} {r["params"]["fs"].lower()}' for r in pv))
            ms = {(r["method"], f'{r["params"]["provider"].lower()} {r["params"]["fs"].lower()}'): r["ops"] for r in pv}
            mb = {(r["method"], f'{r["params"]["provider"].lower()} {r["params"]["fs"].lower()}'): r["mbs"] for r in pv}
            tree = pv[0]["params"].get("treeMegabytes", "?")
            write(f"provider-jdk{jdk}.svg", bar_chart(f"Providers end to end, {tree} MiB database-like tree, JDK {jdk}",
                                                       sub.replace("; MB/s = ops/s x bytes/op / 1e6", ""),
                                                       methods, series, ms, "ms per operation (lower is better)"))
            tables.append(f"### Providers end to end, {tree} MiB tree, JDK {jdk} (SingleShotTime, `{settings}`; "
                          f"ms, and MB/s of the tree)\n\n" + md_table(
                ["operation"] + series,
                [[m] + [f'{ms[(m, s)]:,.0f} ms ({mb[(m, s)]:,.0f} MB/s)' if (m, s) in ms else "n/a" for s in series]
                 for m in methods]))
    return tables


def compare_outputs(path, out_dir, write):
    summary = os.path.join(path, "summary.csv") if os.path.isdir(path) else path
    if not os.path.exists(summary):
        print(f"skipping {path}: no summary.csv (a run still in progress?)", file=sys.stderr)
        return []
    base = os.path.dirname(summary)
    env = {}
    env_file = os.path.join(base, "env.txt")
    if os.path.exists(env_file):
        for line in open(env_file):
            if ": " in line:
                k, v = line.rstrip("\n").split(": ", 1)
                env[k] = v
    rows = list(csv.DictReader(open(summary)))
    steps = [s for s in ["backup", "backup2", "verify", "restore"] if any(r["step"] == s for r in rows)]
    tools = list(OrderedDict.fromkeys(r["tool"] for r in rows if r["step"] in steps))
    vals = {(r["step"], r["tool"]): float(r["median_seconds"]) for r in rows
            if r["step"] in steps and r["median_seconds"] != "NaN"}
    name = os.path.basename(os.path.normpath(base))
    name = name[len("compare-"):] if name.startswith("compare-") else name
    name = name.rsplit("-", 1)[0] if name[-1:] == "Z" and "T" in name.rsplit("-", 1)[-1] else name
    dataset = env.get("dataset", name)
    sub = (f"{dataset}; {env.get('cpu', '')}; {env.get('java', '')}; cache {env.get('cache', '?')}; "
           f"median of {env.get('reps', '?')}")
    write(f"compare-{name}.svg", bar_chart(f"Coffer CLI vs peers: {name}", sub, steps, tools, vals,
                                           "median wall time, seconds (lower is better)"))
    table = md_table(["tool", "step", "median s", "MB/s", "output MB"],
                     [[r["tool"], r["step"], r["median_seconds"], r["mb_per_s"],
                       f'{int(r["output_bytes"]) / 1e6:.1f}'] for r in rows])
    return [f"### Peers: {dataset}; {env.get('java', '')}\n\n{sub}\n\n{table}"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="docs/img", help="directory for the SVG files (default docs/img)")
    ap.add_argument("--tables", help="write the Markdown tables to this file instead of stdout")
    ap.add_argument("--note", default="", help="a caveat printed under every chart (e.g. 'loaded machine')")
    ap.add_argument("results", nargs="+")
    args = ap.parse_args()
    global NOTE
    NOTE = args.note
    os.makedirs(args.out, exist_ok=True)

    def write(name, svg):
        if svg:
            with open(os.path.join(args.out, name), "w") as f:
                f.write(svg)
            print(f"wrote {os.path.join(args.out, name)}", file=sys.stderr)

    jmh_rows, tables = [], []
    for r in args.results:
        if r.endswith(".json"):
            jmh_rows += load_jmh(r)
        elif os.path.isdir(r) or r.endswith(".csv"):
            tables += compare_outputs(r, args.out, write)
        else:
            sys.exit(f"not a JMH .json, compare.sh directory or summary.csv: {r}")
    tables = jmh_outputs(jmh_rows, args.out, write) + tables
    text = "\n\n".join(tables) + "\n"
    if args.tables:
        open(args.tables, "w").write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
