// The interpreter's kernels (see TensorOps.h): plain loops, double arithmetic.
#include "backends/interp/TensorOps.h"

#include <algorithm>
#include <cmath>

namespace rnnc::interp {

namespace {

int64_t NormalizeIndex(int64_t index, int64_t size) { return index < 0 ? index + size : index; }

// Row-major strides of `shape`, in elements.
std::vector<int64_t> Strides(const std::vector<int64_t>& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i) {
    strides[i] = strides[i + 1] * shape[i + 1];
  }
  return strides;
}

// Steps a multi-index through `shape` in row-major order, like an odometer.
void NextIndex(std::vector<int64_t>& index, const std::vector<int64_t>& shape) {
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
    if (++index[i] < shape[i]) return;
    index[i] = 0;
  }
}

// A tensor seen as (outer, size, inner) around one axis: element (o, s, i)
// is at (o * size + s) * inner + i.
struct AxisView {
  int64_t outer = 1;
  int64_t size = 1;
  int64_t inner = 1;
};

AxisView ViewAround(const std::vector<int64_t>& shape, int64_t axis) {
  AxisView view;
  for (int64_t i = 0; i < static_cast<int64_t>(shape.size()); ++i) {
    if (i < axis) view.outer *= shape[i];
    if (i == axis) view.size = shape[i];
    if (i > axis) view.inner *= shape[i];
  }
  return view;
}

Tensor MapElements(const Tensor& a, double (*f)(double)) {
  Tensor out(a.shape());
  for (int64_t e = 0; e < a.num_elements(); ++e) out.data()[e] = static_cast<float>(f(a.data()[e]));
  return out;
}

Tensor Broadcast(const Tensor& a, const Tensor& b, double (*f)(double, double)) {
  const int64_t rank = std::max(a.rank(), b.rank());
  const std::vector<int64_t> a_strides = Strides(a.shape());
  const std::vector<int64_t> b_strides = Strides(b.shape());
  std::vector<int64_t> shape(rank);
  // The strides with which each operand is read along each result axis; a
  // missing dim or a dim of size 1 is read with stride 0, which stretches it.
  std::vector<int64_t> a_step(rank, 0);
  std::vector<int64_t> b_step(rank, 0);
  for (int64_t i = 0; i < rank; ++i) {
    const int64_t ai = i - (rank - a.rank());
    const int64_t bi = i - (rank - b.rank());
    const int64_t a_dim = ai >= 0 ? a.dim(ai) : 1;
    const int64_t b_dim = bi >= 0 ? b.dim(bi) : 1;
    shape[i] = a_dim == 1 ? b_dim : a_dim;
    if (a_dim != 1) a_step[i] = a_strides[ai];
    if (b_dim != 1) b_step[i] = b_strides[bi];
  }
  Tensor out(shape);
  std::vector<int64_t> index(rank, 0);
  for (int64_t e = 0; e < out.num_elements(); ++e) {
    int64_t a_offset = 0;
    int64_t b_offset = 0;
    for (int64_t i = 0; i < rank; ++i) {
      a_offset += index[i] * a_step[i];
      b_offset += index[i] * b_step[i];
    }
    out.data()[e] = static_cast<float>(f(a.data()[a_offset], b.data()[b_offset]));
    NextIndex(index, shape);
  }
  return out;
}

// The shared kernel of matmul and dense:
//   out[r, m] = Σ_k a[r, k] · b[k, m] (+ bias[m])
// over the rows r of `a` flattened to (rows, K); b[k, m] is read as b[m, k]
// when `transpose_b`.
Tensor MatmulWithBias(const Tensor& a, const Tensor& b, bool transpose_b, const Tensor* bias) {
  const int64_t k_size = a.dim(a.rank() - 1);
  const int64_t m_size = transpose_b ? b.dim(0) : b.dim(1);
  const int64_t rows = NumElements({a.shape().begin(), a.shape().end() - 1});
  std::vector<int64_t> shape = a.shape();
  shape.back() = m_size;
  Tensor out(shape);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t m = 0; m < m_size; ++m) {
      double sum = 0;
      for (int64_t k = 0; k < k_size; ++k) {
        const float b_km = transpose_b ? b.data()[m * k_size + k] : b.data()[k * m_size + m];
        sum += static_cast<double>(a.data()[r * k_size + k]) * b_km;
      }
      if (bias) sum += bias->data()[m];
      out.data()[r * m_size + m] = static_cast<float>(sum);
    }
  }
  return out;
}

enum class Reduction { kSum, kMean, kMax };

