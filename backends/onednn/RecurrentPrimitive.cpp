// Descriptors and primitives of oneDNN's RNN family for one segment, and the
// compile-time weights they share. Every primitive is forward_inference on
// sequence-first (tnc) data with a user-managed scratchpad, so a run needs
// no allocation and no transpose.
#include "backends/onednn/RecurrentPrimitive.h"

#include "absl/strings/str_cat.h"

namespace rnnc::onednn {

namespace {

using Desc = dnnl::memory::desc;
using Tag = dnnl::memory::format_tag;
constexpr dnnl::memory::data_type kF32 = dnnl::memory::data_type::f32;

dnnl::rnn_direction ToDnnl(PrimitiveDirection direction) {
  switch (direction) {
    case PrimitiveDirection::kRightToLeft:
      return dnnl::rnn_direction::unidirectional_right2left;
    case PrimitiveDirection::kBidirectionalConcat:
      return dnnl::rnn_direction::bidirectional_concat;
    case PrimitiveDirection::kBidirectionalSum:
      return dnnl::rnn_direction::bidirectional_sum;
    default:
      return dnnl::rnn_direction::unidirectional_left2right;
  }
}

// The memory descriptors of one primitive; weights in format `any`.
struct Descs {
  Desc src_layer, src_iter, src_iter_c, weights_layer, weights_iter, bias, dst_layer, dst_iter,
      dst_iter_c;
};

// A primitive and what it asks for.
struct Created {
  dnnl::primitive primitive;
  Desc weights_layer, weights_iter, scratchpad;
};

template <typename Primitive, typename... DescArgs>
Created Create(const dnnl::primitive_attr& attr, DescArgs&&... args) {
  typename Primitive::primitive_desc pd(typename Primitive::desc(args...), attr, CpuEngine());
  return {Primitive(pd), pd.weights_layer_desc(), pd.weights_iter_desc(), pd.scratchpad_desc()};
}

Created CreateFor(Cell cell, dnnl::rnn_direction direction, const Descs& d) {
  constexpr dnnl::prop_kind kInference = dnnl::prop_kind::forward_inference;
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  switch (cell) {
    case Cell::kLstm:
      return Create<dnnl::lstm_forward>(attr, kInference, direction, d.src_layer, d.src_iter,
                                        d.src_iter_c, d.weights_layer, d.weights_iter, d.bias,
                                        d.dst_layer, d.dst_iter, d.dst_iter_c);
    case Cell::kGruResetAfter:
      return Create<dnnl::lbr_gru_forward>(attr, kInference, direction, d.src_layer, d.src_iter,
                                           d.weights_layer, d.weights_iter, d.bias, d.dst_layer,
                                           d.dst_iter);
    case Cell::kGruResetBefore:
      return Create<dnnl::gru_forward>(attr, kInference, direction, d.src_layer, d.src_iter,
                                       d.weights_layer, d.weights_iter, d.bias, d.dst_layer,
                                       d.dst_iter);
    default: {
      const dnnl::algorithm activation = cell == Cell::kRnnRelu ? dnnl::algorithm::eltwise_relu
                                                                : dnnl::algorithm::eltwise_tanh;
      return Create<dnnl::vanilla_rnn_forward>(attr, kInference, activation, direction,
                                               d.src_layer, d.src_iter, d.weights_layer,
                                               d.weights_iter, d.bias, d.dst_layer, d.dst_iter);
    }
  }
}

// A memory over no data yet: BoundPrimitive::SetBuffers points it.
dnnl::memory UserMemory(const Desc& desc) {
  return dnnl::memory(desc, CpuEngine(), DNNL_MEMORY_NONE);
}

}  // namespace

absl::Status DnnlError(const dnnl::error& error, const std::string& context) {
  return absl::InternalError(
      absl::StrCat(context, ": oneDNN: ", error.what(), " (status ", static_cast<int>(error.status), ")"));
}

const dnnl::engine& CpuEngine() {
  static const dnnl::engine* engine = new dnnl::engine(dnnl::engine::kind::cpu, 0);
  return *engine;
}

void BoundPrimitive::SetBuffers(const PrimitiveBuffers& buffers) {
  // oneDNN takes non-const handles for memories it only reads.
  const std::pair<int, const void*> handles[] = {
      {DNNL_ARG_SRC_LAYER, buffers.src_layer},   {DNNL_ARG_SRC_ITER, buffers.src_iter},
      {DNNL_ARG_SRC_ITER_C, buffers.src_iter_c}, {DNNL_ARG_DST_LAYER, buffers.dst_layer},
      {DNNL_ARG_DST_ITER, buffers.dst_iter},     {DNNL_ARG_DST_ITER_C, buffers.dst_iter_c},
      {DNNL_ARG_SCRATCHPAD, buffers.scratchpad}};
  for (const auto& [arg, handle] : handles) {
    if (auto it = args_.find(arg); it != args_.end()) {
      it->second.set_data_handle(const_cast<void*>(handle));
    }
  }
}

absl::Status BoundPrimitive::Execute(dnnl::stream& stream) {
  try {
    primitive_.execute(stream, args_);
    stream.wait();
  } catch (const dnnl::error& error) {
    return DnnlError(error, "executing the RNN primitive");
  }
  return absl::OkStatus();
}

RecurrentPrimitive::RecurrentPrimitive(Cell cell, const Segment& segment, int64_t hidden_size,
                                       bool with_initial_state,
                                       const std::vector<DirectionWeights>& directions)
    : cell_(cell),
      segment_(segment),
      hidden_size_(hidden_size),
      num_directions_(segment.direction == PrimitiveDirection::kBidirectionalConcat ||
                              segment.direction == PrimitiveDirection::kBidirectionalSum
                          ? 2
                          : 1),
      with_initial_state_(with_initial_state),
      weights_(ConvertWeights(cell, directions)) {
  const int64_t layers = segment.num_layers;
  const int64_t gates = NumGates(cell);
  plain_layer_ = dnnl::memory(
      Desc({layers, num_directions_, segment.input_size, gates, hidden_size}, kF32, Tag::ldgoi),
      CpuEngine(), weights_.layer.data());
  plain_iter_ = dnnl::memory(
      Desc({layers, num_directions_, hidden_size, gates, hidden_size}, kF32, Tag::ldgoi),
      CpuEngine(), weights_.iter.data());
  bias_ = dnnl::memory(
      Desc({layers, num_directions_, NumBiasGates(cell), hidden_size}, kF32, Tag::ldgo),
      CpuEngine(), weights_.bias.data());
}

int64_t RecurrentPrimitive::output_size() const {
  return segment_.direction == PrimitiveDirection::kBidirectionalConcat ? 2 * hidden_size_
                                                                        : hidden_size_;
}

dnnl::memory RecurrentPrimitive::InLayout(const Desc& layout, const dnnl::memory& plain,
                                          LayoutCache& cache, dnnl::stream& stream) {
  for (const auto& [desc, memory] : cache) {
    if (desc == layout) return memory;
  }
  dnnl::memory reordered(layout, CpuEngine());
  dnnl::memory source = plain;
  dnnl::reorder(source, reordered).execute(stream, source, reordered);
  stream.wait();
  cache.emplace_back(layout, reordered);
  return reordered;
}

absl::StatusOr<BoundPrimitive> RecurrentPrimitive::Bind(int64_t steps, int64_t batch,
                                                        dnnl::stream& stream) {
  const int64_t layers = segment_.num_layers;
  const int64_t gates = NumGates(cell_);
  const Desc state({layers, num_directions_, batch, hidden_size_}, kF32, Tag::ldnc);
  const Desc initial = with_initial_state_ ? state : Desc();
  const bool lstm = cell_ == Cell::kLstm;
  Descs descs{
      Desc({steps, batch, segment_.input_size}, kF32, Tag::tnc),
      initial,
      lstm ? initial : Desc(),
      Desc({layers, num_directions_, segment_.input_size, gates, hidden_size_}, kF32, Tag::any),
      Desc({layers, num_directions_, hidden_size_, gates, hidden_size_}, kF32, Tag::any),
      bias_.get_desc(),
      Desc({steps, batch, output_size()}, kF32, Tag::tnc),
      state,
      lstm ? state : Desc()};
  try {
    Created created = CreateFor(cell_, ToDnnl(segment_.direction), descs);
    BoundPrimitive bound;
    bound.primitive_ = created.primitive;
    bound.scratchpad_size_ = created.scratchpad.get_size();
    bound.args_ = {
        {DNNL_ARG_SRC_LAYER, UserMemory(descs.src_layer)},
        {DNNL_ARG_WEIGHTS_LAYER, InLayout(created.weights_layer, plain_layer_, layer_layouts_, stream)},
        {DNNL_ARG_WEIGHTS_ITER, InLayout(created.weights_iter, plain_iter_, iter_layouts_, stream)},
        {DNNL_ARG_BIAS, bias_},
        {DNNL_ARG_DST_LAYER, UserMemory(descs.dst_layer)},
        {DNNL_ARG_DST_ITER, UserMemory(descs.dst_iter)},
        {DNNL_ARG_SCRATCHPAD, UserMemory(created.scratchpad)}};
    if (with_initial_state_) bound.args_[DNNL_ARG_SRC_ITER] = UserMemory(descs.src_iter);
    if (with_initial_state_ && lstm) bound.args_[DNNL_ARG_SRC_ITER_C] = UserMemory(descs.src_iter_c);
    if (lstm) bound.args_[DNNL_ARG_DST_ITER_C] = UserMemory(descs.dst_iter_c);
    return bound;
  } catch (const dnnl::error& error) {
    return DnnlError(error, absl::StrCat("creating the RNN primitive for T=", steps, ", N=", batch,
                                         ", layers ", segment_.first_layer, "..",
                                         segment_.first_layer + layers - 1, " with input size ",
                                         segment_.input_size, " and hidden size ", hidden_size_));
  }
}

absl::StatusOr<std::vector<RecurrentPrimitive>> MakePrimitives(
    const LayerPlan& plan, const std::vector<DirectionWeights>& groups, bool with_initial_state) {
  std::vector<RecurrentPrimitive> primitives;
  try {
    for (const Segment& segment : plan.segments) {
      const auto first = groups.begin() + segment.first_layer * plan.num_directions;
      primitives.emplace_back(
          plan.cell, segment, plan.hidden_size, with_initial_state,
          std::vector<DirectionWeights>(first, first + segment.num_layers * plan.num_directions));
    }
  } catch (const dnnl::error& error) {
    return DnnlError(error, "converting the weights");
  }
  return primitives;
}

}  // namespace rnnc::onednn
