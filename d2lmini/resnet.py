"""The residual block and ResNet-18 of d2lzh_pytorch (section 5.11).

`Residual(in_channels, out_channels, use_1x1conv, stride)` adds its input to
two 3x3 convolutions with batch norm; a 1x1 convolution on the shortcut
matches the shapes when the channels or the stride change.
"""
from torch import nn
from torch.nn import functional as F

from .layers import FlattenLayer, GlobalAvgPool2d


class Residual(nn.Module):
    """conv3x3-BN-ReLU-conv3x3-BN, plus the input (through a 1x1 conv if asked), then ReLU."""

    def __init__(self, in_channels, out_channels, use_1x1conv=False, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1,
                               stride=stride)
        self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1)
        if use_1x1conv:
            self.conv3 = nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride)
        else:
            self.conv3 = None
        self.bn1 = nn.BatchNorm2d(out_channels)
        self.bn2 = nn.BatchNorm2d(out_channels)

    def forward(self, X):
        Y = F.relu(self.bn1(self.conv1(X)))
        Y = self.bn2(self.conv2(Y))
        if self.conv3 is not None:
            X = self.conv3(X)
        elif X.shape != Y.shape:
            raise ValueError(f"Residual: the input {tuple(X.shape)} and the block's output "
                             f"{tuple(Y.shape)} differ; use use_1x1conv=True when the "
                             f"channels or the stride change")
        return F.relu(Y + X)


def resnet_block(in_channels, out_channels, num_residuals, first_block=False):
    """`num_residuals` Residual blocks; all but the first stage halve H, W and change channels."""
    if first_block and in_channels != out_channels:
        raise ValueError(f"the first block keeps the channels: in_channels ({in_channels}) "
                         f"must equal out_channels ({out_channels})")
    blk = []
    for i in range(num_residuals):
        if i == 0 and not first_block:
            blk.append(Residual(in_channels, out_channels, use_1x1conv=True, stride=2))
        else:
            blk.append(Residual(out_channels, out_channels))
    return nn.Sequential(*blk)


def resnet18(output=10, in_channels=3):
    """ResNet-18 as in d2lzh_pytorch: a 7x7 stem, four stages of two blocks, GAP, one layer.

    `output` is the number of classes; Fashion-MNIST needs `in_channels=1`.
    """
    net = nn.Sequential(
        nn.Conv2d(in_channels, 64, kernel_size=7, stride=2, padding=3),
        nn.BatchNorm2d(64),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    net.add_module("resnet_block1", resnet_block(64, 64, 2, first_block=True))
    net.add_module("resnet_block2", resnet_block(64, 128, 2))
    net.add_module("resnet_block3", resnet_block(128, 256, 2))
    net.add_module("resnet_block4", resnet_block(256, 512, 2))
    net.add_module("global_avg_pool", GlobalAvgPool2d())     # (B, 512, 1, 1)
    net.add_module("fc", nn.Sequential(FlattenLayer(), nn.Linear(512, output)))
    return net
