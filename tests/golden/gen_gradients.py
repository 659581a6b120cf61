#!/usr/bin/python3
"""Writes the gradient golden data: PyTorch's gradients of recurrent layers.

Run: /usr/bin/python3 tests/golden/gen_gradients.py. The output,
tests/golden/data/gradients/grad_<case>.safetensors, is committed. Every run
writes the same bytes. (A folder of its own: gen.py lists and prunes the
*.safetensors of data/ as forward cases.)

Each file is a forward case exactly as gen.py writes it (metadata, x, the
weights, h0/c0, and the expected output, h_n, c_n), plus

  r.output, r.h_n, r.c_n   fixed random weights R of the loss
                            L = Σ output·r.output + Σ h_n·r.h_n (+ Σ c_n·r.c_n)
                            so that every element of every result matters (F64)
  grad.<weight>, grad.x, grad.h0, grad.c0
                            ∂L/∂ each, by autograd in float64 (F64)

Also optimizer_steps.safetensors: the weights and gradients of
grad_gru_after_basic (as f32, what rnnc reads) and the weights after two
steps with those gradients of torch.optim.Adam(lr=0.01), AdamW(lr=0.01,
weight_decay=0.1) and SGD(lr=0.1, momentum=0.9, nesterov=True,
weight_decay=0.01), in float64: adam.<weight>, adamw.<weight>, sgd.<weight>.

And batch_norm_training.safetensors: one step of nn.BatchNorm1d in train()
mode, for a sequence (T, N, C) (statistics over T·N, momentum 0.1) and a
batch (N, C) (momentum 0.25), each under its prefix seq. / flat.: x, weight,
bias, running_mean, running_var (before), r (the loss L = Σ y·r), y, the
running statistics after the step (next.running_mean, next.running_var) and
grad.x, grad.weight, grad.bias (F64).

And batch_norm_gru.safetensors: the BN-GRU (rnnc's nn::BatchNormGRU: a GRU
whose input projection x·W_ihᵀ goes through BatchNorm1d over T·N), written in
torch ops, for reset after and before (prefixes after. / before.): the
weights (weight_ih_l0, weight_hh_l0, bias_hh_l0, bn_ih.weight, bn_ih.bias,
bn_ih.running_mean, bn_ih.running_var), x, r (L = Σ output·r), eval.output
(running statistics), train.output, train.next.running_mean/var, and
train.grad.<weight>, train.grad.x (F64).

The forward pass is PyTorch's nn.RNN/nn.LSTM/nn.GRU where PyTorch has the
layer, and gen.py's torch-ops reference for the reset-before GRU (checked
there against PyTorch on every case PyTorch can express).
"""

import sys

import torch

import gen  # tests/golden/gen.py: cases, modules, the reference, the file format

GRADIENT_DIR = gen.DATA_DIR / "gradients"


def gradient_cases():
    small = dict(seq_len=4, batch=2, input_size=3, hidden_size=4)
    variants = [
        ("rnn_tanh", dict(cell="rnn", activation="tanh")),
        ("lstm", dict(cell="lstm")),
        ("gru_after", dict(cell="gru", reset="after")),
        ("gru_before", dict(cell="gru", reset="before")),
    ]
    shapes = [
        ("basic", dict()),
        ("init", dict(has_initial_state=True)),
        ("stacked2", dict(num_layers=2)),
        ("bidirectional_init", dict(direction="bidirectional", has_initial_state=True)),
        ("bidirectional_stacked2", dict(direction="bidirectional", num_layers=2)),
    ]
    cases = [gen.Case(name=f"grad_{prefix}_{suffix}", **variant, **shape, **small)
             for prefix, variant in variants for suffix, shape in shapes]
    cases.append(gen.Case(name="grad_rnn_relu_reverse_init", cell="rnn", activation="relu",
                          direction="reverse", has_initial_state=True, **small))
    cases.append(gen.Case(name="grad_gru_after_bidirectional_ave", cell="gru",
                          direction="bidirectional", merge="ave", **small))
    return cases


