"""A client written the way Dive-into-DL-PyTorch's chapter 5 notebooks use `d2lzh_pytorch`.

Each test is one section (5.1 ... 5.12): the calls, argument orders and idioms of
that book (`d2l.corr2d`, `d2l.load_data_fashion_mnist(batch_size, resize=...)`,
`d2l.train_ch5(net, train_iter, test_iter, batch_size, optimizer, device,
num_epochs)`, `d2l.FlattenLayer`, `d2l.GlobalAvgPool2d`, `d2l.Residual`,
`d2l.resnet18`, ...), run with `import d2lmini as d2l` and nothing changed.
Only the data are shrunk (a few dozen images, through the smoke budget) and the
nets trained for one epoch, so that the whole file runs in seconds on a CPU.
"""
import time

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import d2lmini as d2l
from d2lmini import data

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')


@pytest.fixture
def tiny_data(monkeypatch, data_root):
    """The offline Fashion-MNIST via D2LMINI_DATA (no root argument, as in the book), tiny slices."""
    monkeypatch.setenv('D2LMINI_DATA', str(data_root))
    monkeypatch.setenv('D2LMINI_SMOKE', '1')
    monkeypatch.setattr(data, 'SMOKE_SIZES', {'train': 96, 'test': 64})


# ---------------------------------------------------------------- 5.1 the 2-D convolution layer
def test_5_1_corr2d_edge_detection_and_learning_a_kernel():
    X = torch.tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    K = torch.tensor([[0, 1], [2, 3]])
    out = d2l.corr2d(X, K)                          # integer tensors in, floats out
    assert out.dtype == torch.float32
    assert out.tolist() == [[19., 25.], [37., 43.]]

    class Conv2D(nn.Module):
        def __init__(self, kernel_size):
            super(Conv2D, self).__init__()
            self.weight = nn.Parameter(torch.randn(kernel_size))
            self.bias = nn.Parameter(torch.randn(1))

        def forward(self, x):
            return d2l.corr2d(x, self.weight) + self.bias

    X = torch.ones(6, 8)
    X[:, 2:6] = 0
    K = torch.tensor([[1, -1]])
    Y = d2l.corr2d(X, K)
    assert Y[:, 1].tolist() == [1.] * 6 and Y[:, 5].tolist() == [-1.] * 6
    assert Y.abs().sum() == 12

    torch.manual_seed(0)
    conv2d = Conv2D(kernel_size=(1, 2))
    step, lr = 20, 0.01
    for i in range(step):
        Y_hat = conv2d(X)
        l = ((Y_hat - Y) ** 2).sum()
        l.backward()
        conv2d.weight.data -= lr * conv2d.weight.grad    # the book's update, through .data
        conv2d.bias.data -= lr * conv2d.bias.grad
        conv2d.weight.grad.fill_(0)
        conv2d.bias.grad.fill_(0)
        if (i + 1) % 5 == 0:
            print('Step %d, loss %.3f' % (i + 1, l.item()))
    assert l.item() < 0.1
    assert torch.allclose(conv2d.weight.data, torch.tensor([[1., -1.]]), atol=0.1)


# ---------------------------------------------------------------- 5.2 padding and stride
def test_5_2_padding_and_stride_with_nn_conv2d():
    def comp_conv2d(conv2d, X):
        X = X.view((1, 1) + X.shape)                    # (batch, channel, h, w)
        Y = conv2d(X)
        return Y.view(Y.shape[2:])

    X = torch.rand(8, 8)
    shapes = [comp_conv2d(nn.Conv2d(1, 1, kernel_size=3, padding=1), X).shape,
              comp_conv2d(nn.Conv2d(1, 1, kernel_size=(5, 3), padding=(2, 1)), X).shape,
              comp_conv2d(nn.Conv2d(1, 1, kernel_size=3, padding=1, stride=2), X).shape,
              comp_conv2d(nn.Conv2d(1, 1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)),
                          X).shape]
    assert shapes == [(8, 8), (8, 8), (4, 4), (2, 2)]


