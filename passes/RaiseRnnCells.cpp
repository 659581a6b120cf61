// raise-rnn-cells: a scan whose body computes a known cell on PyTorch-layout
// weights becomes the single-layer rnn, lstm or gru op, which oneDNN runs as
// one primitive. The match is structural, never by name: each gate's
// pre-activation is read as a sum of terms input · weight[rows]ᵀ and
// bias[rows] (through matmuls with transpose_b, adds, and splits or slices
// of weights and of gate blocks), and the gates must be blocks 0..G-1 of the
// same four weights, combined by the cell's equations (docs/IR.md):
//   rnn:  h' = tanh|relu(W x + b + U h + c)
//   lstm: c' = f * c + i * g,  h' = o * tanh(c')       (gates i, f, g, o)
//   gru:  h' = z * h + (1 - z) * n,                    (gates r, z, n)
//         n = tanh(W_n x + b_n + r * (U_n h + c_n))    reset after
//         n = tanh(W_n x + b_n + U_n (r * h) + c_n)    reset before
// Additions and elementwise products match in either operand order. The
// scan must have one sequence, the carries h (and c), and one output, h'.
//
// Before (as expand-rnn-layers writes a forward tanh RNN, weights sliced
// before the scan, or unsliced as a DSL cell would use them):
//   %h_T: f32[N, 4], %hs: f32[T, N, 4] = scan(%zeros, %x) {carries = 1, reverse = false} {
//     ^(%h: f32[N, 4], %x_t: f32[N, 3]):
//     %0 = matmul(%x_t, %w) {transpose_b = true}; %1 = add(%0, %b)
//     %2 = matmul(%h, %u) {transpose_b = true};   %3 = add(%2, %c)
//     %h_next = tanh(add(%1, %3)); yield(%h_next, %h_next)
//   }
// After:
//   %hs: f32[T, N, 4], %hs.h_n: f32[1, N, 4] = rnn(%x, %w, %u, %b, %c) {activation = "tanh", direction = "forward", hidden_size = 4, num_layers = 1}
//   %h_T: f32[N, 4] = select(%hs.h_n) {axis = 0, index = 0}
#include <algorithm>
#include <optional>
#include <tuple>

#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

using ir::OpKind;
using ir::Value;

// input · weight[begin:end]ᵀ, or bias[begin:end] when input is null.
struct Term {
  Value* input;
  Value* weight;
  int64_t begin, end;
  bool operator<(const Term& o) const {
    return std::tie(input, weight, begin, end) < std::tie(o.input, o.weight, o.begin, o.end);
  }
  bool operator==(const Term& o) const {
    return std::tie(input, weight, begin, end) == std::tie(o.input, o.weight, o.begin, o.end);
  }
};
// A sum of terms, in the order the adds list them.
using Sum = std::vector<Term>;

// The four weights of the layer op, and its hidden size.
struct Weights {
  Value *w = nullptr, *u = nullptr, *b = nullptr, *c = nullptr;
  int64_t hidden = 0;
};

// The operands of a commutative op defined by `kind`, first the one `pick`
// accepts; nullopt if neither order fits.
template <typename Pick>
std::optional<std::pair<Value*, Value*>> Operands(Value* v, OpKind kind, Pick pick) {
  const ir::Op* op = DefiningOp(v, kind);
  if (op == nullptr) return std::nullopt;
  if (pick(op->operand(0))) return std::pair{op->operand(0), op->operand(1)};
  if (pick(op->operand(1))) return std::pair{op->operand(1), op->operand(0)};
  return std::nullopt;
}

class CellMatcher {
 public:
  explicit CellMatcher(const ir::Op& scan) : scan_(scan) {}

  // `value` as a sum of terms, or nullopt.
  std::optional<Sum> AsSum(Value* value) const {
    if (IsDefinedOutside(value, &scan_)) {
      auto rows = Rows(value);
      if (!rows || value->type().rank() != 1) return std::nullopt;
      return Sum{{nullptr, rows->weight, rows->begin, rows->end}};
    }
    const ir::Op* op = value->defining_op();
    if (op == nullptr) return std::nullopt;
    if (op->kind() == OpKind::Matmul && op->bool_attribute("transpose_b")) {
      auto rows = Rows(op->operand(1));
      if (!rows) return std::nullopt;
      return Sum{{op->operand(0), rows->weight, rows->begin, rows->end}};
    }
    if (op->kind() == OpKind::Add) {
      auto a = AsSum(op->operand(0)), b = AsSum(op->operand(1));
      if (!a || !b) return std::nullopt;
      a->insert(a->end(), b->begin(), b->end());
      return a;
    }
    // A block of the columns: split or slice of the last axis.
    const ir::Op* source =
        op->kind() == OpKind::Split || op->kind() == OpKind::Slice ? op : nullptr;
    if (source == nullptr) return std::nullopt;
    const int64_t rank = op->operand(0)->type().rank();
    const int64_t axis = op->int_attribute("axis");
    if (axis != -1 && axis != rank - 1) return std::nullopt;
    int64_t offset = 0;
    if (op->kind() == OpKind::Split) {
      const std::vector<int64_t> sizes = op->ints_attribute("sizes");
      for (size_t i = 0; op->result(i) != value; ++i) offset += sizes[i];
    } else {
      offset = op->int_attribute("start");
      if (offset < 0) return std::nullopt;
    }
    const int64_t width = value->type().dims().back().size();
    auto sum = AsSum(op->operand(0));
    if (!sum) return std::nullopt;
    for (Term& term : *sum)
      term = {term.input, term.weight, term.begin + offset, term.begin + offset + width};
    return sum;
  }

