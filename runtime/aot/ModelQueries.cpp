// The AOT runtime's queries: a model's dims, inputs and outputs, their
// names and shapes, as rnnc_model_abi.h lists them. An index out of range
// gives null or -1, never a crash.
#include <string>
#include <vector>

#include "runtime/aot/ModelState.h"
#include "runtime/aot/RuntimeFunctions.h"

namespace {

using rnnc::aot::DimDescriptor;
using rnnc::aot::Describe;
using rnnc::aot::Fail;
using rnnc::aot::ModelDescriptor;
using rnnc::aot::TensorDescriptor;

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

extern "C" {

const char* rnnc_aot_last_error(const rnnc_aot_model*) { return rnnc::aot::LastError(); }

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
