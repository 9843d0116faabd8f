#!/usr/bin/python3
"""ByzFL's counterpart of `byzsim bench` workload 4 (ResNet-20), through ByzFL's own framework.

The data are the CIFAR-10 binary files `byzsim bench --write-cifar10 FOLDER` writes, byte for
byte the ones workload 4 trains on (5 x 1,000 training records, 1,000 test records, each a
label byte and 3 x 32 x 32 pixel bytes, red plane first), read here with numpy. Every setting
is workload 4's (Experiments/Running/BenchWorkloads.cs, with the spec defaults of
Experiments/Specs/RunReader.Defaults.cs):

- pixels standardised per channel with the training set's mean and population deviation of
  p / 255, as our CifarBinaryDataset and PixelStandardiser do (same float32 formula); no
  augmentation (the spec has none);
- IID split of the 5,000 training images over all 12 clients (sizes differ by at most one,
  cut at floor(5000 k / 12)), the 10 honest clients keep theirs (416 or 417 images); sign
  flipping uses no data; each client draws shuffled batches of 32 and drops the incomplete last
  one, as ours does (ByzFL's DataDistributor would keep it, so the loaders are built here);
- ResNet-20 as our Clients/Models/ResidualNetworks.cs defines it (He et al. 2016, section 4.2):
  a 3x3 convolution of 16 filters, three stages of three basic blocks with 16, 32 and 64
  filters, option-A shortcuts (subsample, zero-pad channels; no parameters), convolutions
  without bias, batch normalisation on the statistics of the batch at hand in training and
  evaluation (track_running_stats=False), global average pooling, a linear layer: 269,722
  parameters on 10 classes. It is registered into ByzFL's models module at run time as
  `resnet20`, so ByzFL's Client and Server build it by name; ByzFL's files are not edited.
  PyTorch's default initialisation draws from the distribution ours does;
- ByzFL's Client (cross-entropy, no worker momentum, no weight decay), ByzantineClient with
  SignFlipping (f = 2), Server with TrMean (f = 2) and plain SGD at learning rate 0.1, in the
  D-SGD loop of ByzFL's benchmark/train.py;
- the final evaluation over the 1,000 test images in batches of 100 (our module path's
  evaluation batch), through ByzFL's Server.compute_test_accuracy.

Timing as the W1 harness (byzfl_training.py): two warm-up rounds, then ROUNDS measured rounds
split into the honest gradients, the attack, the aggregation with the step, and the rest; the
evaluation after the last round, timed apart. torch uses THREADS intra-op threads (default:
every core). Prints the parameter count and shapes to stderr and one JSON line to stdout.

Usage: byzfl_resnet20.py BYZFL_CHECKOUT CIFAR10_FOLDER [ROUNDS] [THREADS]
"""
import json
import os
import sys

import numpy as np

from byzfl_training import dsgd_participants, timed_run

HONEST, BYZANTINE, BATCH, LEARNING_RATE, EVALUATION_BATCH = 10, 2, 32, 0.1, 100
RECORD = 1 + 3 * 32 * 32


def read_cifar10(folder, names):
    """Labels (int64) and pixels (uint8, N x 3 x 32 x 32) of the CIFAR-10 binary files NAMES."""
    records = []
    for name in names:
        data = np.fromfile(os.path.join(folder, name), dtype=np.uint8)
        if data.size == 0 or data.size % RECORD:
            sys.exit(f"{os.path.join(folder, name)}: {data.size} bytes is not a whole number of {RECORD}-byte CIFAR-10 records")
        records.append(data.reshape(-1, RECORD))
    records = np.concatenate(records)
    return records[:, 0].astype(np.int64), records[:, 1:].reshape(-1, 3, 32, 32)