# ---------------------------------------------------------------- 5.3 channels
def corr2d_multi_in(X, K):
    # add up the cross-correlations of each input channel with its kernel slice
    res = d2l.corr2d(X[0, :, :], K[0, :, :])
    for i in range(1, X.shape[0]):
        res += d2l.corr2d(X[i, :, :], K[i, :, :])
    return res


def corr2d_multi_in_out(X, K):
    return torch.stack([corr2d_multi_in(X, k) for k in K])


def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.view(c_i, h * w)
    K = K.view(c_o, c_i)
    Y = torch.mm(K, X)
    return Y.view(c_o, h, w)


def test_5_3_multiple_input_and_output_channels():
    X = torch.tensor([[[0, 1, 2], [3, 4, 5], [6, 7, 8]],
                      [[1, 2, 3], [4, 5, 6], [7, 8, 9]]])
    K = torch.tensor([[[0, 1], [2, 3]], [[1, 2], [3, 4]]])
    assert corr2d_multi_in(X, K).tolist() == [[56., 72.], [104., 120.]]
    K = torch.stack([K, K + 1, K + 2])
    assert K.shape == (3, 2, 2, 2)
    Y = corr2d_multi_in_out(X, K)
    assert Y.shape == (3, 2, 2) and Y[0].tolist() == [[56., 72.], [104., 120.]]

    X = torch.rand(3, 3, 3)
    K = torch.rand(2, 3, 1, 1)
    Y1 = corr2d_multi_in_out_1x1(X, K)
    Y2 = corr2d_multi_in_out(X, K)
    assert (Y1 - Y2).norm().item() < 1e-6


# ---------------------------------------------------------------- 5.4 pooling
def pool2d(X, pool_size, mode='max'):
    X = X.float()
    p_h, p_w = pool_size
    Y = torch.zeros(X.shape[0] - p_h + 1, X.shape[1] - p_w + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == 'max':
                Y[i, j] = X[i: i + p_h, j: j + p_w].max()
            elif mode == 'avg':
                Y[i, j] = X[i: i + p_h, j: j + p_w].mean()
    return Y


def test_5_4_pooling():
    X = torch.tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    assert pool2d(X, (2, 2)).tolist() == [[4., 5.], [7., 8.]]
    assert pool2d(X, (2, 2), 'avg').tolist() == [[2., 3.], [5., 6.]]
    X = torch.arange(16, dtype=torch.float).view((1, 1, 4, 4))
    assert nn.MaxPool2d(3)(X).tolist() == [[[[10.]]]]
    assert nn.MaxPool2d((2, 4), padding=(1, 2), stride=(2, 3))(X).shape == (1, 1, 3, 2)
    X = torch.cat((X, X + 1), dim=1)
    assert nn.MaxPool2d(3, padding=1, stride=2)(X).shape == (1, 2, 2, 2)


# ---------------------------------------------------------------- 5.5 LeNet
class LeNet(nn.Module):
    def __init__(self):
        super(LeNet, self).__init__()
        self.conv = nn.Sequential(
            nn.Conv2d(1, 6, 5),          # in_channels, out_channels, kernel_size
            nn.Sigmoid(),
            nn.MaxPool2d(2, 2),          # kernel_size, stride
            nn.Conv2d(6, 16, 5),
            nn.Sigmoid(),
            nn.MaxPool2d(2, 2)
        )
        self.fc = nn.Sequential(
            nn.Linear(16 * 4 * 4, 120),
            nn.Sigmoid(),
            nn.Linear(120, 84),
            nn.Sigmoid(),
            nn.Linear(84, 10)
        )

    def forward(self, img):
        feature = self.conv(img)
        output = self.fc(feature.view(img.shape[0], -1))
        return output


def test_5_5_lenet_trains_with_train_ch5(tiny_data, capsys):
    net = LeNet()
    batch_size = 32
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=batch_size)
    lr, num_epochs = 0.001, 2
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    result = d2l.train_ch5(net, train_iter, test_iter, batch_size, optimizer, device, num_epochs)
    out = capsys.readouterr().out
    assert 'training on' in out and 'epoch 2, loss' in out and 'test acc' in out
    acc = d2l.evaluate_accuracy(test_iter, net)
    assert 0 <= acc <= 1
    # a notebook cell ending in train_ch5(...) displays the result: one short line
    assert '\n' not in repr(result) and len(repr(result)) < 200


