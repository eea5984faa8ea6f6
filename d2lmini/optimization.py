"""Minibatch stochastic gradient descent written out, as in d2lzh_pytorch (section 3.2)."""
import torch


def sgd(params, lr, batch_size):
    """One SGD step on each tensor of `params`: `param -= lr * param.grad / batch_size`.

    d2lzh_pytorch divides by `batch_size` because its chapter-3 losses are
    summed over the batch; with a mean loss (PyTorch's default) pass 1.
    Gradients are not zeroed here, as in the original.
    """
    with torch.no_grad():
        for param in params:
            if param.grad is None:
                raise ValueError("sgd: a parameter has no gradient; call loss.backward() "
                                 "first, on a tensor that depends on every parameter, "
                                 "and create parameters with requires_grad=True")
            param -= lr * param.grad / batch_size
