#!/usr/bin/python3
"""One cross-check run through ByzFL's own benchmark framework (issue 26, item 3).

Builds the config ByzFL's `config.json` would hold for one cell (one aggregator, one attack,
one training seed), expands it with ByzFL's own helpers from `byzfl/benchmark/benchmark.py`
(the steps of its `run_benchmark`: f copied into the rule's parameters, nb_workers, seeds),
and calls its `start_training` (`byzfl/benchmark/train.py`): its Fashion-MNIST pipeline
(80% of the training set, random horizontal flips on training and test images, no
normalisation), its IID DataDistributor, its Client / ByzantineClient / Server D-SGD loop.
`run_benchmark` itself is not called: it adds a process pool and a hyperparameter selection
over the validation curves that one run does not need. Prints one JSON line: the final test
accuracy (ByzFL's evaluation after the last step), the test curve, the seconds.

Usage: byzfl_crosscheck_run.py BYZFL_CHECKOUT DATA_FOLDER WORK_FOLDER CONFIG_JSON [OPTION...]
CONFIG_JSON is the cell's settings as written by crosscheck.py (the byzfl_config function).
The options change one factor of ByzFL's pipeline at run time (ByzFL's files stay as they are),
to find what separates its results from ours:
  --normalize   standardise pixels as our IDX loader does (x - mean) / std, with the mean and
                the population deviation of all 60,000 training images' [0, 1] pixels
  --plain-test  evaluate on the test images as they are (ByzFL flips them at random)
  --plain-eval  the run unchanged (its test accuracy as ByzFL reports it, on randomly flipped test
                images), then its final model scored again on the test images as they are and on
                all of them mirrored: what ByzFL's flipped test images do to one and the same model
  --trace-krum  count the steps at which ByzFL's Krum returns a Byzantine client's vector (its
                server receives the honest vectors first, then the Byzantine ones); the run is
                unchanged, the count goes into the JSON line as krum_byzantine_steps
"""
import glob
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from byzfl_training import unpack_fashion_mnist  # noqa: E402  (same folder)


OPTIONS = ("--normalize", "--plain-test", "--plain-eval", "--trace-krum")


def training_statistics(data_folder):
    """Mean and population deviation of the training images' [0, 1] pixels (PixelStandardiser.Fit)."""
    import numpy
    with open(os.path.join(data_folder, "FashionMNIST", "raw", "train-images-idx3-ubyte"), "rb") as source:
        pixels = numpy.frombuffer(source.read(), dtype=numpy.uint8, offset=16).astype(numpy.float64) / 255.0
    mean = pixels.mean()
    return mean, float(numpy.sqrt(max((pixels * pixels).mean() - mean * mean, 1e-12)))


def patch_pipeline(train_module, data_folder, options):
    """Changes ByzFL's Fashion-MNIST transforms in the loaded module (not in its files).
    train.py gives the training/validation split the test transform too (both set the transform
    of the one underlying dataset, the test one last), so the test images are changed through
    the test set's constructor, not through that transform."""
    if not {"--normalize", "--plain-test"} & set(options):
        return
    from torchvision import transforms
    steps = [transforms.ToTensor()]
    if "--normalize" in options:
        mean, std = training_statistics(data_folder)
        steps.append(transforms.Normalize((mean,), (std,)))
    flipped = transforms.Compose([transforms.RandomHorizontalFlip()] + steps)
    plain = transforms.Compose(steps)
    name = "fashionmnist"
    train_module.dict_datasets[name] = (train_module.dict_datasets[name][0], flipped, flipped)
    if "--plain-test" in options:
        real = train_module.datasets

        class Datasets:
            """torchvision.datasets as train.py sees it, with unflipped test images."""
            def __getattr__(self, attribute):
                return getattr(real, attribute)

            @staticmethod
            def FashionMNIST(root, train, download, transform):  # noqa: N802 (torchvision's name)
                return real.FashionMNIST(root=root, train=train, download=download, transform=transform if train else plain)
        train_module.datasets = Datasets()


