#!/usr/bin/python3
"""Writes the golden data rnnc is checked against: recurrent layers run by PyTorch.

Run: /usr/bin/python3 tests/golden/gen.py. The output, tests/golden/data/, is
committed, so the C++ tests need no Python. Every run writes the same bytes.

Each case file <case>.safetensors holds one `rnn`/`lstm`/`gru` layer op's
inputs and expected results (see docs/IR.md):

  __metadata__  cell, activation (rnn), reset (gru), direction, merge
                ("concat" unless bidirectional), hidden_size, input_size,
                num_layers, seq_len, batch, has_initial_state -- all strings
  x             (T, N, I) F32
  weight_ih_l{l}, weight_hh_l{l}, bias_ih_l{l}, bias_hh_l{l} (+ _reverse for the
                reverse half of a bidirectional layer) F32, PyTorch's default
                init and gate order; a reverse-only layer has one direction,
                so its weights carry no _reverse suffix
  h0, c0        (L*D, N, H) F32, when has_initial_state
  output        (T, N, H_out) F64; h_n and, for lstm, c_n (L*D, N, H) F64

Expected values are computed in float64 from the stored f32 inputs. PyTorch
lacks the reset-before GRU, a reverse-only direction and the sum/mul/ave
merges; those come from a reference written in torch ops, which is first
checked against nn.RNN/nn.LSTM/nn.GRU on every case PyTorch can express.

Also written: classifier.safetensors (a PyTorch state_dict, loaded by rnnc
without renaming) and dtypes.safetensors (fixtures for the reader).
"""

import copy
import dataclasses
import json
import pathlib
import struct
import sys
import zlib

import torch
from torch import nn

DATA_DIR = pathlib.Path(__file__).resolve().parent / "data"
TOLERANCE = 1e-12  # reference vs PyTorch, both in float64

SAFETENSORS_DTYPES = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
}