// Combines the elements of `a` over `axes` as `reduction` says.
Tensor Reduce(const Tensor& a, const std::vector<int64_t>& axes, bool keep_dims,
              Reduction reduction) {
  // The result laid out with keep_dims; element e of `a` goes into the
  // result element whose index is e's with the reduced axes set to 0.
  std::vector<int64_t> kept_shape = a.shape();
  int64_t count = 1;
  for (int64_t axis : axes) {
    const int64_t i = NormalizeIndex(axis, a.rank());
    count *= a.dim(i);
    kept_shape[i] = 1;
  }
  const std::vector<int64_t> kept_strides = Strides(kept_shape);
  std::vector<double> combined(NumElements(kept_shape),
                               reduction == Reduction::kMax ? -INFINITY : 0.0);
  std::vector<int64_t> index(a.rank(), 0);
  for (int64_t e = 0; e < a.num_elements(); ++e) {
    int64_t offset = 0;
    for (int64_t i = 0; i < a.rank(); ++i) {
      if (kept_shape[i] != 1) offset += index[i] * kept_strides[i];
    }
    combined[offset] = reduction == Reduction::kMax
                           ? std::max<double>(combined[offset], a.data()[e])
                           : combined[offset] + a.data()[e];
    NextIndex(index, a.shape());
  }
  std::vector<int64_t> shape;
  for (int64_t i = 0; i < a.rank(); ++i) {
    const bool reduced = std::any_of(axes.begin(), axes.end(), [&](int64_t axis) {
      return NormalizeIndex(axis, a.rank()) == i;
    });
    if (!reduced || keep_dims) shape.push_back(kept_shape[i]);
  }
  Tensor out(std::move(shape));
  const double divisor = reduction == Reduction::kMean ? static_cast<double>(count) : 1.0;
  for (int64_t e = 0; e < out.num_elements(); ++e) {
    out.data()[e] = static_cast<float>(combined[e] / divisor);
  }
  return out;
}

}  // namespace

Tensor Matmul(const Tensor& a, const Tensor& b, bool transpose_b) {
  return MatmulWithBias(a, b, transpose_b, nullptr);
}

Tensor Dense(const Tensor& x, const Tensor& weight, const Tensor* bias) {
  return MatmulWithBias(x, weight, /*transpose_b=*/true, bias);
}

Tensor BatchNorm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                 const Tensor& running_mean, const Tensor& running_var, double epsilon) {
  const int64_t channels = x.dim(x.rank() - 1);
  Tensor out(x.shape());
  for (int64_t e = 0; e < x.num_elements(); ++e) {
    const int64_t c = e % channels;
    const double normalized = (static_cast<double>(x.data()[e]) - running_mean.data()[c]) /
                              std::sqrt(static_cast<double>(running_var.data()[c]) + epsilon);
    out.data()[e] = static_cast<float>(normalized * weight.data()[c] + bias.data()[c]);
  }
  return out;
}

Tensor Add(const Tensor& a, const Tensor& b) {
  return Broadcast(a, b, [](double x, double y) { return x + y; });
}
Tensor Sub(const Tensor& a, const Tensor& b) {
  return Broadcast(a, b, [](double x, double y) { return x - y; });
}
Tensor Mul(const Tensor& a, const Tensor& b) {
  return Broadcast(a, b, [](double x, double y) { return x * y; });
}
Tensor Div(const Tensor& a, const Tensor& b) {
  return Broadcast(a, b, [](double x, double y) { return x / y; });
}

Tensor Neg(const Tensor& a) {
  return MapElements(a, [](double x) { return -x; });
}
Tensor Sigmoid(const Tensor& a) {
  return MapElements(a, [](double x) { return 1 / (1 + std::exp(-x)); });
}
Tensor Tanh(const Tensor& a) {
  return MapElements(a, [](double x) { return std::tanh(x); });
}
Tensor Relu(const Tensor& a) {
  return MapElements(a, [](double x) { return std::max(x, 0.0); });
}
Tensor Exp(const Tensor& a) {
  return MapElements(a, [](double x) { return std::exp(x); });
}
Tensor Log(const Tensor& a) {
  return MapElements(a, [](double x) { return std::log(x); });
}
Tensor Sqrt(const Tensor& a) {
  return MapElements(a, [](double x) { return std::sqrt(x); });
}

Tensor Step(const Tensor& a) {
  return MapElements(a, [](double x) { return x > 0 ? 1.0 : 0.0; });
}

