"""Makes the TorchScript fixture of ScriptedClassifierTest and ImportModelStageTest, once, with Debian's
python3-torch (the tests only read the files; CI has no PyTorch):

    /usr/bin/python3 src/test/resources/torch/make_scripted_classifier.py src/test/resources/torch

A tiny CIFAR-style classifier (32x32x3 in [0,1] -> 10 logits): conv 3x3 + BN + ReLU, a stride-2
conv 3x3 + BN + ReLU, global average pooling, linear; random weights. Its batch-norm running
statistics are first calibrated on random images (so that logits depend on the input, and
attacks can change the decision) and then shifted and scaled, so that eval mode (running
statistics) and train mode (batch statistics) give clearly different logits: a Java run that
ignored the module's buffers could not match the eval-mode reference.
Written as:
  scripted.pt                torch.jit.script of the module; forward = logits, features exported
  scripted-expected.safetensors  input (4, 3, 32, 32), eval-mode logits, features, and train-mode logits
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from make_fixtures import write_safetensors


class TinyCifarClassifier(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, 2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.linear = nn.Linear(16, classes)

    @torch.jit.export
    def features(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        return F.adaptive_avg_pool2d(out, 1).flatten(1)

    def forward(self, x):
        return self.linear(self.features(x))


def main(out):
    torch.manual_seed(1)
    model = TinyCifarClassifier()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        for _ in range(8):
            model(torch.rand(64, 3, 32, 32))
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = 0.1
            m.running_mean += 0.5 * m.running_var.sqrt() * (torch.rand_like(m.running_mean) - 0.5)
            m.running_var *= 0.6 + 0.8 * torch.rand_like(m.running_var)
            m.weight.data.uniform_(0.8, 1.6)
            m.bias.data.uniform_(-0.3, 0.3)
    model.eval()
    torch.jit.script(model).save(f"{out}/scripted.pt")
    x = torch.rand(4, 3, 32, 32)
    with torch.no_grad():
        logits = model(x)
        features = model.features(x)
        model.train()
        train_logits = model(x)
    write_safetensors(f"{out}/scripted-expected.safetensors",
                      {"input": x, "logits": logits, "features": features, "train_logits": train_logits})
    print("eval logits", logits)
    print("max |eval - train|", (logits - train_logits).abs().max().item())


if __name__ == "__main__":
    main(sys.argv[1])
