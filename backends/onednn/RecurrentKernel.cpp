// The oneDNN kernel of a layer op: the plan's primitives chained on the
// op's tensors. States go in and out without copies: the IR's h0 and h_n
// (L·D, N, H), index l·D + d, are oneDNN's ldnc layout, so a segment's
// states are the slice starting at its first layer. Per bound (T, N) the
// kernel keeps the primitives, the buffers between them and one scratchpad
// they share, so a call after the first allocates nothing of its own. The
// scratchpad of a large shape runs to a hundred MB, so only the
// kMaxCachedShapes most recently used shapes are kept.
#include "backends/onednn/RecurrentKernel.h"

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "backends/onednn/LayerPlan.h"
#include "backends/onednn/RecurrentPrimitive.h"

namespace rnnc::onednn {

namespace {

constexpr size_t kMaxCachedShapes = 8;

// What one (T, N) needs, built on its first call.
struct ShapeEntry {
  uint64_t last_used;  // the kernel's call count at its latest use
  std::vector<BoundPrimitive> primitives;  // one per segment
  // between[s]: the output of segment s (T, N, DLC_s) when something other
  // than the op's output takes it: the next segment, or the mul/ave merge.
  std::vector<std::vector<float>> between;
  dnnl::memory scratchpad;  // the largest any primitive asks for
};

class RecurrentKernel : public interp::OpKernel {
 public:
  RecurrentKernel(LayerPlan plan, std::vector<RecurrentPrimitive> primitives,
                  size_t first_state_operand)
      : plan_(std::move(plan)),
        primitives_(std::move(primitives)),
        first_state_operand_(first_state_operand),
        stream_(CpuEngine()) {}

  // results: output (T, N, D·H or H), h_n (L·D, N, H), and for LSTM c_n.
  absl::Status Run(const std::vector<const Tensor*>& operands, const ir::BoundDims& bound,
                   std::vector<Tensor>& results) override {
    std::lock_guard<std::mutex> lock(mutex_);
    const Tensor& x = *operands[0];  // (T, N, I)
    const int64_t steps = x.dim(0);
    const int64_t batch = x.dim(1);
    absl::StatusOr<ShapeEntry*> entry = EntryFor(steps, batch);
    if (!entry.ok()) return entry.status();

    const bool with_initial_state = operands.size() > first_state_operand_;
    const Tensor* h0 = with_initial_state ? operands[first_state_operand_] : nullptr;
    const Tensor* c0 = with_initial_state && plan_.is_lstm ? operands[first_state_operand_ + 1]
                                                           : nullptr;
    const int64_t hidden = plan_.hidden_size;
    const int64_t directions = plan_.num_directions;

    const size_t last = primitives_.size() - 1;
    for (size_t s = 0; s <= last; ++s) {
      // Layer l's states start at (l·D)·N·H in (L·D, N, H).
      const int64_t state_offset = plan_.segments[s].first_layer * directions * batch * hidden;
      auto state = [&](const Tensor* tensor) -> const float* {
        return tensor ? tensor->data() + state_offset : nullptr;
      };
      const bool writes_output = s == last && plan_.merge_outside.empty();
      BoundPrimitive& primitive = (*entry)->primitives[s];
      primitive.SetBuffers(
          {s == 0 ? x.data() : (*entry)->between[s - 1].data(), state(h0), state(c0),
           writes_output ? results[0].data() : (*entry)->between[s].data(),
           results[1].data() + state_offset,
           plan_.is_lstm ? results[2].data() + state_offset : nullptr,
           (*entry)->scratchpad.get_data_handle()});
      if (absl::Status status = primitive.Execute(stream_); !status.ok()) return status;
    }
    if (!plan_.merge_outside.empty()) MergeDirections((*entry)->between[last], results[0]);
    return absl::OkStatus();
  }

 private:
  absl::StatusOr<ShapeEntry*> EntryFor(int64_t steps, int64_t batch) {
    ++calls_;
    if (auto it = entries_.find({steps, batch}); it != entries_.end()) {
      it->second->last_used = calls_;
      return it->second.get();
    }
    if (entries_.size() == kMaxCachedShapes) {
      auto least_recent = entries_.begin();
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->second->last_used < least_recent->second->last_used) least_recent = it;
      }
      entries_.erase(least_recent);
    }
    auto built = std::make_unique<ShapeEntry>();
    built->last_used = calls_;
    size_t scratchpad_size = 1;  // never empty, so that its data handle is never null
    for (size_t s = 0; s < primitives_.size(); ++s) {
      absl::StatusOr<BoundPrimitive> bound = primitives_[s].Bind(steps, batch, stream_);
      if (!bound.ok()) return bound.status();
      scratchpad_size = std::max(scratchpad_size, bound->scratchpad_size());
      built->primitives.push_back(*std::move(bound));
      if (s + 1 < primitives_.size() || !plan_.merge_outside.empty()) {
        built->between.emplace_back(steps * batch * primitives_[s].output_size());
      }
    }
    try {
      built->scratchpad = dnnl::memory(
          dnnl::memory::desc({static_cast<int64_t>(scratchpad_size)}, dnnl::memory::data_type::u8,
                             dnnl::memory::format_tag::a),
          CpuEngine());
    } catch (const dnnl::error& error) {
      return DnnlError(error, "allocating the scratchpad");
    }
    ShapeEntry* entry = built.get();
    entries_[{steps, batch}] = std::move(built);
    return entry;
  }

  // The Keras merges oneDNN lacks, from both directions' outputs
  // concatenated as (T, N, 2H): mul gives forward * reverse, ave
  // (forward + reverse) / 2, each (T, N, H).
  void MergeDirections(const std::vector<float>& concatenated, Tensor& output) const {
    const int64_t hidden = plan_.hidden_size;
    const int64_t rows = output.num_elements() / hidden;  // T·N
    const bool mul = plan_.merge_outside == "mul";
    float* out = output.data();
    for (int64_t row = 0; row < rows; ++row) {
      const float* forward = concatenated.data() + row * 2 * hidden;
      const float* reverse = forward + hidden;
      for (int64_t o = 0; o < hidden; ++o) {
        out[row * hidden + o] = mul ? forward[o] * reverse[o] : (forward[o] + reverse[o]) / 2.0f;
      }
    }
  }

  const LayerPlan plan_;
  std::vector<RecurrentPrimitive> primitives_;
  const size_t first_state_operand_;
  dnnl::stream stream_;
  std::mutex mutex_;  // Run mutates the cache and the primitives' memories
  absl::flat_hash_map<std::pair<int64_t, int64_t>, std::unique_ptr<ShapeEntry>> entries_;
  uint64_t calls_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<interp::OpKernel>> MakeRecurrentKernel(const ir::Op& op,
                                                                      const TensorMap& weights) {
  if (op.kind() != ir::OpKind::Rnn && op.kind() != ir::OpKind::Lstm &&
      op.kind() != ir::OpKind::Gru) {
    return nullptr;
  }
  const LayerPlan plan = PlanLayers(op);
  std::optional<std::vector<DirectionWeights>> groups = ParamWeights(op, plan, weights);
  if (!groups) return nullptr;
  const size_t first_state_operand = 1 + 4 * groups->size();
  absl::StatusOr<std::vector<RecurrentPrimitive>> primitives =
      MakePrimitives(plan, *groups, op.operands().size() > first_state_operand);
  if (!primitives.ok()) return primitives.status();
  return std::make_unique<RecurrentKernel>(plan, *std::move(primitives), first_state_operand);
}

}  // namespace rnnc::onednn
