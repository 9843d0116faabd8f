#!/usr/bin/python3
"""System-level cross-check against ByzFL (issue 26, item 3): the 48 cells of
experiments/byzfl-crosscheck-pixels.yaml (4 rules x 4 attacks x 3 seeds) run through ByzFL's
benchmark framework, one process per run (byzfl_crosscheck_run.py), seed 1 of every cell
before seed 2; and the table of both sides' final test accuracies.

  byzfl_crosscheck.py byzfl --repo ROOT --byzfl CHECKOUT [--byzfl-commit ID] [--data FOLDER]
      runs every ByzFL cell whose raw result is not committed yet (resumable), writing
      docs/validation/byzfl-crosscheck/byzfl/SEED-RULE-ATTACK.json; several such processes
      share the cells (each claims the next free one)
  byzfl_crosscheck.py byzfl ... --variant VARIANT --cells SEED:RULE:ATTACK,...
      the same for a few cells with one factor of ByzFL's pipeline changed at run time
      (VARIANTS below; byzfl_crosscheck_run.py's options), into
      docs/validation/byzfl-crosscheck/byzfl-VARIANT/; not part of results.csv
  byzfl_crosscheck.py collect --repo ROOT
      reads those files and our run folders and writes docs/validation/byzfl-crosscheck/results.csv,
      the file `byzsim validation` renders: ByzFL as shipped against our runs at ByzFL's pixel
      scaling (experiments/byzfl-crosscheck-pixels.yaml, docs/validation/runs/byzfl-crosscheck-pixels/),
      the settings matched; and factors.csv beside it: the runs with one factor changed (ByzFL's
      variants, our standardised grid experiments/byzfl-crosscheck.yaml) next to the unchanged
      runs of the same cells
  byzfl_crosscheck.py costs --repo ROOT
      prints, from factors.csv, what each attack costs each side against the same side's
      attack-free run of the same seed (the mean, f = 0: cells SEED:mean:none and
      experiments/byzfl-crosscheck-clean.yaml), so that a difference the pipelines share cancels

ByzFL's settings come from our spec file (clients, rounds, batch, learning rate, momentum,
weight decay), so the two sides cannot drift apart; the rule and attack options are the
ByzFL counterparts of the spec's grid entries, in CELLS below.
"""
import argparse
import csv
import datetime
import glob
import json
import os
import re
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from byzfl_side_by_side import commit, run  # noqa: E402  (same folder)

SPEC = os.path.join("experiments", "byzfl-crosscheck-pixels.yaml")
RAW = os.path.join("docs", "validation", "byzfl-crosscheck")
# Our side of results.csv: ByzFL's settings including its [0, 1] pixels (standardize: false).
OURS = os.path.join("docs", "validation", "runs", "byzfl-crosscheck-pixels")
# Our runs with one factor changed: folder -> the factor's name in factors.csv.
OURS_FACTORS = {os.path.join("docs", "validation", "runs", "byzfl-crosscheck"): "standardized",
                # mimic copying honest client 0 every step, as ByzFL's Mimic(epsilon = 0) does
                os.path.join("docs", "validation", "runs", "byzfl-crosscheck-mimic-target"): "mimic-target",
                # seeds 4-8 of five cells and 9-16 of trimmed mean x sign-flip (not a changed setting: more draws of the same cells)
                os.path.join("docs", "validation", "runs", "byzfl-crosscheck-pixels-seeds"): "more-seeds",
                # no Byzantine client, plain mean: the training pipelines alone (experiments/byzfl-crosscheck-clean.yaml)
                os.path.join("docs", "validation", "runs", "byzfl-crosscheck-clean"): "no-attack"}