Tensor Softmax(const Tensor& a, int64_t axis) {
  const AxisView view = ViewAround(a.shape(), NormalizeIndex(axis, a.rank()));
  Tensor out(a.shape());
  for (int64_t o = 0; o < view.outer; ++o) {
    for (int64_t i = 0; i < view.inner; ++i) {
      auto at = [&](int64_t s) { return (o * view.size + s) * view.inner + i; };
      // Subtracting the largest element changes nothing mathematically but
      // keeps every exp finite.
      double largest = -INFINITY;
      for (int64_t s = 0; s < view.size; ++s) largest = std::max<double>(largest, a.data()[at(s)]);
      double sum = 0;
      for (int64_t s = 0; s < view.size; ++s) sum += std::exp(a.data()[at(s)] - largest);
      for (int64_t s = 0; s < view.size; ++s) {
        out.data()[at(s)] = static_cast<float>(std::exp(a.data()[at(s)] - largest) / sum);
      }
    }
  }
  return out;
}

Tensor ReduceSum(const Tensor& a, const std::vector<int64_t>& axes, bool keep_dims) {
  return Reduce(a, axes, keep_dims, Reduction::kSum);
}

Tensor ReduceMean(const Tensor& a, const std::vector<int64_t>& axes, bool keep_dims) {
  return Reduce(a, axes, keep_dims, Reduction::kMean);
}

Tensor ReduceMax(const Tensor& a, const std::vector<int64_t>& axes, bool keep_dims) {
  return Reduce(a, axes, keep_dims, Reduction::kMax);
}

Tensor Concat(const std::vector<const Tensor*>& parts, int64_t axis) {
  axis = NormalizeIndex(axis, parts[0]->rank());
  std::vector<int64_t> shape = parts[0]->shape();
  shape[axis] = 0;
  for (const Tensor* part : parts) shape[axis] += part->dim(axis);
  Tensor out(shape);
  const AxisView out_view = ViewAround(shape, axis);
  int64_t start = 0;  // where the current part begins along `axis`
  for (const Tensor* part : parts) {
    const AxisView view = ViewAround(part->shape(), axis);
    const int64_t run = view.size * view.inner;  // contiguous elements per outer index
    for (int64_t o = 0; o < view.outer; ++o) {
      std::copy_n(part->data() + o * run, run,
                  out.data() + (o * out_view.size + start) * out_view.inner);
    }
    start += view.size;
  }
  return out;
}

std::vector<Tensor> Split(const Tensor& a, int64_t axis, const std::vector<int64_t>& sizes) {
  std::vector<Tensor> pieces;
  int64_t start = 0;
  for (int64_t size : sizes) {
    pieces.push_back(Slice(a, axis, start, start + size));
    start += size;
  }
  return pieces;
}

Tensor Slice(const Tensor& a, int64_t axis, int64_t start, int64_t end) {
  axis = NormalizeIndex(axis, a.rank());
  const AxisView view = ViewAround(a.shape(), axis);
  start = NormalizeIndex(start, view.size);
  end = NormalizeIndex(end, view.size);
  std::vector<int64_t> shape = a.shape();
  shape[axis] = end - start;
  Tensor out(shape);
  const int64_t run = (end - start) * view.inner;
  for (int64_t o = 0; o < view.outer; ++o) {
    std::copy_n(a.data() + (o * view.size + start) * view.inner, run, out.data() + o * run);
  }
  return out;
}

Tensor Select(const Tensor& a, int64_t axis, int64_t index) {
  axis = NormalizeIndex(axis, a.rank());
  index = NormalizeIndex(index, a.dim(axis));
  Tensor one = Slice(a, axis, index, index + 1);
  std::vector<int64_t> shape = a.shape();
  shape.erase(shape.begin() + axis);
  return Tensor(std::move(shape), std::move(one.values()));
}

Tensor Transpose(const Tensor& a, const std::vector<int64_t>& perm) {
  const int64_t rank = a.rank();
  const std::vector<int64_t> a_strides = Strides(a.shape());
  std::vector<int64_t> shape(rank);
  std::vector<int64_t> step(rank);  // how far `a` moves per step of result axis i
  for (int64_t i = 0; i < rank; ++i) {
    shape[i] = a.dim(perm[i]);
    step[i] = a_strides[perm[i]];
  }
  Tensor out(shape);
  std::vector<int64_t> index(rank, 0);
  for (int64_t e = 0; e < out.num_elements(); ++e) {
    int64_t offset = 0;
    for (int64_t i = 0; i < rank; ++i) offset += index[i] * step[i];
    out.data()[e] = a.data()[offset];
    NextIndex(index, shape);
  }
  return out;
}

Tensor Reshape(const Tensor& a, std::vector<int64_t> shape) {
  return Tensor(std::move(shape), a.values());
}

void StoreSlice(Tensor& stacked, int64_t index, const Tensor& slice) {
  std::copy_n(slice.data(), slice.num_elements(), stacked.data() + index * slice.num_elements());
}

}  // namespace rnnc::interp