def generate(case):
    tensors = gen.generate_case(case)  # f32 inputs and weights, F64 expected results
    torch.manual_seed(gen.seed_for(case.name + ".r"))
    results = ["output", "h_n"] + (["c_n"] if case.cell == "lstm" else [])
    r = {name: torch.randn(tensors[name].shape, dtype=torch.float64) for name in results}

    module = gen.make_module(case).double()
    leaves = {}
    for name, p in module.named_parameters():
        p.data.copy_(tensors[name].double())
        leaves[name] = p
    for name in ("x", "h0", "c0"):
        if name in tensors:
            leaves[name] = tensors[name].double().requires_grad_(True)
    h0, c0 = leaves.get("h0"), leaves.get("c0")
    if case.cell == "gru" and case.reset == "before":
        params = {name: leaves[name] for name, _ in module.named_parameters()}
        output, h_n, c_n = gen.reference(case, "before", params, leaves["x"], h0, c0)
    else:
        output, h_n, c_n = gen.run_pytorch(case, module, leaves["x"], h0, c0)
    computed = {"output": gen.merge(case, output), "h_n": h_n, "c_n": c_n}
    for name in results:  # the forward must be the one gen.py stores
        gen.assert_close(f"{case.name} {name}", computed[name].detach(), tensors[name])
    loss = sum((computed[name] * r[name]).sum() for name in results)
    names = list(leaves)
    gradients = torch.autograd.grad(loss, [leaves[name] for name in names])
    for name, gradient in zip(names, gradients):
        tensors[f"grad.{name}"] = gradient.detach()
    for name in results:
        tensors[f"r.{name}"] = r[name]
    return tensors


OPTIMIZERS = {
    "adam": lambda params: torch.optim.Adam(params, lr=0.01),
    "adamw": lambda params: torch.optim.AdamW(params, lr=0.01, weight_decay=0.1),
    "sgd": lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True,
                                          weight_decay=0.01),
}


def optimizer_steps(case_tensors):
    names = [n for n in case_tensors if n.startswith(("weight_", "bias_"))]
    tensors = {}
    for name in names:
        tensors[name] = case_tensors[name]
        tensors[f"grad.{name}"] = case_tensors[f"grad.{name}"].float()
    for prefix, make in OPTIMIZERS.items():
        params = [tensors[name].double().clone().requires_grad_(True) for name in names]
        optimizer = make(params)
        for _ in range(2):
            for p, name in zip(params, names):
                p.grad = tensors[f"grad.{name}"].double()
            optimizer.step()
        for p, name in zip(params, names):
            tensors[f"{prefix}.{name}"] = p.detach()
    return tensors


def batch_norm_training():
    tensors = {}
    generator = torch.Generator().manual_seed(11)
    for prefix, shape, momentum in (("seq", (5, 3, 4), 0.1), ("flat", (6, 4), 0.25)):
        channels = shape[-1]
        def random(*size, low=-1.0, high=1.0):
            return torch.rand(*size, generator=generator, dtype=torch.float64) * (high - low) + low
        x = random(*shape, low=-2.0, high=3.0).requires_grad_(True)
        bn = torch.nn.BatchNorm1d(channels, eps=1e-5, momentum=momentum).double()
        with torch.no_grad():
            bn.weight.copy_(random(channels, low=0.5, high=1.5))
            bn.bias.copy_(random(channels))
            bn.running_mean.copy_(random(channels))
            bn.running_var.copy_(random(channels, low=0.5, high=2.0))
        before = {name: getattr(bn, name).detach().clone()
                  for name in ("weight", "bias", "running_mean", "running_var")}
        r = random(*shape)
        bn.train()
        y = bn(x.reshape(-1, channels)).reshape(shape)
        (y * r).sum().backward()
        tensors.update({f"{prefix}.{name}": value for name, value in before.items()})
        tensors.update({
            f"{prefix}.x": x.detach(), f"{prefix}.r": r, f"{prefix}.y": y.detach(),
            f"{prefix}.next.running_mean": bn.running_mean.detach().clone(),
            f"{prefix}.next.running_var": bn.running_var.detach().clone(),
            f"{prefix}.grad.x": x.grad, f"{prefix}.grad.weight": bn.weight.grad,
            f"{prefix}.grad.bias": bn.bias.grad,
        })
    return tensors