def score_final_model(work, seed, data_folder):
    """Accuracy of the run's final model (saved by store_models) on the unflipped test images and
    on all of them mirrored, in ByzFL's evaluation batches; no random draw is involved."""
    import torch
    from torchvision import datasets, transforms
    from byzfl.fed_framework import models
    found = sorted(glob.glob(os.path.join(work, "**", f"models_tr_seed_{seed}_dd_seed_*", "model_step_*.pth"), recursive=True),
                   key=lambda path: int(path.rsplit("_", 1)[1].split(".")[0]))
    model = models.cnn_mnist()
    model.load_state_dict(torch.load(found[-1]))
    model.eval()
    scores = {}
    for name, steps in (("plain", [transforms.ToTensor()]), ("mirrored", [transforms.RandomHorizontalFlip(p=1.0), transforms.ToTensor()])):
        test = datasets.FashionMNIST(root=data_folder, train=False, download=False, transform=transforms.Compose(steps))
        correct = 0
        with torch.no_grad():
            for inputs, targets in torch.utils.data.DataLoader(test, batch_size=128, shuffle=False):
                correct += int((model(inputs).argmax(dim=1) == targets).sum())
        scores[name] = correct / len(test)
    return scores


def trace_krum(nb_honest):
    """Wraps ByzFL's Krum (its class, so every instance) to count Byzantine selections. The
    selected vector is found among the inputs by value; the call's result is Krum's own."""
    import torch
    from byzfl.aggregators import aggregators
    original = aggregators.Krum.__call__
    counts = {"steps": 0, "byzantine": 0}

    def traced(self, vectors):
        result = original(self, vectors)
        selected = torch.as_tensor(result)
        chosen = next(i for i, vector in enumerate(vectors) if torch.equal(torch.as_tensor(vector), selected))
        counts["steps"] += 1
        counts["byzantine"] += int(chosen >= nb_honest)
        return result
    aggregators.Krum.__call__ = traced
    return counts


def main():
    checkout, data_folder, work, config_path = sys.argv[1:5]
    options = sys.argv[5:]
    unknown = [option for option in options if option not in OPTIONS]
    if unknown:
        sys.exit(f"byzfl_crosscheck_run.py: unknown option {unknown[0]} (known: {', '.join(OPTIONS)})")
    sys.path.insert(0, checkout)
    unpack_fashion_mnist(data_folder)
    import torch
    from byzfl.benchmark import benchmark
    from byzfl.benchmark import train as train_module
    from byzfl.benchmark.train import start_training
    patch_pipeline(train_module, data_folder, options)

    torch.set_num_threads(int(os.environ.get("CROSSCHECK_THREADS", os.cpu_count())))
    with open(config_path) as source:
        config = json.load(source)
    config["evaluation_and_results"]["data_folder"] = data_folder
    config["evaluation_and_results"]["results_directory"] = work
    # run_benchmark's expansion, in its order, without the pool and the hyperparameter search.
    config = benchmark.ensure_optional_config_parameters(config)
    settings = benchmark.generate_all_combinations(config, ["pre_aggregators", "milestones"])
    settings = benchmark.ensure_key_parameters(settings)
    settings = benchmark.set_tolerated_f_equal_to_real_f(settings)
    settings = benchmark.set_declared_as_aggregation_parameter(settings)
    settings = benchmark.compute_number_of_workers(settings)
    settings = benchmark.delegate_training_seeds(settings)
    settings = benchmark.delegate_data_distribution_seeds(settings)
    if len(settings) != 1:
        sys.exit(f"{config_path}: expected one experiment, ByzFL's expansion gave {len(settings)}")
    krum = trace_krum(settings[0]["benchmark_config"]["nb_honest_clients"]) if "--trace-krum" in options else None
    if "--plain-eval" in options:
        settings[0]["evaluation_and_results"]["store_models"] = True  # writes model files only; no random draw
    start = time.perf_counter()
    start_training(settings[0])
    seconds = time.perf_counter() - start
    seed = settings[0]["benchmark_config"]["training_seed"]
    found = glob.glob(os.path.join(work, "**", f"test_accuracy_tr_seed_{seed}_dd_seed_*.txt"), recursive=True)
    if len(found) != 1:
        sys.exit(f"{work}: expected one test accuracy file for seed {seed}, found {len(found)}")
    with open(found[0]) as source:
        curve = [float(value) for value in source.read().replace(",", " ").split()]
    losses = glob.glob(os.path.join(work, "**", f"train_loss_tr_seed_{seed}_dd_seed_*.txt"), recursive=True)
    with open(losses[0]) as source:
        train_loss = [float(value) for value in source.read().replace(",", " ").split()]
    line = {"test_accuracy": curve[-1], "curve": curve, "train_loss": train_loss, "seconds": seconds, "threads": torch.get_num_threads(), "options": options}
    if "--plain-eval" in options:
        scores = score_final_model(work, seed, data_folder)
        line.update({"plain_test_accuracy": scores["plain"], "mirrored_test_accuracy": scores["mirrored"]})
    if krum is not None:
        line.update({"krum_steps": krum["steps"], "krum_byzantine_steps": krum["byzantine"]})
    print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