def test_5_5_batch_size_of_any_integer_type_and_a_batch_sampler_loader(tiny_data):
    """Loaders and batch sizes that learners' own code makes (chapter 3 style)."""
    train_iter, test_iter = d2l.load_data_fashion_mnist(np.int64(32))
    net = LeNet()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    batch_size = np.int64(32)                      # e.g. from a numpy computation
    d2l.train_ch5(net, train_iter, test_iter, batch_size, optimizer, device, 1)

    images, labels = d2l.load_fashion_mnist_arrays()['train']
    dataset = torch.utils.data.TensorDataset(images[:64, None].float() / 255, labels[:64])
    sampler = torch.utils.data.BatchSampler(torch.utils.data.RandomSampler(dataset), 16, False)
    loader = torch.utils.data.DataLoader(dataset, batch_sampler=sampler)
    assert loader.batch_size is None
    d2l.train_ch5(net, loader, test_iter, 16, optimizer, device, 1)


def test_3_x_evaluate_accuracy_with_a_plain_function_as_the_net(tiny_data):
    """Chapter 3's softmax regression is a function, not a module: evaluate_accuracy takes it."""
    _, test_iter = d2l.load_data_fashion_mnist(32)
    num_inputs, num_outputs = 784, 10
    W = torch.tensor(np.random.normal(0, 0.01, (num_inputs, num_outputs)), dtype=torch.float)
    b = torch.zeros(num_outputs, dtype=torch.float)

    def softmax(X):
        X_exp = X.exp()
        return X_exp / X_exp.sum(dim=1, keepdim=True)

    def net(X):
        return softmax(torch.mm(X.view((-1, num_inputs)), W) + b)

    acc = d2l.evaluate_accuracy(test_iter, net)
    assert 0 <= acc <= 1


# ---------------------------------------------------------------- 5.6 - 5.9
def shape_trace(net, X):
    shapes = []
    for name, blk in net.named_children():
        X = blk(X)
        print(name, 'output shape: ', X.shape)
        shapes.append(tuple(X.shape))
    return shapes