  // `sum` equals the terms listed, in any order.
  static bool Equal(Sum sum, Sum expected) {
    std::sort(sum.begin(), sum.end());
    std::sort(expected.begin(), expected.end());
    return sum == expected;
  }

  const ir::Op& scan() const { return scan_; }

 private:
  struct RowRange {
    Value* weight;
    int64_t begin, end;
  };
  // A loop-invariant value as rows [begin, end) of the value it is sliced
  // from (along axis 0, possibly repeatedly).
  std::optional<RowRange> Rows(Value* value) const {
    if (!IsDefinedOutside(value, &scan_) || value->type().rank() == 0 ||
        !value->type().dim(0).is_static()) {
      return std::nullopt;
    }
    const ir::Op* slice = DefiningOp(value, OpKind::Slice);
    if (slice == nullptr || slice->int_attribute("axis") != 0 ||
        slice->int_attribute("start") < 0) {
      return RowRange{value, 0, value->type().dim(0).size()};
    }
    auto outer = Rows(slice->operand(0));
    if (!outer) return std::nullopt;
    const int64_t start = outer->begin + slice->int_attribute("start");
    return RowRange{outer->weight, start, start + value->type().dim(0).size()};
  }

  const ir::Op& scan_;
};

// Gate k of `w`: W_k x + b_k + U_k h + c_k.
Sum Gate(const Weights& w, int64_t k, Value* x, Value* h) {
  const int64_t begin = k * w.hidden, end = (k + 1) * w.hidden;
  return {{x, w.w, begin, end},
          {nullptr, w.b, begin, end},
          {h, w.u, begin, end},
          {nullptr, w.c, begin, end}};
}

// The weights read off a sum of x·Wᵀ, h·Uᵀ and two biases.
std::optional<Weights> WeightsOf(const Sum& sum, Value* x, Value* h, int64_t hidden) {
  Weights w;
  w.hidden = hidden;
  for (const Term& t : sum) {
    Value** slot = t.input == x         ? &w.w
                   : t.input == h       ? &w.u
                   : t.input == nullptr ? (w.b ? &w.c : &w.b)
                                        : nullptr;
    if (slot == nullptr || *slot != nullptr) return std::nullopt;
    *slot = t.weight;
  }
  if (!w.w || !w.u || !w.b || !w.c) return std::nullopt;
  return w;
}

// The argument of a unary op of `kind` defining `v`, or null.
Value* ArgumentOf(Value* v, OpKind kind) {
  const ir::Op* op = DefiningOp(v, kind);
  return op != nullptr ? op->operand(0) : nullptr;
}

struct Match {
  OpKind kind;
  ir::AttributeMap attributes;
  Weights weights;
};

// rnn: h' = act(W x + b + U h + c)
std::optional<Match> MatchRnn(const CellMatcher& m, Value* h_next, Value* x, Value* h) {
  for (OpKind act : {OpKind::Tanh, OpKind::Relu}) {
    Value* pre = ArgumentOf(h_next, act);
    auto sum = pre ? m.AsSum(pre) : std::nullopt;
    auto w = sum ? WeightsOf(*sum, x, h, h->type().dims().back().size()) : std::nullopt;
    if (w && CellMatcher::Equal(*sum, Gate(*w, 0, x, h))) {
      return Match{
          OpKind::Rnn, {{"activation", std::string(act == OpKind::Tanh ? "tanh" : "relu")}}, *w};
    }
  }
  return std::nullopt;
}