def batch_norm_gru():
    steps, batch, inputs, hidden = 5, 3, 3, 4
    generator = torch.Generator().manual_seed(12)
    def random(*size, low=-1.0, high=1.0):
        return torch.rand(*size, generator=generator, dtype=torch.float64) * (high - low) + low
    tensors = {}
    for reset in ("after", "before"):
        weights = {
            "weight_ih_l0": random(3 * hidden, inputs),
            "weight_hh_l0": random(3 * hidden, hidden),
            "bias_hh_l0": random(3 * hidden),
            "bn_ih.weight": random(3 * hidden, low=0.5, high=1.5),
            "bn_ih.bias": random(3 * hidden),
            "bn_ih.running_mean": random(3 * hidden),
            "bn_ih.running_var": random(3 * hidden, low=0.5, high=2.0),
        }
        x = random(steps, batch, inputs, low=-2.0, high=2.0)
        r = random(steps, batch, hidden)
        for name, value in weights.items():
            tensors[f"{reset}.{name}"] = value
        tensors[f"{reset}.x"] = x
        tensors[f"{reset}.r"] = r
        for mode in ("eval", "train"):
            params = {name: value.clone().requires_grad_(True) for name, value in weights.items()}
            x_mode = x.clone().requires_grad_(True)
            bn = torch.nn.BatchNorm1d(3 * hidden, eps=1e-5, momentum=0.1).double()
            with torch.no_grad():
                bn.running_mean.copy_(weights["bn_ih.running_mean"])
                bn.running_var.copy_(weights["bn_ih.running_var"])
            bn.train(mode == "train")
            projected = x_mode @ params["weight_ih_l0"].T
            normalized = torch.nn.functional.batch_norm(
                projected.reshape(-1, 3 * hidden), bn.running_mean, bn.running_var,
                params["bn_ih.weight"], params["bn_ih.bias"], training=mode == "train",
                momentum=0.1, eps=1e-5).reshape(steps, batch, 3 * hidden)
            w_hr, w_hz, w_hn = params["weight_hh_l0"].chunk(3)
            b_hr, b_hz, b_hn = params["bias_hh_l0"].chunk(3)
            h = torch.zeros(batch, hidden, dtype=torch.float64)
            outputs = []
            for t in range(steps):
                x_r, x_z, x_n = normalized[t].chunk(3, dim=1)
                r_gate = torch.sigmoid(x_r + h @ w_hr.T + b_hr)
                z_gate = torch.sigmoid(x_z + h @ w_hz.T + b_hz)
                if reset == "after":
                    n = torch.tanh(x_n + r_gate * (h @ w_hn.T + b_hn))
                else:
                    n = torch.tanh(x_n + (r_gate * h) @ w_hn.T + b_hn)
                h = z_gate * h + (1 - z_gate) * n
                outputs.append(h)
            output = torch.stack(outputs)
            tensors[f"{reset}.{mode}.output"] = output.detach()
            if mode == "train":
                (output * r).sum().backward()
                tensors[f"{reset}.train.next.running_mean"] = bn.running_mean.detach().clone()
                tensors[f"{reset}.train.next.running_var"] = bn.running_var.detach().clone()
                tensors[f"{reset}.train.grad.x"] = x_mode.grad
                for name in ("weight_ih_l0", "weight_hh_l0", "bias_hh_l0", "bn_ih.weight",
                             "bn_ih.bias"):
                    tensors[f"{reset}.train.grad.{name}"] = params[name].grad
    return tensors


def main():
    assert sys.byteorder == "little", "safetensors is little-endian; numpy writes native order"
    torch.set_num_threads(1)
    GRADIENT_DIR.mkdir(parents=True, exist_ok=True)
    written = set()
    for case in gradient_cases():
        tensors = generate(case)
        data = gen.safetensors_bytes(tensors, case.metadata())
        (GRADIENT_DIR / f"{case.name}.safetensors").write_bytes(data)
        written.add(case.name)
        print(f"{case.name:40s} {len(data):6d} B")
        if case.name == "grad_gru_after_basic":
            steps = gen.safetensors_bytes(optimizer_steps(tensors), {"from": case.name})
            (GRADIENT_DIR / "optimizer_steps.safetensors").write_bytes(steps)
            written.add("optimizer_steps")
    (GRADIENT_DIR / "batch_norm_training.safetensors").write_bytes(
        gen.safetensors_bytes(batch_norm_training(), {"op": "batch_norm"}))
    written.add("batch_norm_training")
    (GRADIENT_DIR / "batch_norm_gru.safetensors").write_bytes(
        gen.safetensors_bytes(batch_norm_gru(), {"layer": "batch_norm_gru"}))
    written.add("batch_norm_gru")
    for stale in GRADIENT_DIR.glob("*.safetensors"):
        if stale.stem not in written:
            stale.unlink()
            print(f"removed stale {stale.name}")
    print(f"{len(written)} files in {GRADIENT_DIR}")


if __name__ == "__main__":
    main()