def test_5_6_alexnet_with_resize(tiny_data):
    class AlexNet(nn.Module):
        def __init__(self):
            super(AlexNet, self).__init__()
            self.conv = nn.Sequential(
                nn.Conv2d(1, 96, 11, 4), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(96, 256, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(),
                nn.Conv2d(384, 384, 3, 1, 1), nn.ReLU(),
                nn.Conv2d(384, 256, 3, 1, 1), nn.ReLU(),
                nn.MaxPool2d(3, 2))
            self.fc = nn.Sequential(
                nn.Linear(256 * 5 * 5, 4096), nn.ReLU(), nn.Dropout(0.5),
                nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
                nn.Linear(4096, 10))

        def forward(self, img):
            feature = self.conv(img)
            return self.fc(feature.view(img.shape[0], -1))

    train_iter, test_iter = d2l.load_data_fashion_mnist(8, resize=224)
    X, y = next(iter(train_iter))
    assert X.shape == (8, 1, 224, 224)
    net = AlexNet().eval()
    with torch.no_grad():
        assert net(X[:2]).shape == (2, 10)


def test_5_7_vgg_blocks_and_flatten_layer():
    def vgg_block(num_convs, in_channels, out_channels):
        blk = []
        for i in range(num_convs):
            blk.append(nn.Conv2d(in_channels if i == 0 else out_channels, out_channels,
                                 kernel_size=3, padding=1))
            blk.append(nn.ReLU())
        blk.append(nn.MaxPool2d(kernel_size=2, stride=2))   # halves height and width
        return nn.Sequential(*blk)

    def vgg(conv_arch, fc_features, fc_hidden_units=4096):
        net = nn.Sequential()
        for i, (num_convs, in_channels, out_channels) in enumerate(conv_arch):
            net.add_module("vgg_block_" + str(i + 1), vgg_block(num_convs, in_channels,
                                                                out_channels))
        net.add_module("fc", nn.Sequential(d2l.FlattenLayer(),
                                           nn.Linear(fc_features, fc_hidden_units), nn.ReLU(),
                                           nn.Dropout(0.5),
                                           nn.Linear(fc_hidden_units, fc_hidden_units),
                                           nn.ReLU(), nn.Dropout(0.5),
                                           nn.Linear(fc_hidden_units, 10)))
        return net

    ratio = 8
    small_conv_arch = [(1, 1, 64 // ratio), (1, 64 // ratio, 128 // ratio),
                       (2, 128 // ratio, 256 // ratio), (2, 256 // ratio, 512 // ratio),
                       (2, 512 // ratio, 512 // ratio)]
    fc_features = 512 * 7 * 7
    net = vgg(small_conv_arch, fc_features // ratio, 4096 // ratio)
    shapes = shape_trace(net, torch.rand(1, 1, 224, 224))
    assert shapes[4] == (1, 64, 7, 7) and shapes[-1] == (1, 10)


def nin_block(in_channels, out_channels, kernel_size, stride, padding):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding),
                         nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU(),
                         nn.Conv2d(out_channels, out_channels, kernel_size=1), nn.ReLU())


def test_5_8_nin_with_global_avg_pool2d():
    net = nn.Sequential(
        nin_block(1, 96, kernel_size=11, stride=4, padding=0),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(96, 256, kernel_size=5, stride=1, padding=2),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nin_block(256, 384, kernel_size=3, stride=1, padding=1),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Dropout(0.5),
        nin_block(384, 10, kernel_size=3, stride=1, padding=1),
        d2l.GlobalAvgPool2d(),                     # (batch, 10, 1, 1)
        d2l.FlattenLayer())                        # (batch, 10)
    X = torch.rand(1, 1, 224, 224)
    shapes = shape_trace(net, X)
    assert shapes[7] == (1, 10, 5, 5) and shapes[8] == (1, 10, 1, 1) and shapes[9] == (1, 10)
    assert torch.allclose(d2l.GlobalAvgPool2d()(X), F.avg_pool2d(X, kernel_size=X.size()[2:]))


def test_5_9_googlenet_inception_block():
    class Inception(nn.Module):
        # c1 - c4: output channels of each of the four paths
        def __init__(self, in_c, c1, c2, c3, c4):
            super(Inception, self).__init__()
            self.p1_1 = nn.Conv2d(in_c, c1, kernel_size=1)
            self.p2_1 = nn.Conv2d(in_c, c2[0], kernel_size=1)
            self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
            self.p3_1 = nn.Conv2d(in_c, c3[0], kernel_size=1)
            self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
            self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
            self.p4_2 = nn.Conv2d(in_c, c4, kernel_size=1)

        def forward(self, x):
            p1 = F.relu(self.p1_1(x))
            p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
            p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
            p4 = F.relu(self.p4_2(self.p4_1(x)))
            return torch.cat((p1, p2, p3, p4), dim=1)

    b1 = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3), nn.ReLU(),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    b3 = nn.Sequential(Inception(64, 64, (96, 128), (16, 32), 32),
                       Inception(256, 128, (128, 192), (32, 96), 64),
                       nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    net = nn.Sequential(b1, b3, d2l.GlobalAvgPool2d(), d2l.FlattenLayer(), nn.Linear(480, 10))
    shapes = shape_trace(net, torch.rand(1, 1, 96, 96))
    assert shapes == [(1, 64, 24, 24), (1, 480, 12, 12), (1, 480, 1, 1), (1, 480), (1, 10)]


# ---------------------------------------------------------------- 5.10 batch normalization
def batch_norm(is_training, X, gamma, beta, moving_mean, moving_var, eps, momentum):
    if not is_training:                       # prediction: the moving averages
        X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
    else:
        assert len(X.shape) in (2, 4)
        if len(X.shape) == 2:                 # fully connected: per feature
            mean = X.mean(dim=0)
            var = ((X - mean) ** 2).mean(dim=0)
        else:                                 # convolution: per channel, keep the shape
            mean = X.mean(dim=(0, 2, 3), keepdim=True)
            var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
        X_hat = (X - mean) / torch.sqrt(var + eps)
        moving_mean = momentum * moving_mean + (1.0 - momentum) * mean
        moving_var = momentum * moving_var + (1.0 - momentum) * var
    Y = gamma * X_hat + beta
    return Y, moving_mean, moving_var


class BatchNorm(nn.Module):
    def __init__(self, num_features, num_dims):
        super(BatchNorm, self).__init__()
        shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
        self.gamma = nn.Parameter(torch.ones(shape))
        self.beta = nn.Parameter(torch.zeros(shape))
        self.moving_mean = torch.zeros(shape)
        self.moving_var = torch.zeros(shape)

    def forward(self, X):
        if self.moving_mean.device != X.device:
            self.moving_mean = self.moving_mean.to(X.device)
            self.moving_var = self.moving_var.to(X.device)
        Y, self.moving_mean, self.moving_var = batch_norm(
            self.training, X, self.gamma, self.beta, self.moving_mean, self.moving_var,
            eps=1e-5, momentum=0.9)
        return Y


def lenet_bn(bn2d, bn1d):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), bn2d(6), nn.Sigmoid(), nn.MaxPool2d(2, 2),
        nn.Conv2d(6, 16, 5), bn2d(16), nn.Sigmoid(), nn.MaxPool2d(2, 2),
        d2l.FlattenLayer(),
        nn.Linear(16 * 4 * 4, 120), bn1d(120), nn.Sigmoid(),
        nn.Linear(120, 84), bn1d(84), nn.Sigmoid(),
        nn.Linear(84, 10))


def test_5_10_batch_norm_from_scratch_and_concise(tiny_data):
    batch_size = 32
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size=batch_size)
    for net in (lenet_bn(lambda c: BatchNorm(c, num_dims=4), lambda c: BatchNorm(c, num_dims=2)),
                lenet_bn(nn.BatchNorm2d, nn.BatchNorm1d)):
        optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
        d2l.train_ch5(net, train_iter, test_iter, batch_size, optimizer, device, 1)
        gamma = net[1].gamma if isinstance(net[1], BatchNorm) else net[1].weight
        assert gamma.view((-1,)).shape == (6,)


# ---------------------------------------------------------------- 5.11 ResNet
def test_5_11_residual_and_resnet18(tiny_data):
    blk = d2l.Residual(3, 3)
    X = torch.rand((4, 3, 6, 6))
    assert blk(X).shape == (4, 3, 6, 6)
    blk = d2l.Residual(3, 6, use_1x1conv=True, stride=2)
    assert blk(X).shape == (4, 6, 3, 3)

    net = d2l.resnet18(10, in_channels=1)
    X = torch.rand((2, 1, 224, 224))
    shapes = shape_trace(net, X)
    assert shapes[4:] == [(2, 64, 56, 56), (2, 128, 28, 28), (2, 256, 14, 14), (2, 512, 7, 7),
                          (2, 512, 1, 1), (2, 10)]

    batch_size = 32
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize=48)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    start = time.time()
    d2l.train_ch5(net, train_iter, test_iter, batch_size, optimizer, device, 1)
    print('time %.1f sec' % (time.time() - start))


