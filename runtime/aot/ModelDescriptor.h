// The description of a compiled model that its library carries: names and
// dims of its inputs, outputs and params, and which buffer ("slot") of the
// generated entry function holds what. The compiler writes it as JSON into
// the object file; the AOT runtime reads it when a context is created.
//
// Plain C++ and nlohmann's header-only JSON, no Abseil: this file is part of
// the runtime archive that compiled libraries link, which must need nothing
// beyond libstdc++.
#ifndef RNNC_RUNTIME_AOT_MODEL_DESCRIPTOR_H
#define RNNC_RUNTIME_AOT_MODEL_DESCRIPTOR_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rnnc::aot {

// A static size (symbol empty) or a symbol such as "T".
struct DimDescriptor {
  int64_t size = -1;
  std::string symbol;
};

struct TensorDescriptor {
  std::string name;
  std::vector<DimDescriptor> dims;
  int slot = -1;  // -1: the generated code never reads it
};

enum class SlotKind { kInput, kParam, kBuffer };

struct SlotDescriptor {
  SlotKind kind = SlotKind::kBuffer;
  std::vector<DimDescriptor> dims;  // what a buffer is sized to
  bool prepared = false;            // filled by rnnc_prepare, read by every run
};

struct ModelDescriptor {
  std::string name;                     // the C prefix, e.g. "classifier"
  std::string rnnc_version;             // of the compiler that wrote it
  std::vector<std::string> dims;        // the symbols run binds, in its order
  std::vector<std::string> entry_dims;  // the order the entry function reads them
  std::vector<TensorDescriptor> inputs;
  std::vector<TensorDescriptor> outputs;
  std::vector<TensorDescriptor> params;
  std::vector<SlotDescriptor> slots;
};

std::string SerializeModelDescriptor(const ModelDescriptor& descriptor);
// False, with `error` set, for text that is not a descriptor.
bool ParseModelDescriptor(std::string_view text, ModelDescriptor& descriptor, std::string& error);

// "f32[T, N, 50]", as the IR prints types.
std::string DimsToString(const std::vector<DimDescriptor>& dims);

}  // namespace rnnc::aot

#endif  // RNNC_RUNTIME_AOT_MODEL_DESCRIPTOR_H
