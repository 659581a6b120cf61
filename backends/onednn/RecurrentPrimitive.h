// One oneDNN RNN primitive for one segment of a layer stack (LayerPlan.h):
// its weights, converted at compile time, and, per bound (T, N), the
// primitive with its memory objects. Private to backends/onednn: it is the
// one header here that includes oneDNN's.
#ifndef RNNC_BACKENDS_ONEDNN_RECURRENTPRIMITIVE_H
#define RNNC_BACKENDS_ONEDNN_RECURRENTPRIMITIVE_H

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/onednn/LayerPlan.h"
#include "backends/onednn/WeightLayout.h"
#include "oneapi/dnnl/dnnl.hpp"

namespace rnnc::onednn {

// oneDNN reports errors by throwing dnnl::error; this backend returns them.
absl::Status DnnlError(const dnnl::error& error, const std::string& context);

// The CPU engine every primitive of this backend runs on.
const dnnl::engine& CpuEngine();

// The data of one execution; the state pointers may be null (no initial
// state: zeros; `*_c` only for LSTM).
struct PrimitiveBuffers {
  const float* src_layer;   // (T, N, SLC)
  const float* src_iter;    // (L, D, N, H)
  const float* src_iter_c;  // (L, D, N, H)
  float* dst_layer;         // (T, N, DLC)
  float* dst_iter;          // (L, D, N, H)
  float* dst_iter_c;        // (L, D, N, H)
  void* scratchpad;         // scratchpad_size() bytes
};

// A primitive for one (T, N), with its weights in its preferred layout.
class BoundPrimitive {
 public:
  size_t scratchpad_size() const { return scratchpad_size_; }
  // Points the primitive's memories at `buffers`; they stay there until the
  // next call.
  void SetBuffers(const PrimitiveBuffers& buffers);
  // Enqueues the primitive on `stream` (a CPU stream runs it at once).
  absl::Status Execute(dnnl::stream& stream);

 private:
  friend class RecurrentPrimitive;
  dnnl::primitive primitive_;
  size_t scratchpad_size_ = 0;
  // By DNNL_ARG_*: the user memories whose handles SetBuffers sets, and the
  // weights and bias, which keep theirs.
  std::unordered_map<int, dnnl::memory> args_;
};

class RecurrentPrimitive {
 public:
  // `directions` are the PyTorch weights of the segment's L·D groups;
  // `with_initial_state` says whether executions pass src_iter.
  RecurrentPrimitive(Cell cell, const Segment& segment, int64_t hidden_size,
                     bool with_initial_state, const std::vector<DirectionWeights>& directions);
  // Its memories point into its own buffers, which a move keeps.
  RecurrentPrimitive(const RecurrentPrimitive&) = delete;
  RecurrentPrimitive& operator=(const RecurrentPrimitive&) = delete;
  RecurrentPrimitive(RecurrentPrimitive&&) = default;
  RecurrentPrimitive& operator=(RecurrentPrimitive&&) = default;

  // The primitive for T steps of N sequences. Its weights are reordered
  // from the converted ones the first time a primitive asks for their
  // layout (oneDNN 2.6 picks it from T and N as well as the sizes) and
  // shared with every later primitive that asks for the same.
  absl::StatusOr<BoundPrimitive> Bind(int64_t steps, int64_t batch, dnnl::stream& stream);

  int64_t num_directions() const { return num_directions_; }
  // Features per step of the output: 2H for a concatenating direction mode.
  int64_t output_size() const;

 private:
  using LayoutCache = std::vector<std::pair<dnnl::memory::desc, dnnl::memory>>;
  dnnl::memory InLayout(const dnnl::memory::desc& layout, const dnnl::memory& plain,
                        LayoutCache& cache, dnnl::stream& stream);

  Cell cell_;
  Segment segment_;
  int64_t hidden_size_;
  int64_t num_directions_;
  bool with_initial_state_;
  OnednnWeights weights_;
  // The converted weights as ldgoi and the bias as ldgo, over weights_.
  dnnl::memory plain_layer_;
  dnnl::memory plain_iter_;
  dnnl::memory bias_;
  LayoutCache layer_layouts_;
  LayoutCache iter_layouts_;
};

// One primitive per segment of `plan`, from the op's weight groups
// (ParamWeights).
absl::StatusOr<std::vector<RecurrentPrimitive>> MakePrimitives(
    const LayerPlan& plan, const std::vector<DirectionWeights>& groups, bool with_initial_state);

}  // namespace rnnc::onednn

#endif  // RNNC_BACKENDS_ONEDNN_RECURRENTPRIMITIVE_H
