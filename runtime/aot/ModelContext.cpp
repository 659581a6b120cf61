// The AOT runtime: the functions of rnnc_model_abi.h, written once for every
// compiled model. A library's exported <model>_<function> wrappers call
// rnnc_aot_<function> with the model's rnnc_aot_model (AotModel.h); this
// file checks every argument, binds the weights, sizes the buffers of the
// generated entry function for the dims of a run, calls it and copies the
// outputs out. Failures set a thread-local message and return a status; no
// exception leaves a function.
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <type_traits>
#include <vector>

#include "runtime/aot/AotModel.h"
#include "runtime/aot/ModelDescriptor.h"
#include "runtime/aot/WeightsFile.h"
#include "runtime/aot/rnnc_model_abi.h"

namespace {

using rnnc::aot::DimDescriptor;
using rnnc::aot::ModelDescriptor;
using rnnc::aot::SlotKind;
using rnnc::aot::TensorDescriptor;

thread_local std::string last_error;

rnnc_status Fail(rnnc_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

// Every slot and symbol the descriptor mentions exists, so that later code
// indexes without checking.
bool Consistent(const ModelDescriptor& d) {
  auto known_symbol = [&](const std::string& symbol) {
    for (const std::string& dim : d.dims) {
      if (dim == symbol) return true;
    }
    return false;
  };
  auto dims_ok = [&](const std::vector<DimDescriptor>& dims) {
    for (const DimDescriptor& dim : dims) {
      if (!dim.symbol.empty() && !known_symbol(dim.symbol)) return false;
    }
    return true;
  };
  for (const std::string& symbol : d.entry_dims) {
    if (!known_symbol(symbol)) return false;
  }
  for (const auto* tensors : {&d.inputs, &d.outputs, &d.params}) {
    for (const TensorDescriptor& tensor : *tensors) {
      if (tensor.slot < -1 || tensor.slot >= static_cast<int>(d.slots.size())) return false;
      if (!dims_ok(tensor.dims)) return false;
    }
  }
  for (const TensorDescriptor& output : d.outputs) {
    if (output.slot < 0) return false;
  }
  for (const auto& slot : d.slots) {
    if (!dims_ok(slot.dims)) return false;
  }
  return true;
}

// The parsed descriptor of `model`, parsed once per process; null (and the
// message set) if the library's descriptor is damaged.
const ModelDescriptor* Describe(const rnnc_aot_model* model) {
  static std::mutex mutex;
  static std::map<const rnnc_aot_model*, std::unique_ptr<ModelDescriptor>> parsed;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = parsed.find(model);
  if (it == parsed.end()) {
    auto descriptor = std::make_unique<ModelDescriptor>();
    std::string error;
    if (!rnnc::aot::ParseModelDescriptor(
            std::string_view(model->descriptor, static_cast<size_t>(model->descriptor_size)),
            *descriptor, error) ||
        !Consistent(*descriptor)) {
      last_error = "internal error: the model descriptor embedded in the library is malformed";
      return nullptr;
    }
    it = parsed.emplace(model, std::move(descriptor)).first;
  }
  return it->second.get();
}

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

const TensorDescriptor* Find(const std::vector<TensorDescriptor>& tensors, int32_t index) {
  if (index < 0 || index >= static_cast<int32_t>(tensors.size())) return nullptr;
  return &tensors[static_cast<size_t>(index)];
}

const DimDescriptor* FindDim(const std::vector<TensorDescriptor>& tensors, int32_t index,
                             int32_t axis) {
  const TensorDescriptor* tensor = Find(tensors, index);
  if (!tensor || axis < 0 || axis >= static_cast<int32_t>(tensor->dims.size())) return nullptr;
  return &tensor->dims[static_cast<size_t>(axis)];
}

}  // namespace

struct rnnc_context {
  const rnnc_aot_model* model = nullptr;
  const ModelDescriptor* descriptor = nullptr;
  std::string weights_file;  // the bytes of external weights
  std::vector<std::vector<float>> weight_copies;
  std::vector<float*> slots;
  std::vector<std::unique_ptr<float, FreeDeleter>> buffers;
  std::vector<int64_t> bound;       // the dims the buffers are sized for; empty before a run
  std::vector<int64_t> entry_dims;  // `bound` in the entry function's order
  std::vector<int64_t> output_counts;
};

namespace {

// Sizes every buffer slot for `dims`.
rnnc_status Allocate(rnnc_context& context, const int64_t* dims) {
  const ModelDescriptor& d = *context.descriptor;
  context.bound.clear();
  context.buffers.clear();
  for (size_t i = 0; i < d.slots.size(); ++i) {
    if (d.slots[i].kind != SlotKind::kBuffer) continue;
    int64_t count = 0;
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
  context.output_counts.clear();
  for (const TensorDescriptor& output : d.outputs) {
    int64_t count = 0;
    CountElements(d, output.dims, dims, count);  // bounded by its slot's, checked above
    context.output_counts.push_back(count);
  }
  context.entry_dims.clear();
  for (const std::string& symbol : d.entry_dims) {
    for (size_t j = 0; j < d.dims.size(); ++j) {
      if (d.dims[j] == symbol) context.entry_dims.push_back(dims[j]);
    }
  }
  context.bound.assign(dims, dims + d.dims.size());
  return RNNC_OK;
}

rnnc_status Create(const rnnc_aot_model* model, const char* weights_path, rnnc_context** out) {
  if (!out) return Fail(RNNC_ERROR_NULL_ARGUMENT, "create: the context pointer is null");
  *out = nullptr;
  const ModelDescriptor* d = Describe(model);
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
  if (context->bound.empty() || !std::equal(dims, dims + num_dims, context->bound.begin())) {
    if (rnnc_status status = Allocate(*context, dims); status != RNNC_OK) return status;
  }
  for (size_t i = 0; i < d.inputs.size(); ++i) {
    // The generated code never writes an input's buffer.
    if (d.inputs[i].slot >= 0) context->slots[d.inputs[i].slot] = const_cast<float*>(inputs[i]);
  }
  context->model->entry(context->slots.data(), context->entry_dims.data());
  for (size_t o = 0; o < d.outputs.size(); ++o) {
    // memmove: an output that is an input may be asked into that input's own memory.
    std::memmove(outputs[o], context->slots[d.outputs[o].slot],
                 static_cast<size_t>(context->output_counts[o]) * sizeof(float));
  }
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

const char* rnnc_aot_last_error(const rnnc_aot_model*) { return last_error.c_str(); }

int32_t rnnc_aot_num_dims(const rnnc_aot_model* model) {
  const ModelDescriptor* d = Describe(model);
  return d ? static_cast<int32_t>(d->dims.size()) : -1;
}

const char* rnnc_aot_dim_name(const rnnc_aot_model* model, int32_t dim) {
  const ModelDescriptor* d = Describe(model);
  if (!d || dim < 0 || dim >= static_cast<int32_t>(d->dims.size())) return nullptr;
  return d->dims[static_cast<size_t>(dim)].c_str();
}

#define RNNC_TENSOR_QUERIES(kind, list)                                                     \
  int32_t rnnc_aot_num_##list(const rnnc_aot_model* model) {                                \
    const ModelDescriptor* d = Describe(model);                                             \
    return d ? static_cast<int32_t>(d->list.size()) : -1;                                   \
  }                                                                                         \
  const char* rnnc_aot_##kind##_name(const rnnc_aot_model* model, int32_t index) {          \
    const ModelDescriptor* d = Describe(model);                                             \
    const TensorDescriptor* tensor = d ? Find(d->list, index) : nullptr;                    \
    return tensor ? tensor->name.c_str() : nullptr;                                         \
  }                                                                                         \
  int32_t rnnc_aot_##kind##_rank(const rnnc_aot_model* model, int32_t index) {              \
    const ModelDescriptor* d = Describe(model);                                             \
    const TensorDescriptor* tensor = d ? Find(d->list, index) : nullptr;                    \
    return tensor ? static_cast<int32_t>(tensor->dims.size()) : -1;                         \
  }                                                                                         \
  int64_t rnnc_aot_##kind##_dim(const rnnc_aot_model* model, int32_t index, int32_t axis) { \
    const ModelDescriptor* d = Describe(model);                                             \
    const DimDescriptor* dim = d ? FindDim(d->list, index, axis) : nullptr;                 \
    return dim && dim->symbol.empty() ? dim->size : -1;                                     \
  }                                                                                         \
  const char* rnnc_aot_##kind##_dim_symbol(const rnnc_aot_model* model, int32_t index,      \
                                           int32_t axis) {                                  \
    const ModelDescriptor* d = Describe(model);                                             \
    const DimDescriptor* dim = d ? FindDim(d->list, index, axis) : nullptr;                 \
    return dim && !dim->symbol.empty() ? dim->symbol.c_str() : nullptr;                     \
  }
