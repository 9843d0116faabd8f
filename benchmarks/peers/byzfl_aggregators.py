#!/usr/bin/python3
"""Times ByzFL's aggregators on one n x d standard normal float32 matrix (f = n // 5).

The same method as our side (`ByzantineSim.Benchmarks -- kernel-times`): one warm-up call, then
calls until 3 s have passed, or until 5 were made and 0.5 s have passed (at most 101 calls; one
only when the warm-up took over 2 s), and the median. A fast kernel thus gets about a hundred
calls, whose median is steadier than five's on a VM whose speed drifts. Every rule runs on a numpy array and on a torch tensor of the same values (ByzFL has a
path for each); both are reported. Prints one JSON object per line:
  {"rule", "n", "d", "path": "numpy"|"torch", "seconds", "calls"}   a measurement
  {"rule", "n", "d", "path", "skipped": reason}                     not run, and why
  {"rule", "n", "d", "path", "failed": message}                     ByzFL raised
SMEA enumerates C(n, n - f) subsets one power-iteration step each; at n = 25 that is 53,130
subsets, minutes to hours per call here, so its time is the time of its first subsets (10, or
100 when 10 take under 2 s; after a warm-up of 5) scaled to all of them, and says so
("extrapolated_from").

Usage: byzfl_aggregators.py BYZFL_CHECKOUT N D RULE[,RULE...]
"""
import itertools
import json
import math
import os
import sys
import time

# Untimed passes over the input before the first rule (kernel-times does the same).
WARM_UP_PASSES = 20

# ByzFL's rules that clip rows of their input in place (`vectors[i] = ...` on the array or
# tensor they are given; the torch tensor shares the numpy array's memory). Timed on the same
# input, every call after the first would find the rows already clipped and only measure norms,
# and every rule timed after them would get clipped rows: each call gets a fresh copy instead.
REWRITES_INPUT = {"clipping", "arc"}


def main():
    checkout, n, d, rules = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].split(",")
    sys.path.insert(0, checkout)
    import numpy as np
    import torch
    import byzfl
    from byzfl.aggregators import aggregators as byzfl_aggregators

    torch.set_num_threads(os.cpu_count())
    f = n // 5
    # The project's rule names -> ByzFL's classes, with ByzFL's options set to our defaults where
    # both have the option (bucket size 2, clipping c = 2, GM nu = 0.1 and 3 iterations, centered
    # clipping tau = 100 and 1 iteration, MoNNA trusting row 0).
    factories = {
        "mean": lambda: byzfl.Average(),
        "median": lambda: byzfl.Median(),
        "trimmed-mean": lambda: byzfl.TrMean(f=f),
        "geometric-median": lambda: byzfl.GeometricMedian(nu=0.1, T=3),
        "krum": lambda: byzfl.Krum(f=f),
        "multi-krum": lambda: byzfl.MultiKrum(f=f),
        "centered-clipping": lambda: byzfl.CenteredClipping(L=1, tau=100.0),
        "mda": lambda: byzfl.MDA(f=f),
        "monna": lambda: byzfl.MoNNA(f=f, idx=0),
        "meamed": lambda: byzfl.Meamed(f=f),
        "caf": lambda: byzfl.CAF(f=f),
        "smea": lambda: byzfl.SMEA(f=f),
        "nnm": lambda: byzfl.NNM(f=f),
        "bucketing": lambda: byzfl.Bucketing(s=2),
        "clipping": lambda: byzfl.Clipping(c=2.0),
        "arc": lambda: byzfl.ARC(f=f),
    }

    values = np.random.default_rng(1).standard_normal((n, d), dtype=np.float32)
    inputs = {"numpy": values, "torch": torch.from_numpy(values)}
    subsets = math.comb(n, n - f)
    available = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")

    # As on our side (kernel-times): untimed passes over the matrix before the first rule, so the
    # first rule timed does not carry the process's start-up (thread pools, first touches).
    for _ in range(WARM_UP_PASSES):
        values.sum(axis=0)
        inputs["torch"].sum(dim=0)

    def copy(x):
        return x.copy() if isinstance(x, np.ndarray) else x.clone()

    def same(x):
        return x

    def emit(rule, path, **fields):
        print(json.dumps({"rule": rule, "n": n, "d": d, "path": path, **fields}), flush=True)

    for rule in rules:
        if rule not in factories:
            emit(rule, "-", skipped="ByzFL has no such rule")
            continue
        for path, x in inputs.items():
            # Infeasible by construction: say why instead of running out of time or memory.
            if rule == "mda" and subsets > 10**6:
                emit(rule, path, skipped=f"lists all C({n}, {n - f}) = {subsets:.2e} subsets")
                continue
            if rule == "smea" and subsets > 10**6:
                emit(rule, path, skipped=f"C({n}, {n - f}) = {subsets:.2e} subsets")
                continue
            if rule == "nnm" and n * (n - f) * d * 4 > available / 2:
                emit(rule, path, skipped=f"gathers an n x (n - f) x d array: {n * (n - f) * d * 4 / 1e9:.0f} GB")
                continue
            try:
                if rule == "smea":
                    emit(rule, path, **time_smea(factories[rule], x, byzfl_aggregators, subsets))
                else:
                    emit(rule, path, **time_calls(factories[rule], x, copy if rule in REWRITES_INPUT else same))
            except Exception as error:  # ByzFL's own errors (e.g. torch.quantile's size limit)
                emit(rule, path, failed=f"{type(error).__name__}: {str(error).splitlines()[0][:160]}")


def time_calls(factory, x, fresh):
    """One warm-up call, then calls as the module's docstring says; the median. A fresh instance
    per call: ByzFL's centered clipping keeps its centre in the instance. `fresh` gives each call
    its input: a copy, made before the clock starts, for the rules that rewrite their input."""
    start = time.perf_counter()
    factory()(fresh(x))
    warm_up = time.perf_counter() - start
    times = []
    budget = time.perf_counter()
    while True:
        aggregator = factory()
        given = fresh(x)
        start = time.perf_counter()
        aggregator(given)
        times.append(time.perf_counter() - start)
        elapsed = time.perf_counter() - budget
        if warm_up > 2 or elapsed >= 3 or (len(times) >= 5 and (elapsed >= 0.5 or len(times) >= 101)):
            break
    times.sort()
    middle = len(times) // 2
    median = times[middle] if len(times) % 2 else (times[middle - 1] + times[middle]) / 2
    return {"seconds": median, "calls": len(times)}


class _FirstSubsets:
    """Stands in for the itertools module inside ByzFL's aggregators for one SMEA call: the same
    enumeration, cut after `count` subsets."""

    def __init__(self, count):
        self.count = count

    def combinations(self, iterable, r):
        return itertools.islice(itertools.combinations(iterable, r), self.count)


def time_smea(factory, x, module, subsets):
    """ByzFL's SMEA on its first 10 subsets, or 100 when 10 take under 2 s (after 5 to warm up),
    scaled to all of them."""
    try:
        module.itertools = _FirstSubsets(5)
        factory()(x)
        for count in (10, 100):
            module.itertools = _FirstSubsets(count)
            start = time.perf_counter()
            factory()(x)
            elapsed = time.perf_counter() - start
            if elapsed >= 2:
                break
    finally:
        module.itertools = itertools
    return {"seconds": elapsed * subsets / count, "calls": 1, "extrapolated_from": count}


if __name__ == "__main__":
    main()
