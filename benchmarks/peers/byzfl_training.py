#!/usr/bin/python3
"""ByzFL's counterpart of `byzsim bench` workload 1, through ByzFL's own framework.

cnn_mnist on Fashion-MNIST, 10 honest clients (IID split of the 60,000 training images, batch
25) and 2 sign-flipping Byzantine clients, trimmed mean with f = 2, plain SGD on the server at
learning rate 0.05 without momentum or weight decay (our workload's settings), D-SGD as in
ByzFL's `benchmark/train.py`: each round every honest client computes a gradient on its next
batch, the attack forges the Byzantine vectors, the server aggregates and steps, and the new
model goes back to the clients. Data go through ByzFL's own Fashion-MNIST transform (random
horizontal flip, ToTensor) and torchvision's loader. Like our bench, two warm-up rounds run
first and are not measured; then ROUNDS rounds are timed, split into the honest gradients, the
attack, the aggregation with the step, and the rest (sending the model back, loading batches),
and the test-set evaluation (10,000 images, ByzFL's default evaluation batch of 128) after the
last round. torch uses every core (2 here). Prints one JSON line: seconds per round and its
parts, evaluation seconds, peak resident memory.

Usage: byzfl_training.py BYZFL_CHECKOUT DATA_FOLDER [ROUNDS]
DATA_FOLDER receives FashionMNIST/raw/ (torchvision's layout), unpacked from Debian's
dataset-fashion-mnist (/usr/share/datasets/fashion-mnist) when missing.
"""
import gzip
import json
import os
import resource
import shutil
import sys
import time

DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]


def unpack_fashion_mnist(folder):
    """torchvision looks for the unpacked IDX files in FOLDER/FashionMNIST/raw/."""
    raw = os.path.join(folder, "FashionMNIST", "raw")
    os.makedirs(raw, exist_ok=True)
    for name in FILES:
        target = os.path.join(raw, name)
        if not os.path.exists(target):
            with gzip.open(os.path.join(DEBIAN_FASHION_MNIST, name + ".gz"), "rb") as source, open(target + ".part", "wb") as out:
                shutil.copyfileobj(source, out)
            os.replace(target + ".part", target)


def main():
    checkout, data_folder = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    sys.path.insert(0, checkout)
    unpack_fashion_mnist(data_folder)

    import torch
    from torch.utils.data import DataLoader
    from torchvision import datasets
    from byzfl import DataDistributor
    from byzfl.benchmark.train import dict_datasets
    from byzfl.utils.misc import set_random_seed

    torch.set_num_threads(os.cpu_count())
    set_random_seed(1)
    honest, byzantine = 10, 2
    _, train_transform, test_transform = dict_datasets["fashionmnist"]
    train = datasets.FashionMNIST(root=data_folder, train=True, download=False, transform=train_transform)
    test = datasets.FashionMNIST(root=data_folder, train=False, download=False, transform=test_transform)
    loaders = DataDistributor({
        "data_distribution_name": "iid",
        "nb_honest": honest,
        "data_loader": DataLoader(train, shuffle=True),
        "batch_size": 25,
    }).split_data()
    clients, server, attack = dsgd_participants("cnn_mnist", "NLLLoss", 0.05, [loaders[i] for i in range(honest)], test, 128, byzantine)

    result = timed_run(clients, attack, server, rounds)
    result["threads"] = torch.get_num_threads()
    print(json.dumps(result), flush=True)


def dsgd_participants(model_name, loss_name, learning_rate, loaders, test, evaluation_batch, byzantine):
    """The participants of the timed D-SGD runs, through ByzFL's own classes: a Client per honest
    loader (plain SGD at `learning_rate`: no momentum, weight decay or label flipping), the Server
    (the same SGD, trimmed mean with f = `byzantine`, the test set in batches of `evaluation_batch`)
    and the sign-flipping ByzantineClient. Built in that order, the order the models' initial
    weights are drawn in. ByzFL must be importable (its checkout on sys.path)."""
    from torch.utils.data import DataLoader
    from byzfl import ByzantineClient, Client, Server

    clients = [Client({
        "model_name": model_name,
        "device": "cpu",
        "optimizer_name": "SGD",
        "learning_rate": learning_rate,
        "loss_name": loss_name,
        "weight_decay": 0.0,
        "milestones": [],
        "learning_rate_decay": 1.0,
        "LabelFlipping": False,
        "training_dataloader": loader,
        "momentum": 0.0,
        "nb_labels": 10,
        "store_per_client_metrics": False,
    }) for loader in loaders]
    server = Server({
        "model_name": model_name,
        "device": "cpu",
        "test_loader": DataLoader(test, batch_size=evaluation_batch, shuffle=False),
        "optimizer_name": "SGD",
        "learning_rate": learning_rate,
        "weight_decay": 0.0,
        "milestones": [],
        "learning_rate_decay": 1.0,
        "aggregator_info": {"name": "TrMean", "parameters": {"f": byzantine}},
        "pre_agg_list": [],
    })
    attack = ByzantineClient({"name": "SignFlipping", "f": byzantine, "parameters": {}})
    return clients, server, attack


def timed_run(clients, attack, server, rounds, losses=None):
    """ByzFL's D-SGD round (honest gradients, the attack, the server's step, the new model sent
    back), two warm-up rounds and then `rounds` measured ones, and the final test accuracy: seconds
    per measured round by stage, the evaluation's seconds and the peak resident memory. Each
    round's mean honest loss is appended to `losses` when given."""
    totals = {"compute": 0.0, "attack": 0.0, "aggregation": 0.0, "round": 0.0}

    def one_round(measure):
        start = time.perf_counter()
        round_losses = [client.compute_gradients() for client in clients]
        if losses is not None:
            losses.append(float(sum(float(loss) for loss in round_losses) / len(round_losses)))
        gradients = [client.get_flat_gradients_with_momentum() for client in clients]
        computed = time.perf_counter()
        forged = attack.apply_attack(gradients)
        attacked = time.perf_counter()
        server.update_model_with_gradients(gradients + forged)
        aggregated = time.perf_counter()
        model = server.get_dict_parameters()
        for client in clients:
            client.set_model_state(model)
        if measure:
            totals["compute"] += computed - start
            totals["attack"] += attacked - computed
            totals["aggregation"] += aggregated - attacked
            totals["round"] += time.perf_counter() - start

    model = server.get_dict_parameters()
    for client in clients:
        client.set_model_state(model)
    for _ in range(2):
        one_round(False)
    for _ in range(rounds):
        one_round(True)
    start = time.perf_counter()
    accuracy = server.compute_test_accuracy()
    evaluation = time.perf_counter() - start
    result = {name: value / rounds for name, value in totals.items()}
    result.update({
        "rounds": rounds,
        "evaluation": evaluation,
        "test_accuracy": accuracy,
        "peak_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    })
    return result


if __name__ == "__main__":
    main()