RNNC_TENSOR_QUERIES(input, inputs)
RNNC_TENSOR_QUERIES(output, outputs)
#undef RNNC_TENSOR_QUERIES

rnnc_status rnnc_aot_output_shape(const rnnc_aot_model* model, int32_t output, const int64_t* dims,
                                  int32_t num_dims, int64_t* shape) {
  const ModelDescriptor* d = Describe(model);
  if (!d) return RNNC_ERROR_INTERNAL;
  const TensorDescriptor* tensor = Find(d->outputs, output);
  if (!tensor) {
    return Fail(RNNC_ERROR_BAD_INDEX, "model " + d->name + ": no output " + std::to_string(output) +
                                          "; it has " + std::to_string(d->outputs.size()));
  }
  if (num_dims != static_cast<int32_t>(d->dims.size())) {
    return Fail(RNNC_ERROR_BAD_COUNT, "model " + d->name + ": output_shape takes " +
                                          std::to_string(d->dims.size()) + " dims, got " +
                                          std::to_string(num_dims));
  }
  if ((num_dims > 0 && !dims) || !shape) {
    return Fail(RNNC_ERROR_NULL_ARGUMENT, "model " + d->name + ": output_shape: the " +
                                              (shape ? "dims" : "shape") + " array is null");
  }
  for (size_t a = 0; a < tensor->dims.size(); ++a) {
    shape[a] = tensor->dims[a].size;
    for (size_t j = 0; j < d->dims.size(); ++j) {
      if (tensor->dims[a].symbol == d->dims[j]) shape[a] = dims[j];
    }
  }
  return RNNC_OK;
}

int32_t rnnc_aot_weights_embedded(const rnnc_aot_model* model) {
  return model->weights != nullptr ? 1 : 0;
}

}  // extern "C"

// The definitions above take the model and then exactly the parameters that
// rnnc_model_abi.h lists, which is what the generated wrappers pass.
namespace {
template <typename Function>
struct WithModel;
template <typename Result, typename... Parameters>
struct WithModel<Result (*)(Parameters...)> {
  using type = Result (*)(const rnnc_aot_model*, Parameters...);
};
#define RNNC_CHECK_SIGNATURE(function, result, parameters, signature)                              \
  static_assert(                                                                                   \
      std::is_same_v<decltype(&rnnc_aot_##function), WithModel<rnnc_model_##function##_fn>::type>, \
      "rnnc_aot_" #function " does not match rnnc_model_abi.h");
RNNC_MODEL_FUNCTIONS(RNNC_CHECK_SIGNATURE)
#undef RNNC_CHECK_SIGNATURE
}  // namespace