SEEDS = [1, 2, 3]
# Our rule name (the label before any options) -> ByzFL's aggregator entry.
RULES = {
    "trimmed-mean": {"name": "TrMean", "parameters": {}},
    "median": {"name": "Median", "parameters": {}},
    "krum": {"name": "Krum", "parameters": {}},
    "geometric-median": {"name": "GeometricMedian", "parameters": {"nu": 0.1, "T": 3}},
    # only with attack none: the training pipeline alone, no rule and no attack between the sides
    "mean": {"name": "Average", "parameters": {}},
}
# Our attack name -> ByzFL's attack entry (ByzFL checks that tau is a float).
ATTACKS = {
    "sign-flip": {"name": "SignFlipping", "parameters": {}},
    "ipm": {"name": "InnerProductManipulation", "parameters": {"tau": 2.0}},
    "alie": {"name": "ALittleIsEnough", "parameters": {"tau": 1.5}},
    "mimic": {"name": "Mimic", "parameters": {"epsilon": 0}},
    # no Byzantine client at all (f = 0; ByzFL still wants an attack entry, which then sends nothing)
    "none": {"name": "SignFlipping", "parameters": {}},
}

# Runs that change one factor of ByzFL's pipeline, to find the cause of a gap between the sides:
# the variant's name -> byzfl_crosscheck_run.py's options. `data-seed` changes the config instead:
# ByzFL's data-distribution seed, under which it draws the initial weights, the 80/20 split and
# the clients' shares, becomes the training seed instead of 0 (DATA_SEED_VARIANTS), so that those
# draws differ between seeds as ours do. `data-seed-krum-trace` is `data-seed` with Krum's choices
# counted (seeds beyond 3 as well: the Krum cells' spread over more seeds). `data-seed-plain-eval`
# is `data-seed` with its final model also scored on unflipped and on mirrored test images.
VARIANTS = {
    "normalize": ["--normalize"],
    "plain-test": ["--plain-test"],
    "normalize-plain-test": ["--normalize", "--plain-test"],
    "data-seed": [],
    "data-seed-krum-trace": ["--trace-krum"],
    "data-seed-plain-eval": ["--plain-eval"],
}
DATA_SEED_VARIANTS = {"data-seed", "data-seed-krum-trace", "data-seed-plain-eval"}


def spec_settings(repo):
    """The few scalar settings ByzFL needs, read from our spec (flat `key: value` lines)."""
    with open(os.path.join(repo, SPEC)) as source:
        text = source.read()

    def number(key):
        found = re.findall(rf"^\s*{key}: ([0-9.e-]+)\s*$", text, re.MULTILINE)
        if len(found) != 1:
            sys.exit(f"{SPEC}: expected one '{key}:' line, found {len(found)}")
        return float(found[0])
    clients = re.search(r"clients: \{ n: (\d+), f: (\d+) \}", text)
    if clients is None:
        sys.exit(f"{SPEC}: expected 'clients: {{ n: N, f: F }}'")
    n, f = int(clients.group(1)), int(clients.group(2))
    return {"honest": n - f, "f": f, "steps": int(number("rounds")), "batch": int(number("batch_size")),
            "lr": number("learning_rate"), "momentum": number("worker_momentum"), "weight_decay": number("weight_decay")}


def byzfl_config(settings, rule, attack, seed, data_seed=0):
    """ByzFL's config.json for one run (the keys of its benchmark README)."""
    return {
        "benchmark_config": {
            "training_algorithm": {"name": "DSGD", "parameters": {}},
            "device": "cpu", "nb_steps": settings["steps"],
            "training_seed": seed, "nb_training_seeds": 1,
            "nb_honest_clients": settings["honest"], "f": 0 if attack == "none" else settings["f"],
            "size_train_set": 0.8,
            "data_distribution_seed": data_seed, "nb_data_distribution_seeds": 1,
            "data_distribution": [{"name": "iid", "distribution_parameter": 1.0}],
        },
        "model": {"name": "cnn_mnist", "dataset_name": "fashionmnist", "nb_labels": 10, "loss": "NLLLoss",
                  "learning_rate": settings["lr"], "learning_rate_decay": 1.0, "milestones": []},
        "aggregator": RULES[rule], "pre_aggregators": [],
        "honest_clients": {"momentum": settings["momentum"], "weight_decay": settings["weight_decay"],
                           "batch_size": settings["batch"]},
        "attack": ATTACKS[attack],
        "evaluation_and_results": {"evaluation_delta": settings["steps"], "evaluate_on_test": True,
                                   "store_per_client_metrics": False, "store_models": False},
    }


