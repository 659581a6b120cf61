#!/usr/bin/python3
"""Writes the training golden data: torch.optim's learning-rate schedules,
and optimizers stepped under them.

Run: /usr/bin/python3 tests/golden/gen_training.py. The output,
tests/golden/data/training/schedules.safetensors, is committed; every run
writes the same bytes. It holds (F64 unless said):

  step_lr        StepLR(step_size=3, gamma=0.5) from lr 0.1: the lr of
                 epochs 0..9 (after 0..9 calls of scheduler.step())
  cosine_lr      CosineAnnealingLR(T_max=5, eta_min=0.001) from lr 0.1,
                 epochs 0..11 (past T_max, where it rises again)
  w, b           f32 starting weights (3, 4) and (4)
  grad.w.<k>, grad.b.<k>
                 f32 gradients of step k = 0..4
  adam_cosine.w, adam_cosine.b
                 after 5 steps of Adam(lr=0.01) with CosineAnnealingLR(
                 T_max=4, eta_min=0.001) stepped after every step
  sgd_step.w, sgd_step.b
                 after 5 steps of SGD(lr=0.1, momentum=0.9) with StepLR(
                 step_size=2, gamma=0.5) stepped after every step
  adam_keras.w, adam_keras.b
                 after 5 steps of Adam(lr=0.01, eps=1e-7), Keras's epsilon
"""

import sys

import torch

import gen  # tests/golden/gen.py: the file format

TRAINING_DIR = gen.DATA_DIR / "training"
STEPS = 5


def schedule_values(make, lr, epochs):
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = make(optimizer)
    values = []
    for _ in range(epochs):
        values.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return torch.tensor(values, dtype=torch.float64)


def stepped(tensors, make_optimizer, make_scheduler):
    params = [tensors[name].double().clone().requires_grad_(True) for name in ("w", "b")]
    optimizer = make_optimizer(params)
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    for k in range(STEPS):
        for p, name in zip(params, ("w", "b")):
            p.grad = tensors[f"grad.{name}.{k}"].double()
        optimizer.step()
        if scheduler:
            scheduler.step()
    return [p.detach() for p in params]


def main():
    assert sys.byteorder == "little", "safetensors is little-endian; numpy writes native order"
    torch.manual_seed(7)
    tensors = {
        "step_lr": schedule_values(
            lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), 0.1, 10),
        "cosine_lr": schedule_values(
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=5, eta_min=0.001),
            0.1, 12),
        "w": torch.randn(3, 4),
        "b": torch.randn(4),
    }
    for k in range(STEPS):
        tensors[f"grad.w.{k}"] = torch.randn(3, 4)
        tensors[f"grad.b.{k}"] = torch.randn(4)
    runs = {
        "adam_cosine": (lambda p: torch.optim.Adam(p, lr=0.01),
                        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
                            o, T_max=4, eta_min=0.001)),
        "sgd_step": (lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9),
                     lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5)),
        "adam_keras": (lambda p: torch.optim.Adam(p, lr=0.01, eps=1e-7), None),
    }
    for prefix, (make_optimizer, make_scheduler) in runs.items():
        w, b = stepped(tensors, make_optimizer, make_scheduler)
        tensors[f"{prefix}.w"] = w
        tensors[f"{prefix}.b"] = b
    TRAINING_DIR.mkdir(parents=True, exist_ok=True)
    data = gen.safetensors_bytes(tensors, {"generator": "gen_training.py"})
    (TRAINING_DIR / "schedules.safetensors").write_bytes(data)
    print(f"{len(tensors)} tensors, {len(data)} B in {TRAINING_DIR / 'schedules.safetensors'}")


if __name__ == "__main__":
    main()
