// The loader: every symbol is looked up before anything runs, and every
// status the library returns becomes an error with its message.
#include "runtime/CompiledModel.h"

#include <dlfcn.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ir/BindDims.h"
#include "ir/Graph.h"
#include "runtime/aot/rnnc_model_abi.h"

namespace rnnc {

namespace {

// The model's functions, resolved.
struct ModelFunctions {
#define RNNC_FUNCTION_POINTER(function, result, parameters, signature) \
  rnnc_model_##function##_fn function = nullptr;
  RNNC_MODEL_FUNCTIONS(RNNC_FUNCTION_POINTER)
#undef RNNC_FUNCTION_POINTER
};

const char* StatusName(rnnc_status status) {
  switch (status) {
    case RNNC_OK:
      return "RNNC_OK";
    case RNNC_ERROR_NULL_ARGUMENT:
      return "RNNC_ERROR_NULL_ARGUMENT";
    case RNNC_ERROR_BAD_COUNT:
      return "RNNC_ERROR_BAD_COUNT";
    case RNNC_ERROR_BAD_DIMS:
      return "RNNC_ERROR_BAD_DIMS";
    case RNNC_ERROR_BAD_INDEX:
      return "RNNC_ERROR_BAD_INDEX";
    case RNNC_ERROR_WEIGHTS:
      return "RNNC_ERROR_WEIGHTS";
    case RNNC_ERROR_OUT_OF_MEMORY:
      return "RNNC_ERROR_OUT_OF_MEMORY";
    case RNNC_ERROR_INTERNAL:
      break;
  }
  return "RNNC_ERROR_INTERNAL";
}

struct LibraryCloser {
  void operator()(void* handle) const { dlclose(handle); }
};
using LibraryHandle = std::unique_ptr<void, LibraryCloser>;

class CompiledModel : public Executable {
 public:
  CompiledModel(std::string path, LibraryHandle library, ModelFunctions functions,
                rnnc_context* context)
      : path_(std::move(path)),
        library_(std::move(library)),
        functions_(functions),
        context_(context) {
    // The inputs' types as a graph, so that dims are bound and checked by
    // ir::BindDims with its messages.
    for (int32_t i = 0; i < functions_.num_inputs(); ++i) {
      std::vector<ir::Dim> dims;
      for (int32_t axis = 0; axis < functions_.input_rank(i); ++axis) {
        const char* symbol = functions_.input_dim_symbol(i, axis);
        dims.push_back(symbol ? ir::Dim::Symbol(symbol) : ir::Dim(functions_.input_dim(i, axis)));
      }
      inputs_.AddInput(functions_.input_name(i), ir::TensorType(std::move(dims)));
    }
  }
  ~CompiledModel() override { functions_.destroy(context_); }

  absl::Status Run(const TensorMap& inputs, TensorMap& outputs) override {
    std::map<std::string, std::vector<int64_t>> shapes;
    for (const auto& [name, tensor] : inputs) shapes[name] = tensor.shape();
    absl::StatusOr<ir::BoundDims> bound = ir::BindDims(inputs_, shapes);
    if (!bound.ok()) return bound.status();
    std::vector<int64_t> dims;
    for (int32_t j = 0; j < functions_.num_dims(); ++j) {
      dims.push_back(bound->at(functions_.dim_name(j)));
    }
    std::vector<const float*> input_data;
    for (const ir::Value* input : inputs_.inputs()) {
      input_data.push_back(inputs.at(input->name()).data());
    }
    std::vector<float*> output_data;
    for (int32_t o = 0; o < functions_.num_outputs(); ++o) {
      std::vector<int64_t> shape(static_cast<size_t>(functions_.output_rank(o)));
      if (rnnc_status status = functions_.output_shape(
              o, dims.data(), static_cast<int32_t>(dims.size()), shape.data());
          status != RNNC_OK) {
        return Failure(status);
      }
      // The library writes straight into the caller's tensors.
      Tensor& tensor = outputs[functions_.output_name(o)];
      EnsureShape(tensor, shape);
      output_data.push_back(tensor.data());
    }
    rnnc_status status =
        functions_.run(context_, dims.data(), static_cast<int32_t>(dims.size()), input_data.data(),
                       static_cast<int32_t>(input_data.size()), output_data.data(),
                       static_cast<int32_t>(output_data.size()));
    if (status != RNNC_OK) return Failure(status);
    return absl::OkStatus();
  }

 private:
  absl::Status Failure(rnnc_status status) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": ", StatusName(status), ": ", functions_.last_error()));
  }

  std::string path_;
  LibraryHandle library_;
  ModelFunctions functions_;
  rnnc_context* context_;
  ir::Graph inputs_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Executable>> LoadCompiledModel(const std::string& library_path,
                                                              const std::string& weights_path) {
  // dlopen searches the library path for a bare name; a file is meant.
  const std::string path =
      library_path.find('/') == std::string::npos ? "./" + library_path : library_path;
  LibraryHandle library(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!library) {
    return absl::NotFoundError(
        absl::StrCat(library_path, ": cannot load the model library: ", dlerror()));
  }
  auto version = reinterpret_cast<rnnc_model_abi_version_fn>(
      dlsym(library.get(), RNNC_MODEL_ABI_VERSION_SYMBOL));
  auto compiler = reinterpret_cast<rnnc_model_compiler_version_fn>(
      dlsym(library.get(), RNNC_MODEL_COMPILER_SYMBOL));
  auto name = reinterpret_cast<rnnc_model_name_fn>(dlsym(library.get(), RNNC_MODEL_NAME_SYMBOL));
  if (!version || !compiler || !name) {
    return absl::InvalidArgumentError(
        absl::StrCat(library_path, " is not a model library compiled by rnnc: it does not export ",
                     RNNC_MODEL_ABI_VERSION_SYMBOL, ", ", RNNC_MODEL_COMPILER_SYMBOL, " and ",
                     RNNC_MODEL_NAME_SYMBOL));
  }
  if (version() != RNNC_ABI_VERSION) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "library %s was built by rnnc %s with model ABI v%d; this rnnc (%s) expects ABI v%d: "
        "compile the model again with this rnnc",
        library_path, compiler(), version(), RNNC_VERSION, RNNC_ABI_VERSION));
  }
  ModelFunctions functions;
  const std::string prefix = name();
#define RNNC_RESOLVE(function, result, parameters, signature)                                     \
  functions.function = reinterpret_cast<rnnc_model_##function##_fn>(                              \
      dlsym(library.get(), (prefix + "_" #function).c_str()));                                    \
  if (!functions.function) {                                                                      \
    return absl::InvalidArgumentError(absl::StrCat(library_path, ": model '", prefix,             \
                                                   "' lacks the function ", prefix,               \
                                                   "_" #function " of ABI v", RNNC_ABI_VERSION)); \
  }
  RNNC_MODEL_FUNCTIONS(RNNC_RESOLVE)
#undef RNNC_RESOLVE
  rnnc_context* context = nullptr;
  if (rnnc_status status =
          functions.create(weights_path.empty() ? nullptr : weights_path.c_str(), &context);
      status != RNNC_OK) {
    return absl::InvalidArgumentError(
        absl::StrCat(library_path, ": ", StatusName(status), ": ", functions.last_error()));
  }
  return std::make_unique<CompiledModel>(library_path, std::move(library), functions, context);
}

}  // namespace rnnc