def run_byzfl(args):
    settings = spec_settings(args.repo)
    data = args.data or os.path.join(args.repo, "artifacts", "peers", "data")
    folder = os.path.join(args.repo, RAW, "byzfl" + (f"-{args.variant}" if args.variant else ""))
    options = VARIANTS[args.variant] if args.variant else []
    os.makedirs(folder, exist_ok=True)
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "byzfl_crosscheck_run.py")
    cells = parse_cells(args.cells) if args.cells else [(seed, rule, attack) for seed in SEEDS for rule in RULES for attack in ATTACKS
                                                        if rule != "mean" and attack != "none"]
    for seed, rule, attack in cells:
        target = os.path.join(folder, f"{seed}-{rule}-{attack}.json")
        if os.path.exists(target) or not claim(target):
            continue
        load = os.getloadavg()[0]
        print(f"{datetime.datetime.now():%H:%M:%S} byzfl{' ' + args.variant if args.variant else ''} seed {seed} {rule} {attack} (load {load:.1f})", file=sys.stderr, flush=True)
        config = byzfl_config(settings, rule, attack, seed, seed if args.variant in DATA_SEED_VARIANTS else 0)
        with tempfile.TemporaryDirectory(prefix="byzfl-crosscheck-") as work:
            config_path = os.path.join(work, "config.json")
            with open(config_path, "w") as out:
                json.dump(config, out)
            line = next(l for l in run(["/usr/bin/python3", script, args.byzfl, data, os.path.join(work, "results"), config_path, *options]).splitlines()
                        if l.startswith("{"))
        result = json.loads(line)
        result.update({"side": "byzfl", "variant": args.variant or "", "seed": seed, "rule": rule, "attack": attack, "load": load,
                       "byzfl_commit": args.byzfl_commit or commit(args.byzfl), **settings,
                       "f": config["benchmark_config"]["f"]})  # the f ByzFL ran with (0 for attack none)
        with open(target + ".part", "w") as out:
            json.dump(result, out, indent=1)
        os.replace(target + ".part", target)
        os.remove(target + ".claim")


def parse_cells(text):
    """SEED:RULE:ATTACK,... -> [(seed, rule, attack)], each name checked against RULES and ATTACKS."""
    cells = []
    for item in text.split(","):
        parts = item.split(":")
        if len(parts) != 3 or not parts[0].isdigit() or parts[1] not in RULES or parts[2] not in ATTACKS or (parts[1] == "mean") != (parts[2] == "none"):
            sys.exit(f"--cells: '{item}' is not SEED:RULE:ATTACK (rules: {', '.join(RULES)}; attacks: {', '.join(ATTACKS)}; mean goes with none only)")
        cells.append((int(parts[0]), parts[1], parts[2]))
    return cells