// gru: h' = z * h + (1 - z) * n, n as the header says.
std::optional<Match> MatchGru(const CellMatcher& m, Value* h_next, Value* x, Value* h) {
  auto is_z_times_h = [&](Value* v) {
    return Operands(v, OpKind::Mul, [&](Value* o) { return o == h; }).has_value();
  };
  auto terms = Operands(h_next, OpKind::Add, is_z_times_h);
  if (!terms) return std::nullopt;
  Value* z = Operands(terms->first, OpKind::Mul, [&](Value* o) { return o == h; })->second;
  auto one_minus_z = [&](Value* v) {
    const ir::Op* sub = DefiningOp(v, OpKind::Sub);
    return sub != nullptr && IsFull(sub->operand(0), 1.0) && sub->operand(1) == z;
  };
  auto candidate = Operands(terms->second, OpKind::Mul, one_minus_z);
  Value* pre_n = candidate ? ArgumentOf(candidate->second, OpKind::Tanh) : nullptr;
  if (pre_n == nullptr) return std::nullopt;
  const int64_t hidden = h->type().dims().back().size();

  Weights w;
  Value* r = nullptr;
  bool reset_after = true;
  if (auto sum = m.AsSum(pre_n)) {
    // before: W_n x + b_n + U_n (r * h) + c_n, where (r * h) is one input.
    Value* rh = nullptr;
    for (const Term& t : *sum) {
      if (t.input != nullptr && t.input != x) rh = t.input;
    }
    auto r_and_h = rh ? Operands(rh, OpKind::Mul, [&](Value* o) { return o != h; }) : std::nullopt;
    if (!r_and_h || r_and_h->second != h) return std::nullopt;
    r = r_and_h->first;
    auto found = WeightsOf(*sum, x, rh, hidden);
    if (!found || !CellMatcher::Equal(*sum, Gate(*found, 2, x, rh))) return std::nullopt;
    w = *found;
    reset_after = false;
  } else {
    // after: (W_n x + b_n) + r * (U_n h + c_n)
    auto is_input_part = [&](Value* v) { return m.AsSum(v).has_value(); };
    auto parts = Operands(pre_n, OpKind::Add, is_input_part);
    auto gated = parts ? Operands(parts->second, OpKind::Mul, [&](Value* o) { return !m.AsSum(o); })
                       : std::nullopt;
    if (!gated) return std::nullopt;
    r = gated->first;
    auto input_part = m.AsSum(parts->first), hidden_part = m.AsSum(gated->second);
    if (!hidden_part || input_part->size() != 2 || hidden_part->size() != 2) return std::nullopt;
    Sum whole = *input_part;
    whole.insert(whole.end(), hidden_part->begin(), hidden_part->end());
    auto found = WeightsOf(whole, x, h, hidden);
    if (!found ||
        !CellMatcher::Equal(*input_part, {{x, found->w, 2 * hidden, 3 * hidden},
                                          {nullptr, found->b, 2 * hidden, 3 * hidden}}) ||
        !CellMatcher::Equal(*hidden_part, {{h, found->u, 2 * hidden, 3 * hidden},
                                           {nullptr, found->c, 2 * hidden, 3 * hidden}})) {
      return std::nullopt;
    }
    w = *found;
  }
  // r and z are gates 0 and 1 of the same weights, biases in either order.
  for (auto [gate, k] : {std::pair{r, 0}, std::pair{z, 1}}) {
    Value* pre = ArgumentOf(gate, OpKind::Sigmoid);
    auto sum = pre ? m.AsSum(pre) : std::nullopt;
    if (!sum || !CellMatcher::Equal(*sum, Gate(w, k, x, h))) return std::nullopt;
  }
  return Match{OpKind::Gru, {{"reset", std::string(reset_after ? "after" : "before")}}, w};
}

// lstm: c' = f * c + i * g, h' = o * tanh(c')
std::optional<Match> MatchLstm(const CellMatcher& m, Value* h_next, Value* c_next, Value* x,
                               Value* h, Value* c) {
  auto o = Operands(h_next, OpKind::Mul,
                    [&](Value* v) { return ArgumentOf(v, OpKind::Tanh) == c_next; });
  auto has_c = [&](Value* v) {
    return Operands(v, OpKind::Mul, [&](Value* u) { return u == c; }).has_value();
  };
  auto products = Operands(c_next, OpKind::Add, has_c);
  if (!o || !products) return std::nullopt;
  Value* f = Operands(products->first, OpKind::Mul, [&](Value* u) { return u == c; })->second;
  auto ig = Operands(products->second, OpKind::Mul,
                     [&](Value* v) { return ArgumentOf(v, OpKind::Sigmoid) != nullptr; });
  if (!ig) return std::nullopt;
  // i, f, g, o are gates 0..3, with tanh for g.
  const std::pair<Value*, OpKind> gates[] = {{ig->first, OpKind::Sigmoid},
                                             {f, OpKind::Sigmoid},
                                             {ig->second, OpKind::Tanh},
                                             {o->second, OpKind::Sigmoid}};
  std::optional<Weights> w;
  for (int64_t k = 0; k < 4; ++k) {
    Value* pre = ArgumentOf(gates[k].first, gates[k].second);
    auto sum = pre ? m.AsSum(pre) : std::nullopt;
    if (sum && !w) w = WeightsOf(*sum, x, h, h->type().dims().back().size());
    if (!sum || !w || !CellMatcher::Equal(*sum, Gate(*w, k, x, h))) return std::nullopt;
  }
  return Match{OpKind::Lstm, {}, *w};
}

