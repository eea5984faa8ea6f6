"""Layers and the one operation that many chapters share."""
import torch
from torch import nn


def corr2d(X, K):
    """2-D cross-correlation of a matrix `X` with a kernel `K` (no flip, no padding).

    Integer inputs give a float32 result, as in d2lzh_pytorch.
    """
    if X.dim() != 2 or K.dim() != 2:
        raise ValueError(f"corr2d takes 2-D tensors, got X of shape {tuple(X.shape)} "
                         f"and K of shape {tuple(K.shape)}")
    h, w = K.shape
    if h > X.shape[0] or w > X.shape[1]:
        raise ValueError(f"kernel {tuple(K.shape)} is larger than the input {tuple(X.shape)}")
    # d2lzh_pytorch fills torch.zeros(...), so integer inputs give float32: keep that;
    # floating inputs keep their precision (float64 stays float64).
    dtype = torch.result_type(X, K)
    if not dtype.is_floating_point:
        dtype = torch.get_default_dtype()
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=dtype, device=X.device)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


class FlattenLayer(nn.Module):
    """Flatten `(B, ...)` to `(B, features)`, as d2lzh_pytorch's FlattenLayer."""

    def forward(self, x):
        return x.reshape(x.shape[0], -1)


class GlobalAvgPool2d(nn.Module):
    """Average each channel over its whole feature map: `(B, C, H, W)` -> `(B, C, 1, 1)`.

    NiN and GoogLeNet end with it instead of large dense layers.
    """

    def forward(self, x):
        return x.mean(dim=(2, 3), keepdim=True)