# ---------------------------------------------------------------- 5.12 DenseNet
def conv_block(in_channels, out_channels):
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))


class DenseBlock(nn.Module):
    def __init__(self, num_convs, in_channels, out_channels):
        super(DenseBlock, self).__init__()
        net = []
        for i in range(num_convs):
            in_c = in_channels + i * out_channels
            net.append(conv_block(in_c, out_channels))
        self.net = nn.ModuleList(net)
        self.out_channels = in_channels + num_convs * out_channels

    def forward(self, X):
        for blk in self.net:
            Y = blk(X)
            X = torch.cat((X, Y), dim=1)              # concatenate on the channel dimension
        return X


def transition_block(in_channels, out_channels):
    return nn.Sequential(nn.BatchNorm2d(in_channels), nn.ReLU(),
                         nn.Conv2d(in_channels, out_channels, kernel_size=1),
                         nn.AvgPool2d(kernel_size=2, stride=2))


def test_5_12_densenet(tiny_data):
    blk = DenseBlock(2, 3, 10)
    X = torch.rand(4, 3, 8, 8)
    Y = blk(X)
    assert Y.shape == (4, 23, 8, 8)
    assert transition_block(23, 10)(Y).shape == (4, 10, 4, 4)

    net = nn.Sequential(nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3),
                        nn.BatchNorm2d(64), nn.ReLU(),
                        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    num_channels, growth_rate = 64, 32
    num_convs_in_dense_blocks = [4, 4, 4, 4]
    for i, num_convs in enumerate(num_convs_in_dense_blocks):
        DB = DenseBlock(num_convs, num_channels, growth_rate)
        net.add_module("DenseBlosk_%d" % i, DB)
        num_channels = DB.out_channels
        if i != len(num_convs_in_dense_blocks) - 1:
            net.add_module("transition_block_%d" % i,
                           transition_block(num_channels, num_channels // 2))
            num_channels = num_channels // 2
    net.add_module("BN", nn.BatchNorm2d(num_channels))
    net.add_module("relu", nn.ReLU())
    net.add_module("global_avg_pool", d2l.GlobalAvgPool2d())
    net.add_module("fc", nn.Sequential(d2l.FlattenLayer(), nn.Linear(num_channels, 10)))
    shapes = shape_trace(net, torch.rand((2, 1, 96, 96)))
    assert num_channels == 248
    assert shapes[-3:] == [(2, 248, 3, 3), (2, 248, 1, 1), (2, 10)]

    batch_size = 32
    train_iter, test_iter = d2l.load_data_fashion_mnist(batch_size, resize=48)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001)
    d2l.train_ch5(net, train_iter, test_iter, batch_size, optimizer, device, 1)


# ---------------------------------------------------------------- names from chapters 3 and 9
def test_sgd_semilogy_plt_and_show_images_as_d2lzh_code_calls_them(tiny_data):
    import matplotlib
    matplotlib.use('Agg')
    # 3.2: linear regression by hand, d2l.sgd on a summed loss
    true_w, true_b = torch.tensor([2, -3.4]), 4.2
    features = torch.randn(1000, 2)
    labels = features @ true_w + true_b
    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    batch_size, lr = 10, 0.03
    for epoch in range(3):
        for i in range(0, 1000, batch_size):
            X, y = features[i:i + batch_size], labels[i:i + batch_size]
            l = ((torch.mm(X, w) + b - y.view(-1, 1)) ** 2 / 2).sum()
            l.backward()
            d2l.sgd([w, b], lr, batch_size)
            w.grad.data.zero_()
            b.grad.data.zero_()
    assert torch.allclose(w.view(-1), true_w, atol=0.05) and abs(b.item() - true_b) < 0.05

    # 3.11: d2l.semilogy, d2l.set_figsize, d2l.use_svg_display, d2l.plt
    d2l.use_svg_display()
    d2l.set_figsize((5, 2.5))
    d2l.semilogy(range(1, 4), [1.0, 0.1, 0.01], 'epochs', 'loss', range(1, 4),
                 [1.0, 0.2, 0.05], ['train', 'test'])
    d2l.plt.close('all')

    # 3.5 and 9.1: d2l.show_fashion_mnist, d2l.show_images(imgs, num_rows, num_cols, scale)
    train_iter, _ = d2l.load_data_fashion_mnist(8)
    X, y = next(iter(train_iter))
    d2l.show_fashion_mnist(X[:4], d2l.get_fashion_mnist_labels(y[:4]))
    axes = d2l.show_images([img.permute(1, 2, 0).repeat(1, 1, 3) for img in X], 2, 4, scale=1.5)
    assert axes.shape == (2, 4)
    d2l.plt.close('all')
