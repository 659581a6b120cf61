// The runtime's shared state: the thread-local last error and the parsed
// descriptors.
#include "runtime/aot/ModelState.h"

#include <map>
#include <memory>
#include <mutex>

namespace rnnc::aot {

namespace {

thread_local std::string last_error;

}  // namespace

rnnc_status Fail(rnnc_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

const char* LastError() { return last_error.c_str(); }

namespace {

// Every slot and symbol the descriptor mentions exists.
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

}  // namespace

const ModelDescriptor* Describe(const rnnc_aot_model* model) {
  static std::mutex mutex;
  static std::map<const rnnc_aot_model*, std::unique_ptr<ModelDescriptor>> parsed;
  std::lock_guard<std::mutex> lock(mutex);
  auto it = parsed.find(model);
  if (it == parsed.end()) {
    auto descriptor = std::make_unique<ModelDescriptor>();
    std::string error;
    if (!ParseModelDescriptor(
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

}  // namespace rnnc::aot
