// The AOT runtime's contexts: create, run and destroy of rnnc_model_abi.h,
// written once for every compiled model. A library's exported
// <model>_<function> wrappers call rnnc_aot_<function> with the model's
// rnnc_aot_model (AotModel.h); this file checks every argument, binds the
// weights, sizes the buffers of the generated entry function for the dims
// of a run, points the output slots at the caller's memory and calls it.
// Failures set the thread's last error and return a status; no exception
// leaves a function.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "runtime/aot/ModelState.h"
#include "runtime/aot/RuntimeFunctions.h"
#include "runtime/aot/WeightsFile.h"

namespace {

using rnnc::aot::DimDescriptor;
using rnnc::aot::Fail;
using rnnc::aot::ModelDescriptor;
using rnnc::aot::SlotDescriptor;
using rnnc::aot::SlotKind;
using rnnc::aot::TensorDescriptor;

// The number of elements of `dims` under `bound` (sizes in descriptor.dims
// order); false if it overflows or exceeds what can be addressed in bytes.
bool CountElements(const ModelDescriptor& d, const std::vector<DimDescriptor>& dims,
                   const int64_t* bound, int64_t& count) {
  count = 1;
  for (const DimDescriptor& dim : dims) {
    int64_t size = dim.size;
    if (!dim.symbol.empty()) {
      for (size_t j = 0; j < d.dims.size(); ++j) {
        if (d.dims[j] == dim.symbol) size = bound[j];
      }
    }
    if (__builtin_mul_overflow(count, size, &count)) return false;
  }
  return count <= (int64_t{1} << 60) / static_cast<int64_t>(sizeof(float));
}

std::string DimsText(const ModelDescriptor& d, const int64_t* dims) {
  std::string text;
  for (size_t j = 0; j < d.dims.size(); ++j) {
    text += (j ? ", " : "") + d.dims[j] + "=" + std::to_string(dims[j]);
  }
  return text;
}

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};

}  // namespace

struct rnnc_context {
  const rnnc_aot_model* model = nullptr;
  const ModelDescriptor* descriptor = nullptr;
  std::string weights_file;  // the bytes of external weights
  std::vector<std::vector<float>> weight_copies;
  std::vector<float*> slots;
  std::vector<std::unique_ptr<float, FreeDeleter>> buffers;
  bool allocated = false;  // the buffers are sized for `bound`
  std::vector<int64_t> bound;
  std::vector<int64_t> entry_dims;  // `bound` in the entry function's order
  std::vector<int64_t> input_counts;
  std::vector<int64_t> output_counts;
  // Whether each output is a buffer of its own size that every run computes,
  // which the run may point at the caller's memory instead.
  std::vector<bool> output_owns_buffer;
};