def safetensors_bytes(tensors, metadata):
    """The safetensors layout: u64 header length, JSON header padded with
    spaces to a multiple of 8, then the tensors' bytes in name order."""
    header = {"__metadata__": metadata} if metadata else {}
    chunks, offset = [], 0
    for name in sorted(tensors):
        tensor = tensors[name].contiguous()
        if tensor.dtype == torch.bfloat16:  # numpy has no bfloat16
            tensor = tensor.view(torch.int16)
        data = tensor.numpy().tobytes()
        header[name] = {
            "dtype": SAFETENSORS_DTYPES[tensors[name].dtype],
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


@dataclasses.dataclass
class Case:
    name: str
    cell: str  # "rnn", "lstm", "gru"
    activation: str = "tanh"  # rnn only
    reset: str = "after"  # gru only
    direction: str = "forward"
    merge: str = "concat"
    seq_len: int = 5
    batch: int = 3
    input_size: int = 4
    hidden_size: int = 6
    num_layers: int = 1
    has_initial_state: bool = False

    @property
    def num_directions(self):
        return 2 if self.direction == "bidirectional" else 1

    def metadata(self):
        meta = {"cell": self.cell}
        if self.cell == "rnn":
            meta["activation"] = self.activation
        if self.cell == "gru":
            meta["reset"] = self.reset
        meta.update(
            direction=self.direction,
            merge=self.merge,
            hidden_size=str(self.hidden_size),
            input_size=str(self.input_size),
            num_layers=str(self.num_layers),
            seq_len=str(self.seq_len),
            batch=str(self.batch),
            has_initial_state="true" if self.has_initial_state else "false",
        )
        return meta


def all_cases():
    variants = [
        ("rnn_tanh", dict(cell="rnn", activation="tanh")),
        ("rnn_relu", dict(cell="rnn", activation="relu")),
        ("lstm", dict(cell="lstm")),
        ("gru_after", dict(cell="gru", reset="after")),
        ("gru_before", dict(cell="gru", reset="before")),
    ]
    shapes = [
        ("basic", dict()),
        ("init", dict(has_initial_state=True)),
        ("stacked2", dict(num_layers=2)),
        ("stacked3_init", dict(num_layers=3, has_initial_state=True, input_size=5, hidden_size=3)),
        ("bidirectional", dict(direction="bidirectional")),
        ("bidirectional_stacked2_init",
         dict(direction="bidirectional", num_layers=2, has_initial_state=True, input_size=7,
              hidden_size=5)),
        ("t1", dict(seq_len=1)),
        ("n1", dict(batch=1, seq_len=6)),
        ("reverse", dict(direction="reverse")),
        ("reverse_stacked2_init", dict(direction="reverse", num_layers=2, has_initial_state=True)),
    ]
    merges = [
        ("bidirectional_sum", dict(direction="bidirectional", merge="sum")),
        ("bidirectional_mul", dict(direction="bidirectional", merge="mul")),
        ("bidirectional_ave_stacked2_init",
         dict(direction="bidirectional", merge="ave", num_layers=2, has_initial_state=True)),
    ]
    cases = []
    for prefix, variant in variants:
        extra = merges if prefix in ("lstm", "gru_after") else []
        for suffix, shape in shapes + extra:
            cases.append(Case(name=f"{prefix}_{suffix}", **variant, **shape))
    return cases


def seed_for(name):
    # From the name, so adding a case leaves the others' data unchanged.
    return zlib.crc32(name.encode())


# --- The reference, in torch ops, from the equations in docs/IR.md ---------


def cell_step(case, reset, x_t, h, c, w_ih, w_hh, b_ih, b_hh):
    """One time step. x_t (N, I), h and c (N, H); W = w_ih, U = w_hh, b = b_ih,
    c = b_hh, in blocks of H rows in PyTorch's gate order."""
    gx = x_t @ w_ih.T + b_ih  # (N, G*H)
    if case.cell == "rnn":
        # h' = act(W x + b + U h + c)
        s = gx + h @ w_hh.T + b_hh
        return (torch.tanh(s) if case.activation == "tanh" else torch.relu(s)), None
    if case.cell == "lstm":
        # i, f, o = σ(...), g = tanh(...); c' = f*c + i*g; h' = o*tanh(c')
        i, f, g, o = (gx + h @ w_hh.T + b_hh).chunk(4, dim=1)
        c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        return torch.sigmoid(o) * torch.tanh(c_next), c_next
    # GRU: r, z = σ(W x + b + U h + c) for their blocks; h' = z*h + (1-z)*n
    gx_r, gx_z, gx_n = gx.chunk(3, dim=1)
    u_r, u_z, u_n = w_hh.chunk(3, dim=0)
    c_r, c_z, c_n = b_hh.chunk(3)
    r = torch.sigmoid(gx_r + h @ u_r.T + c_r)
    z = torch.sigmoid(gx_z + h @ u_z.T + c_z)
    if reset == "after":
        n = torch.tanh(gx_n + r * (h @ u_n.T + c_n))  # n = tanh(W_n x + b_n + r*(U_n h + c_n))
    else:
        n = torch.tanh(gx_n + (r * h) @ u_n.T + c_n)  # n = tanh(W_n x + b_n + U_n (r*h) + c_n)
    return z * h + (1 - z) * n, None


def reference(case, reset, params, x, h0, c0):
    """The layer stack step by step: (output before merging, h_n, c_n)."""
    T, N, H = x.shape[0], x.shape[1], case.hidden_size
    reversed_per_direction = {
        "forward": [False],
        "reverse": [True],
        "bidirectional": [False, True],
    }[case.direction]
    D = case.num_directions
    h_n, c_n, layer_input = [], [], x
    for layer in range(case.num_layers):
        outputs = []
        for d, backwards in enumerate(reversed_per_direction):
            suffix = f"_l{layer}" + ("_reverse" if d == 1 else "")
            weights = [params[p + suffix] for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            state = layer * D + d
            h = h0[state] if h0 is not None else x.new_zeros(N, H)
            c = c0[state] if c0 is not None else x.new_zeros(N, H)
            out = x.new_zeros(T, N, H)
            # A reverse direction reads t = T-1 down to 0 and writes where it read.
            for t in reversed(range(T)) if backwards else range(T):
                h, c_next = cell_step(case, reset, layer_input[t], h, c, *weights)
                c = c_next if c_next is not None else c
                out[t] = h
            outputs.append(out)
            h_n.append(h)
            c_n.append(c)
        # Between layers the directions are always concatenated.
        layer_input = torch.cat(outputs, dim=2)
    return layer_input, torch.stack(h_n), torch.stack(c_n) if case.cell == "lstm" else None


# --- PyTorch ------------------------------------------------------------------


def make_module(case):
    """The PyTorch layer whose default init gives the case's weights; for the
    reset-before GRU, an nn.GRU is used for its weights only (same layout)."""
    kwargs = dict(
        input_size=case.input_size,
        hidden_size=case.hidden_size,
        num_layers=case.num_layers,
        bidirectional=case.direction == "bidirectional",
    )
    if case.cell == "rnn":
        return nn.RNN(nonlinearity=case.activation, **kwargs)
    return nn.LSTM(**kwargs) if case.cell == "lstm" else nn.GRU(**kwargs)


def run_pytorch(case, module, x, h0, c0):
    """(output before merging, h_n, c_n) from the nn module (reset-after for GRU).
    Reverse-only: the forward layer on x flipped in time, output flipped back."""
    if case.direction == "reverse":
        x = x.flip(0)
    state = None
    if h0 is not None:
        state = (h0, c0) if case.cell == "lstm" else h0
    output, final = module(x, state)
    if case.direction == "reverse":
        output = output.flip(0)
    if case.cell == "lstm":
        return output, final[0], final[1]
    return output, final, None


def merge(case, output):
    if case.merge == "concat":
        return output
    forward, backward = output.split(case.hidden_size, dim=2)
    if case.merge == "sum":
        return forward + backward
    if case.merge == "mul":
        return forward * backward
    return (forward + backward) / 2


def assert_close(what, actual, expected):
    error = (actual - expected).abs().max().item() if actual.numel() else 0.0
    if error > TOLERANCE * max(1.0, expected.abs().max().item()):
        sys.exit(f"gen.py self-check failed: {what} differs from PyTorch by {error:.3g}")


def generate_case(case):
    torch.manual_seed(seed_for(case.name))
    module = make_module(case)
    D, L, H = case.num_directions, case.num_layers, case.hidden_size
    x = torch.randn(case.seq_len, case.batch, case.input_size)
    h0 = c0 = None
    if case.has_initial_state:
        h0 = torch.randn(L * D, case.batch, H)
        if case.cell == "lstm":
            c0 = torch.randn(L * D, case.batch, H)
    params = {name: p.detach().clone() for name, p in module.state_dict().items()}

    # Everything below in float64 from the f32 values stored in the file.
    module64 = copy.deepcopy(module).double()
    params64 = {name: p.double() for name, p in params.items()}
    x64, h064, c064 = (t.double() if t is not None else None for t in (x, h0, c0))
    with torch.no_grad():
        # The reference must match PyTorch wherever PyTorch applies (reset-after
        # for a GRU, the flip trick for reverse) before it is trusted alone.
        expected = run_pytorch(case, module64, x64, h064, c064)
        checked = reference(case, "after", params64, x64, h064, c064)
        for what, a, b in zip(("output", "h_n", "c_n"), checked, expected):
            if b is not None:
                assert_close(f"{case.name} {what}", a, b)
        if case.cell == "gru" and case.reset == "before":
            expected = reference(case, "before", params64, x64, h064, c064)
    output, h_n, c_n = expected

    tensors = dict(params, x=x, output=merge(case, output), h_n=h_n)
    if c_n is not None:
        tensors["c_n"] = c_n
    if h0 is not None:
        tensors["h0"] = h0
    if c0 is not None:
        tensors["c0"] = c0
    return tensors


def check_reset_before():
    """Reset-before differs from reset-after only through U_n (r*h) vs
    r*(U_n h + c_n): from h = 0 with c_n = 0 one step must agree, and in
    general the two must differ, or the cases would test nothing new."""
    case = Case(name="check", cell="gru")
    torch.manual_seed(0)
    params = {n: p.detach().double() for n, p in make_module(case).state_dict().items()}
    x = torch.randn(1, case.batch, case.input_size, dtype=torch.float64)
    h = torch.randn(1, case.batch, case.hidden_size, dtype=torch.float64)
    after = reference(case, "after", params, x, h, None)[0]
    before = reference(case, "before", params, x, h, None)[0]
    if (after - before).abs().max() < 1e-3:
        sys.exit("gen.py self-check failed: reset-before equals reset-after")
    params["bias_hh_l0"][2 * case.hidden_size:] = 0
    zero = torch.zeros_like(h)
    assert_close("reset-before from a zero state",
                 reference(case, "before", params, x, zero, None)[0],
                 reference(case, "after", params, x, zero, None)[0])


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru1 = nn.GRU(50, 128)
        self.gru2 = nn.GRU(128, 64)
        self.dense = nn.Linear(64, 1)

    def forward(self, x):  # x (T, N, 50)
        sequence, _ = self.gru1(x)  # (T, N, 128)
        _, h_n = self.gru2(sequence)  # (1, N, 64)
        return torch.sigmoid(self.dense(h_n[-1]))  # (N, 1)


def generate_classifier():
    torch.manual_seed(seed_for("classifier"))
    model = Classifier()
    x = torch.randn(12, 4, 50)
    tensors = {name: p.detach().clone() for name, p in model.state_dict().items()}
    with torch.no_grad():
        y = copy.deepcopy(model).double()(x.double())
    return dict(tensors, x=x, y=y)


def generate_dtypes():
    # Exact in every dtype, then rounded ones, an f16 subnormal (1e-6) and an
    # f16 near its maximum (60000).
    values = torch.tensor([[0.0, 1.0, -2.5, 0.1], [3.14159265, 1e-6, 60000.0, -0.0078125]])
    return {
        "f32": values,
        "f64": values.double(),
        "f16": values.half(),
        "bf16": values.bfloat16(),
        "ints": torch.tensor([[1, -2, 3], [4, 5, -6]], dtype=torch.int64),
    }


def write(name, tensors, metadata, summary):
    data = safetensors_bytes(tensors, metadata)
    (DATA_DIR / f"{name}.safetensors").write_bytes(data)
    print(f"{name:40s} {len(data):6d} B  {summary}")
    return name


def main():
    assert sys.byteorder == "little", "safetensors is little-endian; numpy writes native order"
    torch.set_num_threads(1)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    check_reset_before()
    written = set()
    for case in all_cases():
        tensors = generate_case(case)
        details = " ".join(f"{k}={v}" for k, v in case.metadata().items())
        written.add(write(case.name, tensors, case.metadata(), details))
    written.add(write("classifier", generate_classifier(), {"model": "classifier"},
                      "GRU(50,128) -> GRU(128,64) -> Linear(64,1), x (12,4,50), y (4,1)"))
    written.add(write("dtypes", generate_dtypes(), {},
                      "f32 f64 f16 bf16 of one (2,4) tensor, ints I64"))
    for stale in DATA_DIR.glob("*.safetensors"):
        if stale.stem not in written:
            stale.unlink()
            print(f"removed stale {stale.name}")
    print(f"{len(written)} files in {DATA_DIR}")


if __name__ == "__main__":
    main()
