// Tensor types of the rnnc IR: f32 tensors whose dims are static sizes or
// symbols such as T and N that are bound when a model runs.
#ifndef RNNC_IR_TYPE_H
#define RNNC_IR_TYPE_H

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace rnnc::ir {

// One dimension: a static size (>= 0) or a symbol bound at run time.
class Dim {
 public:
  Dim(int64_t size) : size_(size) {}  // NOLINT: sizes read as dims
  static Dim Symbol(std::string name) { return Dim(-1, std::move(name)); }

  bool is_static() const { return symbol_.empty(); }
  bool is_symbolic() const { return !symbol_.empty(); }
  // Only for static dims.
  int64_t size() const { return size_; }
  // Only for symbolic dims.
  const std::string& symbol() const { return symbol_; }

  std::string ToString() const;
  bool operator==(const Dim& other) const {
    return size_ == other.size_ && symbol_ == other.symbol_;
  }
  bool operator!=(const Dim& other) const { return !(*this == other); }

 private:
  Dim(int64_t size, std::string symbol) : size_(size), symbol_(std::move(symbol)) {}
  int64_t size_;
  std::string symbol_;
};

// The values that symbolic dims take for one run, e.g. {T: 100, N: 16}.
using BoundDims = absl::flat_hash_map<std::string, int64_t>;

// An f32 tensor type. Rank 0 is a scalar.
class TensorType {
 public:
  TensorType() = default;
  TensorType(std::vector<Dim> dims) : dims_(std::move(dims)) {}  // NOLINT
  TensorType(std::initializer_list<Dim> dims) : dims_(dims) {}   // {T, N, 50}

  const std::vector<Dim>& dims() const { return dims_; }
  int64_t rank() const { return static_cast<int64_t>(dims_.size()); }
  const Dim& dim(int64_t i) const { return dims_[i]; }
  bool is_static() const;

  // "f32[T, N, 50]"; a scalar prints as "f32[]".
  std::string ToString() const;
  // The concrete shape under `bound`; an error names the unbound symbol.
  absl::StatusOr<std::vector<int64_t>> Resolve(const BoundDims& bound) const;

  bool operator==(const TensorType& other) const { return dims_ == other.dims_; }
  bool operator!=(const TensorType& other) const { return !(*this == other); }

 private:
  std::vector<Dim> dims_;
};

// "[2, 3]" for messages about concrete shapes.
std::string ShapeToString(const std::vector<int64_t>& shape);

}  // namespace rnnc::ir

#endif  // RNNC_IR_TYPE_H