namespace {

// Sizes every buffer slot for `dims` and computes what derives from the
// weights.
rnnc_status Allocate(rnnc_context& context, const int64_t* dims) {
  const ModelDescriptor& d = *context.descriptor;
  context.allocated = false;
  context.buffers.clear();
  std::vector<int64_t> slot_counts(d.slots.size(), 0);
  for (size_t i = 0; i < d.slots.size(); ++i) {
    if (d.slots[i].kind != SlotKind::kBuffer) continue;
    int64_t& count = slot_counts[i];
    if (!CountElements(d, d.slots[i].dims, dims, count)) {
      return Fail(RNNC_ERROR_BAD_DIMS, "model " + d.name + ": dims " + DimsText(d, dims) +
                                           " make a buffer of " + DimsToString(d.slots[i].dims) +
                                           " too large to allocate");
    }
    // 64-byte aligned, a whole AVX-512 vector, and never null for size 0.
    const size_t bytes = (static_cast<size_t>(count) * sizeof(float) + 63) / 64 * 64;
    auto* buffer = static_cast<float*>(std::aligned_alloc(64, bytes > 0 ? bytes : 64));
    if (!buffer) {
      return Fail(RNNC_ERROR_OUT_OF_MEMORY, "model " + d.name + ": cannot allocate " +
                                                std::to_string(bytes) + " bytes for dims " +
                                                DimsText(d, dims));
    }
    context.buffers.emplace_back(buffer);
    context.slots[i] = buffer;
  }
  context.input_counts.clear();
  for (const TensorDescriptor& input : d.inputs) {
    int64_t count = 0;
    CountElements(d, input.dims, dims, count);
    context.input_counts.push_back(count);
  }
  context.output_counts.clear();
  context.output_owns_buffer.clear();
  for (const TensorDescriptor& output : d.outputs) {
    int64_t count = 0;
    CountElements(d, output.dims, dims, count);  // bounded by its slot's, checked above
    context.output_counts.push_back(count);
    const SlotDescriptor& slot = d.slots[output.slot];
    context.output_owns_buffer.push_back(slot.kind == SlotKind::kBuffer && !slot.prepared &&
                                         slot_counts[output.slot] == count && count > 0);
  }
  context.entry_dims.clear();
  for (const std::string& symbol : d.entry_dims) {
    for (size_t j = 0; j < d.dims.size(); ++j) {
      if (d.dims[j] == symbol) context.entry_dims.push_back(dims[j]);
    }
  }
  context.model->prepare(context.slots.data(), context.entry_dims.data());
  context.bound.assign(dims, dims + d.dims.size());
  context.allocated = true;
  return RNNC_OK;
}

rnnc_status Create(const rnnc_aot_model* model, const char* weights_path, rnnc_context** out) {
  if (!out) return Fail(RNNC_ERROR_NULL_ARGUMENT, "create: the context pointer is null");
  *out = nullptr;
  const ModelDescriptor* d = rnnc::aot::Describe(model);
  if (!d) return RNNC_ERROR_INTERNAL;
  auto context = std::make_unique<rnnc_context>();
  context->model = model;
  context->descriptor = d;
  context->slots.assign(d->slots.size(), nullptr);

  std::string_view bytes;
  std::string source;
  if (weights_path) {
    std::ifstream file(weights_path, std::ios::binary);
    if (!file) {
      return Fail(RNNC_ERROR_WEIGHTS,
                  std::string(weights_path) + ": cannot open the weights file of model " + d->name);
    }
    context->weights_file.assign(std::istreambuf_iterator<char>(file), {});
    bytes = context->weights_file;
    source = weights_path;
  } else if (model->weights) {
    bytes = std::string_view(reinterpret_cast<const char*>(model->weights),
                             static_cast<size_t>(model->weights_size));
    source = "embedded weights of model " + d->name;
  } else {
    return Fail(RNNC_ERROR_WEIGHTS, "model " + d->name +
                                        " was compiled with --external-weights: pass the path "
                                        "of its weights (safetensors) to create");
  }
  std::vector<const float*> data;
  std::string error;
  if (!rnnc::aot::BindWeights(bytes, source, d->params, data, context->weight_copies, error)) {
    return Fail(RNNC_ERROR_WEIGHTS, error);
  }
  for (size_t i = 0; i < d->params.size(); ++i) {
    // The generated code never writes a param's buffer.
    if (d->params[i].slot >= 0) context->slots[d->params[i].slot] = const_cast<float*>(data[i]);
  }
  for (size_t i = 0; i < d->slots.size(); ++i) {
    if (d->slots[i].kind == SlotKind::kParam && !context->slots[i]) {
      return Fail(RNNC_ERROR_INTERNAL, "internal error: model " + d->name + ": slot " +
                                           std::to_string(i) + " is a param no weight binds");
    }
  }
  *out = context.release();
  return RNNC_OK;
}

rnnc_status Run(rnnc_context* context, const int64_t* dims, int32_t num_dims,
                const float* const* inputs, int32_t num_inputs, float* const* outputs,
                int32_t num_outputs) {
  if (!context) return Fail(RNNC_ERROR_NULL_ARGUMENT, "run: the context is null");
  const ModelDescriptor& d = *context->descriptor;
  const std::string model = "model " + d.name;
  if (num_dims != static_cast<int32_t>(d.dims.size()) ||
      num_inputs != static_cast<int32_t>(d.inputs.size()) ||
      num_outputs != static_cast<int32_t>(d.outputs.size())) {
    return Fail(RNNC_ERROR_BAD_COUNT,
                model + ": run takes " + std::to_string(d.dims.size()) + " dims, " +
                    std::to_string(d.inputs.size()) + " inputs and " +
                    std::to_string(d.outputs.size()) + " outputs; got " + std::to_string(num_dims) +
                    ", " + std::to_string(num_inputs) + " and " + std::to_string(num_outputs));
  }
  if ((num_dims > 0 && !dims) || !inputs || !outputs) {
    return Fail(RNNC_ERROR_NULL_ARGUMENT, model + ": run: the " +
                                              std::string(!inputs    ? "inputs"
                                                          : !outputs ? "outputs"
                                                                     : "dims") +
                                              " array is null");
  }
  for (size_t j = 0; j < d.dims.size(); ++j) {
    if (dims[j] < 1) {
      return Fail(RNNC_ERROR_BAD_DIMS, model + ": dim " + d.dims[j] + " is " +
                                           std::to_string(dims[j]) + ", but must be at least 1");
    }
  }
  for (size_t i = 0; i < d.inputs.size(); ++i) {
    if (!inputs[i]) {
      return Fail(RNNC_ERROR_NULL_ARGUMENT,
                  model + ": input " + std::to_string(i) + " ('" + d.inputs[i].name + "') is null");
    }
  }
  for (size_t o = 0; o < d.outputs.size(); ++o) {
    if (!outputs[o]) {
      return Fail(RNNC_ERROR_NULL_ARGUMENT, model + ": output " + std::to_string(o) + " ('" +
                                                d.outputs[o].name + "') is null");
    }
  }
  if (!context->allocated || !std::equal(dims, dims + num_dims, context->bound.begin())) {
    if (rnnc_status status = Allocate(*context, dims); status != RNNC_OK) return status;
  }
  for (size_t i = 0; i < d.inputs.size(); ++i) {
    // The generated code never writes an input's buffer.
    if (d.inputs[i].slot >= 0) context->slots[d.inputs[i].slot] = const_cast<float*>(inputs[i]);
  }
  // An output in a buffer of its own size goes straight into the caller's
  // memory, its slot pointing there for the run, unless that memory overlaps
  // an input or another output (the caller may ask for a result in place).
  std::vector<uintptr_t> begins, ends;
  auto add_range = [&](const float* data, int64_t count) {
    begins.push_back(reinterpret_cast<uintptr_t>(data));
    ends.push_back(begins.back() + static_cast<uintptr_t>(count) * sizeof(float));
  };
  for (size_t i = 0; i < d.inputs.size(); ++i) add_range(inputs[i], context->input_counts[i]);
  for (size_t o = 0; o < d.outputs.size(); ++o) add_range(outputs[o], context->output_counts[o]);
  auto overlaps_another = [&](size_t range) {
    for (size_t j = 0; j < begins.size(); ++j) {
      if (j != range && begins[j] < ends[range] && begins[range] < ends[j]) return true;
    }
    return false;
  };
  std::vector<std::pair<int, float*>> own_buffers;
  std::vector<bool> written(d.outputs.size(), false);
  for (size_t o = 0; o < d.outputs.size(); ++o) {
    const int slot = d.outputs[o].slot;
    const bool taken = std::any_of(own_buffers.begin(), own_buffers.end(),
                                   [&](const auto& own) { return own.first == slot; });
    if (context->output_owns_buffer[o] && !taken && !overlaps_another(d.inputs.size() + o)) {
      own_buffers.push_back({slot, context->slots[slot]});
      context->slots[slot] = outputs[o];
      written[o] = true;
    }
  }
  context->model->entry(context->slots.data(), context->entry_dims.data());
  for (size_t o = 0; o < d.outputs.size(); ++o) {
    if (written[o]) continue;
    // memmove: an output that is an input may be asked into that input's own memory.
    std::memmove(outputs[o], context->slots[d.outputs[o].slot],
                 static_cast<size_t>(context->output_counts[o]) * sizeof(float));
  }
  for (const auto& [slot, buffer] : own_buffers) context->slots[slot] = buffer;
  return RNNC_OK;
}

// Runs `body`, turning an exception (allocation, in practice) into a status.
template <typename Body>
rnnc_status Guarded(const char* function, Body body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return Fail(RNNC_ERROR_OUT_OF_MEMORY, std::string(function) + ": out of memory");
  } catch (const std::exception& e) {
    return Fail(RNNC_ERROR_INTERNAL, std::string(function) + ": internal error: " + e.what());
  }
}

}  // namespace

extern "C" {

rnnc_status rnnc_aot_create(const rnnc_aot_model* model, const char* weights_path,
                            rnnc_context** context) {
  return Guarded("create", [&] { return Create(model, weights_path, context); });
}

void rnnc_aot_destroy(const rnnc_aot_model*, rnnc_context* context) { delete context; }

rnnc_status rnnc_aot_run(const rnnc_aot_model*, rnnc_context* context, const int64_t* dims,
                         int32_t num_dims, const float* const* inputs, int32_t num_inputs,
                         float* const* outputs, int32_t num_outputs) {
  return Guarded("run", [&] {
    return Run(context, dims, num_dims, inputs, num_inputs, outputs, num_outputs);
  });
}

}  // extern "C"