def claim(target):
    """Takes a cell for this process (a TARGET.claim file created exclusively), so that several
    drivers can share the cells on a machine with cores to spare; False when another holds it.
    A driver that is killed leaves its claim behind: delete *.claim before resuming."""
    try:
        os.close(os.open(target + ".claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        return True
    except FileExistsError:
        return False


def collect(args):
    steps = spec_settings(args.repo)["steps"]
    rows = byzfl_rows(os.path.join(args.repo, RAW, "byzfl")) + our_rows(os.path.join(args.repo, OURS), steps)
    write_csv(os.path.join(args.repo, RAW, "results.csv"), ["side", "rule", "attack", "seed", "steps", "test_accuracy"], rows)
    # factors.csv: every cell that ran with a factor changed, with the unchanged runs of that cell.
    changed = [("byzfl", variant) + row[1:] for variant in VARIANTS
               for row in byzfl_rows(os.path.join(args.repo, RAW, f"byzfl-{variant}"))]
    changed += [("ours", factor) + row[1:] for folder, factor in OURS_FACTORS.items()
                for row in our_rows(os.path.join(args.repo, folder), steps)]
    cells = {(row[2], row[3]) for row in changed}
    unchanged = [(row[0], "none") + row[1:] for row in rows if (row[1], row[2]) in cells]
    write_csv(os.path.join(args.repo, RAW, "factors.csv"), ["side", "factor", "rule", "attack", "seed", "steps", "test_accuracy"], changed + unchanged)


def costs(args):
    """Prints, per cell, what the attack costs each side against the same side's attack-free run
    of the same seed (mean, no Byzantine client; factor no-attack and ByzFL's data-seed mean-none),
    from factors.csv: a difference the two training pipelines share cancels. ByzFL's data-seed
    variant on one side; ours on the other (its mimic cells: the runs copying client 0, as ByzFL's)."""
    with open(os.path.join(args.repo, RAW, "factors.csv")) as source:
        rows = list(csv.DictReader(source))
    sides = {"byzfl": {}, "ours": {}}
    for row in rows:
        side, factor, cell = row["side"], row["factor"], (row["rule"], row["attack"])
        if (side == "byzfl" and factor in DATA_SEED_VARIANTS) or (side == "ours" and factor in ("none", "more-seeds", "mimic-target", "no-attack")):
            if side == "ours" and factor == "none" and row["attack"] == "mimic":
                continue  # ours as shipped copies another client than ByzFL's mimic; mimic-target copies client 0
            sides[side].setdefault(cell, {})[int(row["seed"])] = 100 * float(row["test_accuracy"])
    clean = {side: cells.pop(("mean", "none"), {}) for side, cells in sides.items()}
    print("rule,attack,seeds,ours_cost,byzfl_cost,difference,standard_error")
    for cell in sorted(sides["byzfl"]):
        seeds = sorted(set(sides["byzfl"][cell]) & set(sides["ours"].get(cell, {})) & set(clean["byzfl"]) & set(clean["ours"]))
        if len(seeds) < 2:
            continue
        cost = {side: [clean[side][seed] - sides[side][cell][seed] for seed in seeds] for side in sides}
        difference = [o - b for o, b in zip(cost["ours"], cost["byzfl"])]
        error = statistics.stdev(difference) / len(difference) ** 0.5
        print(f"{cell[0]},{cell[1]},{len(seeds)},{statistics.mean(cost['ours']):.1f},{statistics.mean(cost['byzfl']):.1f},"
              f"{statistics.mean(difference):+.1f},{error:.1f}")


def byzfl_rows(folder):
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path) as source:
            raw = json.load(source)
        rows.append(("byzfl", raw["rule"], raw["attack"], raw["seed"], raw["steps"], raw["test_accuracy"]))
    return rows


def our_rows(folder, steps):
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "*", "summary.json"))):
        with open(path) as source:
            summary = json.load(source)
        if summary["status"] != "complete" or summary["rounds"] != steps:
            sys.exit(f"{path}: status {summary['status']}, {summary['rounds']} rounds; expected a complete run of {steps}")
        seed, rule, attack = run_cell(os.path.join(os.path.dirname(path), "spec.yaml"))
        rows.append(("ours", rule, attack, seed, summary["rounds"], summary["final_test_accuracy"]))
    return rows


def run_cell(spec_path):
    """(seed, rule, attack) of one run, from its canonical spec.yaml (a run's labels name only
    the sweep's axes, so a sweep with a fixed attack or seed has no label for it)."""
    with open(spec_path) as source:
        text = source.read()
    seed = re.search(r"^seed: (\d+)$", text, re.MULTILINE)
    rule = re.search(r"^aggregator:\n  name: (\S+)$", text, re.MULTILINE)
    attack = re.search(r"^attack:\n  name: (\S+)$", text, re.MULTILINE)
    if not (seed and rule and attack):
        sys.exit(f"{spec_path}: expected top-level seed, aggregator.name and attack.name")
    return int(seed.group(1)), rule.group(1), attack.group(1)


def write_csv(path, header, rows):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(sorted(rows))
    print(f"{len(rows)} runs in {os.path.relpath(path)}", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["byzfl", "collect", "costs"])
    parser.add_argument("--repo", required=True)
    parser.add_argument("--byzfl", default=None)
    parser.add_argument("--byzfl-commit", default=None)
    parser.add_argument("--data", default=None)
    parser.add_argument("--variant", choices=sorted(VARIANTS), default=None)
    parser.add_argument("--cells", default=None, help="SEED:RULE:ATTACK,... (default: the whole grid)")
    args = parser.parse_args()
    if args.command == "byzfl":
        if args.byzfl is None:
            sys.exit("byzfl: --byzfl CHECKOUT is required")
        run_byzfl(args)
    elif args.command == "costs":
        costs(args)
    else:
        collect(args)


if __name__ == "__main__":
    main()
