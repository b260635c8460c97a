"""The PyTorch side of `examples/06_fashion_resnet.rs`: the same ResNet-8 as a `torch.nn` module
whose names are those of the `network!` definition, loaded with the strict `load_state_dict`
from the weights the example wrote (running statistics and `num_batches_tracked` included),
then evaluated in `eval()` mode on the 10,000 test images, standardised as the example does.

    python3 examples/pytorch/fashion_resnet.py DIR [target/cnn/fashion_resnet/weights.safetensors]

prints the accuracy, which is the example's `final accuracy`, and how many test images the
two disagree on when the example's predictions are there (`predictions.txt`). Needs `torch`
and `safetensors` (pip), not numpy.
"""

import gzip
import os
import sys
from collections import OrderedDict

import torch
from safetensors.torch import load_file
from torch import nn


class Block(nn.Module):
    """`residual(conv(C, 3x3, stride = S, pad = 1) -> batchnorm -> relu -> conv(C, 3x3, pad = 1)
    -> batchnorm[, shortcut = conv(C, 1x1, stride = S) -> batchnorm]) -> relu`"""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)
        self.batchnorm1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.batchnorm2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(OrderedDict(
                conv1=nn.Conv2d(cin, cout, 1, stride=stride),
                batchnorm1=nn.BatchNorm2d(cout),
            ))

    def forward(self, x):
        y = self.batchnorm2(self.conv2(torch.relu(self.batchnorm1(self.conv1(x)))))
        return torch.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.batchnorm1 = nn.BatchNorm2d(16)
        self.residual1 = Block(16, 16, 1)
        self.residual2 = Block(16, 32, 2)
        self.residual3 = Block(32, 64, 2)
        self.dense1 = nn.Linear(64, 10)

    def forward(self, x):
        x = torch.relu(self.batchnorm1(self.conv1(x)))
        x = self.residual3(self.residual2(self.residual1(x)))
        return self.dense1(x.mean(dim=(2, 3)))  # global_avgpool; softmax left to the loss


def idx(path):
    """An IDX file of unsigned bytes, as a uint8 tensor of its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def find(folder, name):
    for candidate in (name, name + ".gz"):
        if os.path.exists(os.path.join(folder, candidate)):
            return os.path.join(folder, candidate)
    sys.exit(f"no {name}[.gz] in {folder}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    folder = sys.argv[1]
    weights = sys.argv[2] if len(sys.argv) > 2 else "target/cnn/fashion_resnet/weights.safetensors"
    train = idx(find(folder, "train-images-idx3-ubyte")).double() / 255.0
    images = idx(find(folder, "t10k-images-idx3-ubyte")).double() / 255.0
    labels = idx(find(folder, "t10k-labels-idx1-ubyte")).long()
    # The example's standardisation: the training set's mean and (population) deviation.
    mean, std = train.mean(), train.std(unbiased=False)
    x = ((images - mean) / std).float().unsqueeze(1)

    model = ResNet8()
    model.load_state_dict(load_file(weights), strict=True)
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    accuracy = (predicted == labels).double().mean().item()
    print(f"PyTorch {torch.__version__}, strict load_state_dict: accuracy {100 * accuracy:.2f}%")
    ours = os.path.join(os.path.dirname(weights), "predictions.txt")
    if os.path.exists(ours):
        with open(ours) as f:
            mine = torch.tensor([int(line) for line in f])
        print(f"predictions that differ from cnn's: {(mine != predicted).sum().item()} of {len(mine)}")


if __name__ == "__main__":
    main()