def standardiser(train_pixels):
    """Per channel (scale, shift) in float32 from the training pixels, as PixelStandardiser: x = p scale - shift."""
    x = train_pixels.astype(np.float64) / 255.0
    means = x.mean(axis=(0, 2, 3))
    deviations = np.sqrt(np.maximum((x * x).mean(axis=(0, 2, 3)) - means * means, 1e-12))
    scale = (1.0 / (255.0 * deviations)).astype(np.float32)
    shift = (means / deviations).astype(np.float32)
    return lambda pixels: pixels.astype(np.float32) * scale[None, :, None, None] - shift[None, :, None, None]


def resnet20_class(torch):
    """Our ResNet-20 (see the module docstring), as a torch module class ByzFL can build by name."""
    nn, F = torch.nn, torch.nn.functional

    class BasicBlock(nn.Module):
        def __init__(self, inputs, outputs, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inputs, outputs, 3, stride=stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(outputs, track_running_stats=False)
            self.conv2 = nn.Conv2d(outputs, outputs, 3, stride=1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(outputs, track_running_stats=False)
            self.stride = stride
            self.pad = (outputs - inputs) // 2

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            shortcut = x
            if self.stride != 1 or self.pad != 0:
                # Option A: subsample, then zero channels split evenly before and after the input's.
                shortcut = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad, self.pad))
            return F.relu(out + shortcut)

    class ResNet20(nn.Module):
        def __init__(self, classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, stride=1, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(16, track_running_stats=False)
            stages, previous = [], 16
            for stage, width in enumerate([16, 32, 64]):
                blocks = []
                for block in range(3):
                    blocks.append(BasicBlock(previous, width, 2 if stage > 0 and block == 0 else 1))
                    previous = width
                stages.append(nn.Sequential(*blocks))
            self.layer1, self.layer2, self.layer3 = stages
            self.linear = nn.Linear(previous, classes)

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            x = self.layer3(self.layer2(self.layer1(x)))
            return self.linear(F.adaptive_avg_pool2d(x, 1).flatten(1))

    return ResNet20


def main():
    checkout, folder = sys.argv[1], sys.argv[2]
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else os.cpu_count()
    sys.path.insert(0, checkout)

    import torch
    from torch.utils.data import DataLoader, Subset, TensorDataset
    import byzfl.fed_framework.models as byzfl_models
    from byzfl.utils.misc import set_random_seed

    torch.set_num_threads(threads)
    set_random_seed(1)
    byzfl_models.resnet20 = resnet20_class(torch)

    train_labels, train_pixels = read_cifar10(folder, [f"data_batch_{i}.bin" for i in range(1, 6)])
    test_labels, test_pixels = read_cifar10(folder, ["test_batch.bin"])
    standardise = standardiser(train_pixels)
    train = TensorDataset(torch.from_numpy(standardise(train_pixels)), torch.from_numpy(train_labels))
    test = TensorDataset(torch.from_numpy(standardise(test_pixels)), torch.from_numpy(test_labels))
    order = np.random.default_rng(1).permutation(len(train))
    clients_total = HONEST + BYZANTINE
    shares = [order[len(order) * k // clients_total:len(order) * (k + 1) // clients_total] for k in range(HONEST)]
    loaders = [DataLoader(Subset(train, np.sort(share).tolist()), batch_size=BATCH, shuffle=True, drop_last=True) for share in shares]

    clients, server, attack = dsgd_participants("resnet20", "CrossEntropyLoss", LEARNING_RATE, loaders, test, EVALUATION_BATCH, BYZANTINE)
    shapes = [(name, tuple(p.shape)) for name, p in server.model.named_parameters()]
    parameters = sum(p.numel() for p in server.model.parameters())
    print(f"resnet20: {parameters:,} parameters in {len(shapes)} tensors: "
          + ", ".join(f"{name} {'x'.join(map(str, shape))}" for name, shape in shapes), file=sys.stderr)

    losses = []
    result = timed_run(clients, attack, server, rounds, losses)
    result.update({
        "losses": losses,
        "threads": torch.get_num_threads(),
        "parameters": parameters,
        "train_images": len(train),
        "honest_images": [len(share) for share in shares],
    })
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
