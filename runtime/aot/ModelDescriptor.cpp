// The descriptor to and from JSON. The parser checks every field's type, so
// that a damaged library gives an error rather than a crash.
#include "runtime/aot/ModelDescriptor.h"

#include "nlohmann/json.hpp"

namespace rnnc::aot {

namespace {

using nlohmann::json;

json DimsToJson(const std::vector<DimDescriptor>& dims) {
  json array = json::array();
  for (const DimDescriptor& dim : dims) {
    array.push_back(dim.symbol.empty() ? json(dim.size) : json(dim.symbol));
  }
  return array;
}

json TensorsToJson(const std::vector<TensorDescriptor>& tensors) {
  json array = json::array();
  for (const TensorDescriptor& tensor : tensors) {
    array.push_back(
        {{"name", tensor.name}, {"dims", DimsToJson(tensor.dims)}, {"slot", tensor.slot}});
  }
  return array;
}

const char* SlotKindName(SlotKind kind) {
  switch (kind) {
    case SlotKind::kInput:
      return "input";
    case SlotKind::kParam:
      return "param";
    case SlotKind::kBuffer:
      break;
  }
  return "buffer";
}

bool DimsFromJson(const json& array, std::vector<DimDescriptor>& dims) {
  if (!array.is_array()) return false;
  for (const json& item : array) {
    if (item.is_number_integer()) {
      dims.push_back({item.get<int64_t>(), ""});
    } else if (item.is_string()) {
      dims.push_back({-1, item.get<std::string>()});
    } else {
      return false;
    }
  }
  return true;
}

bool TensorsFromJson(const json& array, std::vector<TensorDescriptor>& tensors) {
  if (!array.is_array()) return false;
  for (const json& item : array) {
    TensorDescriptor tensor;
    if (!item.is_object() || !item.contains("name") || !item["name"].is_string() ||
        !item.contains("slot") || !item["slot"].is_number_integer() || !item.contains("dims") ||
        !DimsFromJson(item["dims"], tensor.dims)) {
      return false;
    }
    tensor.name = item["name"].get<std::string>();
    tensor.slot = item["slot"].get<int>();
    tensors.push_back(std::move(tensor));
  }
  return true;
}

bool StringsFromJson(const json& array, std::vector<std::string>& strings) {
  if (!array.is_array()) return false;
  for (const json& item : array) {
    if (!item.is_string()) return false;
    strings.push_back(item.get<std::string>());
  }
  return true;
}

}  // namespace

std::string SerializeModelDescriptor(const ModelDescriptor& descriptor) {
  json slots = json::array();
  for (const SlotDescriptor& slot : descriptor.slots) {
    slots.push_back({{"kind", SlotKindName(slot.kind)},
                     {"dims", DimsToJson(slot.dims)},
                     {"prepared", slot.prepared}});
  }
  return json{{"name", descriptor.name},
              {"rnnc_version", descriptor.rnnc_version},
              {"dims", descriptor.dims},
              {"entry_dims", descriptor.entry_dims},
              {"inputs", TensorsToJson(descriptor.inputs)},
              {"outputs", TensorsToJson(descriptor.outputs)},
              {"params", TensorsToJson(descriptor.params)},
              {"slots", slots}}
      .dump();
}

bool ParseModelDescriptor(std::string_view text, ModelDescriptor& descriptor, std::string& error) {
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  descriptor = ModelDescriptor();
  bool ok = root.is_object() && root.contains("name") && root["name"].is_string() &&
            root.contains("rnnc_version") && root["rnnc_version"].is_string() &&
            root.contains("dims") && StringsFromJson(root["dims"], descriptor.dims) &&
            root.contains("entry_dims") &&
            StringsFromJson(root["entry_dims"], descriptor.entry_dims) && root.contains("inputs") &&
            TensorsFromJson(root["inputs"], descriptor.inputs) && root.contains("outputs") &&
            TensorsFromJson(root["outputs"], descriptor.outputs) && root.contains("params") &&
            TensorsFromJson(root["params"], descriptor.params) && root.contains("slots") &&
            root["slots"].is_array();
  if (ok) {
    descriptor.name = root["name"].get<std::string>();
    descriptor.rnnc_version = root["rnnc_version"].get<std::string>();
    for (const json& item : root["slots"]) {
      SlotDescriptor slot;
      if (!item.is_object() || !item.contains("kind") || !item["kind"].is_string() ||
          !item.contains("dims") || !DimsFromJson(item["dims"], slot.dims) ||
          !item.contains("prepared") || !item["prepared"].is_boolean()) {
        ok = false;
        break;
      }
      const std::string kind = item["kind"].get<std::string>();
      slot.kind = kind == "input"   ? SlotKind::kInput
                  : kind == "param" ? SlotKind::kParam
                                    : SlotKind::kBuffer;
      slot.prepared = item["prepared"].get<bool>();
      descriptor.slots.push_back(std::move(slot));
    }
  }
  if (!ok) error = "the model descriptor embedded in the library is malformed";
  return ok;
}

std::string DimsToString(const std::vector<DimDescriptor>& dims) {
  std::string text = "f32[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) text += ", ";
    text += dims[i].symbol.empty() ? std::to_string(dims[i].size) : dims[i].symbol;
  }
  return text + "]";
}

}  // namespace rnnc::aot
