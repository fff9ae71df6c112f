"""Makes the small PyTorch fixtures of ImportModelTest, once, with Debian's python3-torch:

    /usr/bin/python3 src/test/resources/torch/make_fixtures.py src/test/resources/torch

A CIFAR ResNet as RoCL's and the TRADES public code define it (kuangliu's BasicBlock, 1x1
conv + BN shortcut, no max-pool), scaled down (width 4, one block in each of two stages) with
RoCL's projector (linear_1, linear_2) and a linear head, random weights and batch-norm
statistics. Written as:
  model.safetensors  the state_dict (safetensors layout written with struct + json: the
                     machine has no `safetensors` package), float32, with num_batches_tracked
  model.pt           torch.jit.script of the same module (forward = logits)
  expected.safetensors  input (2, 3, 8, 8) in [0,1] and the module's logits and projection on it
"""
import json
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, inp, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or inp != planes:
            self.shortcut = nn.Sequential(nn.Conv2d(inp, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class Projector(nn.Module):
    def __init__(self, inp):
        super().__init__()
        self.linear_1 = nn.Linear(inp, 8)
        self.linear_2 = nn.Linear(8, 4)

    def forward(self, x):
        return self.linear_2(F.relu(self.linear_1(x)))


class TinyCifarResNet(nn.Module):
    def __init__(self, width=4, classes=3):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.layer1 = nn.Sequential(BasicBlock(width, width, 1))
        self.layer2 = nn.Sequential(BasicBlock(width, 2 * width, 2))
        self.linear = nn.Linear(2 * width, classes)
        self.projector = Projector(2 * width)

    def features(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer2(self.layer1(out))
        return F.adaptive_avg_pool2d(out, 1).flatten(1)

    def forward(self, x):
        return self.linear(self.features(x))

    @torch.jit.export
    def projection(self, x):
        return self.projector(self.features(x))


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        t = t.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        data = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main(out):
    torch.manual_seed(0)
    model = TinyCifarResNet()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    write_safetensors(f"{out}/model.safetensors", model.state_dict())
    torch.jit.script(model).save(f"{out}/model.pt")
    x = torch.rand(2, 3, 8, 8)
    with torch.no_grad():
        write_safetensors(f"{out}/expected.safetensors",
                          {"input": x, "logits": model(x), "projection": model.projection(x)})


if __name__ == "__main__":
    main(sys.argv[1])
