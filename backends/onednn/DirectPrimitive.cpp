// DirectPrimitive: a RecurrentPrimitive bound once, on buffers oneDNN
// allocated, so that Execute is the primitive's execute and nothing else.
#include "backends/onednn/DirectPrimitive.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "backends/onednn/LayerPlan.h"
#include "backends/onednn/RecurrentPrimitive.h"

namespace rnnc::onednn {

struct DirectPrimitive::Impl {
  std::vector<RecurrentPrimitive> primitives;  // exactly one
  BoundPrimitive bound;
  dnnl::stream stream{CpuEngine()};
  dnnl::memory src_layer, dst_layer, dst_iter, dst_iter_c, scratchpad;
};

DirectPrimitive::DirectPrimitive(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DirectPrimitive::~DirectPrimitive() = default;

absl::StatusOr<std::unique_ptr<DirectPrimitive>> DirectPrimitive::Create(const ir::Graph& graph,
                                                                         const TensorMap& weights,
                                                                         const Tensor& x) {
  const ir::Op* op = nullptr;
  for (const auto& candidate : graph.body().ops()) {
    const ir::OpKind kind = candidate->kind();
    if (kind == ir::OpKind::Rnn || kind == ir::OpKind::Lstm || kind == ir::OpKind::Gru) {
      op = candidate.get();
    }
  }
  if (!op) return absl::InvalidArgumentError("the graph has no rnn, lstm or gru op");
  const LayerPlan plan = PlanLayers(*op);
  if (plan.segments.size() != 1 || !plan.merge_outside.empty()) {
    return absl::InvalidArgumentError("the layer op is not a single oneDNN primitive");
  }
  std::optional<std::vector<DirectionWeights>> groups = ParamWeights(*op, plan, weights);
  if (!groups) return absl::InvalidArgumentError("the layer op's weights are not all params");
  auto impl = std::make_unique<Impl>();
  absl::StatusOr<std::vector<RecurrentPrimitive>> primitives =
      MakePrimitives(plan, *groups, /*with_initial_state=*/false);
  if (!primitives.ok()) return primitives.status();
  impl->primitives = *std::move(primitives);
  const int64_t steps = x.dim(0);
  const int64_t batch = x.dim(1);
  absl::StatusOr<BoundPrimitive> bound = impl->primitives[0].Bind(steps, batch, impl->stream);
  if (!bound.ok()) return bound.status();
  impl->bound = *std::move(bound);
  try {
    using Desc = dnnl::memory::desc;
    constexpr auto kF32 = dnnl::memory::data_type::f32;
    const int64_t states = plan.num_layers * plan.num_directions;
    const Desc state({states, batch, plan.hidden_size}, kF32, dnnl::memory::format_tag::abc);
    impl->src_layer = dnnl::memory(Desc(x.shape(), kF32, dnnl::memory::format_tag::abc), CpuEngine());
    std::memcpy(impl->src_layer.get_data_handle(), x.data(), x.num_elements() * sizeof(float));
    impl->dst_layer = dnnl::memory(
        Desc({steps, batch, impl->primitives[0].output_size()}, kF32, dnnl::memory::format_tag::abc),
        CpuEngine());
    impl->dst_iter = dnnl::memory(state, CpuEngine());
    impl->dst_iter_c = dnnl::memory(state, CpuEngine());
    impl->scratchpad = dnnl::memory(
        Desc({std::max<int64_t>(1, impl->bound.scratchpad_size())}, dnnl::memory::data_type::u8,
             dnnl::memory::format_tag::a),
        CpuEngine());
  } catch (const dnnl::error& error) {
    return DnnlError(error, "allocating the buffers");
  }
  auto handle = [](const dnnl::memory& memory) { return static_cast<float*>(memory.get_data_handle()); };
  impl->bound.SetBuffers({handle(impl->src_layer), nullptr, nullptr, handle(impl->dst_layer),
                          handle(impl->dst_iter), handle(impl->dst_iter_c),
                          impl->scratchpad.get_data_handle()});
  return std::unique_ptr<DirectPrimitive>(new DirectPrimitive(std::move(impl)));
}

absl::Status DirectPrimitive::Execute() { return impl_->bound.Execute(impl_->stream); }

}  // namespace rnnc::onednn
