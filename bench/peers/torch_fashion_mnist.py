#!/usr/bin/python3
# The PyTorch peer of examples/fashion_mnist: the same model (GRU 28→128 over
# the 28 rows of each image, sequence-first, then Linear 128→10), the same
# loss (cross-entropy on logits), Adam(lr=1e-3), batches of 64 reshuffled
# every epoch, 3 epochs, the test set evaluated after each. PyTorch's own
# initialisation from torch.manual_seed(seed) (rnnc's is the same
# distribution, U(-1/√H, 1/√H), from its own generator). Prints which BLAS
# torch loaded, then per epoch the training loss, the test accuracy, and the
# seconds of the training steps and of the test pass apart, in the line
# format of examples/fashion_mnist (bench/fashion_mnist_compare.py reads
# both).
#
#   /usr/bin/python3 bench/peers/torch_fashion_mnist.py --threads 2
import argparse
import gzip
import sys
import time

import numpy as np
import openblas_core

openblas_core.select()
import torch  # noqa: E402 (after OPENBLAS_CORETYPE is set)

from torch_grid import blas_report

DATA_DIR = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist


def read_idx(path):
    """An IDX file (gzipped) as a numpy array: magic 00 00 08 rank, big-endian u32 sizes."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    assert data[0] == 0 and data[1] == 0 and data[2] == 0x08, f"{path}: not a u8 IDX file"
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(shape)


def load(split):
    images = read_idx(f"{DATA_DIR}/{split}-images-idx3-ubyte.gz").astype(np.float32) / 255
    labels = read_idx(f"{DATA_DIR}/{split}-labels-idx1-ubyte.gz").astype(np.int64)
    # (N, 28, 28) -> (T=28, N, 28): sequence-first, as rnnc's ImagesAsSequences.
    return torch.from_numpy(images).permute(1, 0, 2).contiguous(), torch.from_numpy(labels)


class GruClassifier(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = torch.nn.GRU(28, 128)
        self.dense = torch.nn.Linear(128, 10)

    def forward(self, x):  # x: (T, N, 28)
        _, h_n = self.gru(x)  # (1, N, 128)
        return self.dense(h_n[0])  # (N, 10)


def accuracy(model, x, y, batch_size):
    correct = 0
    with torch.no_grad():
        for begin in range(0, y.shape[0], batch_size):
            logits = model(x[:, begin:begin + batch_size])
            correct += (logits.argmax(1) == y[begin:begin + batch_size]).sum().item()
    return correct / y.shape[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch_size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max_steps_per_epoch", type=int, default=0,
                        help="> 0: stop every epoch after this many steps")
    parser.add_argument("--max_test_examples", type=int, default=0,
                        help="> 0: test on the first this many test images")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    blas = blas_report()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"BLAS: {blas['blas_kind']} (sgemm_ from {blas['sgemm_from']})")
    x_train, y_train = load("train")
    x_test, y_test = load("t10k")
    if 0 < args.max_test_examples < y_test.shape[0]:
        x_test, y_test = x_test[:, :args.max_test_examples], y_test[:args.max_test_examples]
    model = GruClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(args.seed)
    n = y_train.shape[0]
    for epoch in range(1, args.epochs + 1):
        order = torch.randperm(n, generator=generator)
        start = time.perf_counter()
        total_loss = 0.0
        steps = 0
        examples = 0
        for begin in range(0, n, args.batch_size):
            if 0 < args.max_steps_per_epoch <= steps:
                break
            batch = order[begin:begin + args.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[:, batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * batch.shape[0]
            steps += 1
            examples += batch.shape[0]
        seconds = time.perf_counter() - start
        test_start = time.perf_counter()
        test_accuracy = accuracy(model, x_test, y_test, args.batch_size)
        test_seconds = time.perf_counter() - test_start
        print(f"epoch {epoch}: loss {total_loss / examples:.4f}, test accuracy {test_accuracy:.4f}, "
              f"training {seconds:.2f} s ({seconds / steps * 1e3:.2f} ms per step), "
              f"test {test_seconds:.2f} s")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
