#!/usr/bin/env python3
"""Prints the median times of the `read` benchmarks and the ratio
rust-minidump / mdump for each group, as a Markdown table, from the
estimates criterion saved under target/criterion (or the directory given).

    python3 benches/ratios.py [target/criterion]
"""
import json
import pathlib
import sys


def fmt(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
    medians = {}
    for bench in root.glob("*/*/new/benchmark.json"):
        meta = json.loads(bench.read_text())
        estimates = json.loads((bench.parent / "estimates.json").read_text())
        medians.setdefault(meta["group_id"], {})[meta["function_id"]] = estimates["median"]["point_estimate"]
    print("| group | mdump | rust-minidump | rust-minidump / mdump |")
    print("| --- | ---: | ---: | ---: |")
    ratios = []
    for group in sorted(medians, key=lambda g: (not g.split("/")[-1][0].isdigit(), g)):
        pair = medians[group]
        if "mdump" not in pair or "rust-minidump" not in pair:
            continue
        ratio = pair["rust-minidump"] / pair["mdump"]
        ratios.append(ratio)
        print(f"| {group} | {fmt(pair['mdump'])} | {fmt(pair['rust-minidump'])} | {ratio:.2f}× |")
    if ratios:
        product = 1.0
        for r in ratios:
            product *= r
        print(f"\n{len(ratios)} pairs; geometric mean ratio {product ** (1 / len(ratios)):.2f}×, "
              f"min {min(ratios):.2f}×, max {max(ratios):.2f}×")


if __name__ == "__main__":
    main()