int64_t GateCount(OpKind kind) { return kind == OpKind::Lstm ? 4 : kind == OpKind::Gru ? 3 : 1; }

// Raises `scan` if its body is a known cell; true if it did.
bool Raise(ir::Graph& graph, ir::Op* scan) {
  const size_t carries = scan->int_attribute("carries");
  const ir::Block& body = *scan->body();
  const ir::Op* yield = body.op(body.num_ops() - 1);
  if (scan->operands().size() != carries + 1 || scan->num_results() != carries + 1 ||
      (carries != 1 && carries != 2) || scan->operand(carries)->type().rank() != 3) {
    return false;
  }
  // A cell body is straight-line; this also keeps nested scans, which the
  // caller's list holds, from being erased under it.
  for (const auto& op : body.ops()) {
    if (op->kind() == OpKind::Scan) return false;
  }
  Value* x = body.argument(carries);
  CellMatcher matcher(*scan);
  std::optional<Match> match;
  size_t h_index = 0;
  if (carries == 1) {
    match = MatchRnn(matcher, yield->operand(0), x, body.argument(0));
    if (!match) match = MatchGru(matcher, yield->operand(0), x, body.argument(0));
  } else {
    for (h_index = 0; h_index < 2 && !match; ++h_index) {
      match = MatchLstm(matcher, yield->operand(h_index), yield->operand(1 - h_index), x,
                        body.argument(h_index), body.argument(1 - h_index));
    }
    --h_index;
  }
  if (!match || yield->operand(carries) != yield->operand(h_index)) return false;
  const Weights& w = match->weights;
  const int64_t rows = GateCount(match->kind) * w.hidden;
  const ir::TensorType& wt = w.w->type();
  if (wt.rank() != 2 || wt.dim(0) != ir::Dim(rows) ||
      w.u->type() != ir::TensorType({rows, w.hidden}) || w.b->type() != ir::TensorType({rows}) ||
      w.c->type() != ir::TensorType({rows})) {
    return false;
  }

  Builder b = Builder::Before(graph, scan);
  std::vector<Value*> operands = {scan->operand(carries), w.w, w.u, w.b, w.c};
  // Initial states that are not all zeros become h0 (and c0), (1, N, H).
  std::vector<size_t> state_order = {h_index};
  if (carries == 2) state_order.push_back(1 - h_index);
  bool zeros = true;
  for (size_t i : state_order) zeros = zeros && IsFull(scan->operand(i), 0.0);
  if (!zeros) {
    for (size_t i : state_order) operands.push_back(b.Unsqueeze0(scan->operand(i)));
  }
  ir::AttributeMap attributes = match->attributes;
  attributes["hidden_size"] = w.hidden;
  attributes["num_layers"] = int64_t{1};
  attributes["direction"] = std::string(scan->bool_attribute("reverse") ? "reverse" : "forward");
  const std::string output_name = ReleaseName(graph, scan->result(carries));
  std::vector<std::string> names = {output_name, output_name + ".h_n", output_name + ".c_n"};
  std::vector<Value*> results = b.Emit(match->kind, operands, attributes, names);
  graph.ReplaceAllUses(scan->result(carries), results[0]);
  for (size_t k = 0; k < state_order.size(); ++k) {
    Value* final_state = scan->result(state_order[k]);
    graph.ReplaceAllUses(final_state,
                         b.Select(results[1 + k], 0, 0, ReleaseName(graph, final_state)));
  }
  scan->parent()->EraseOp(IndexInBlock(scan));
  return true;
}

}  // namespace

ir::Graph RaiseRnnCells(const ir::Graph& graph, const PassOptions& options) {
  ir::Graph result = graph;
  bool raised = false;
  for (ir::Op* scan : CollectOps(result.body(), OpKind::Scan))
    raised = Raise(result, scan) || raised;
  // The weight slices and constants the cells used are dead now.
  return raised ? EliminateDeadCode(result, options) : result;
}

}  // namespace rnnc::passes
