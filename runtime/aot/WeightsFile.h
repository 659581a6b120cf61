// The AOT runtime's reader of a model's weights in safetensors form: the
// embedded bytes of a library, or the file of --external-weights. It is a
// second, smaller reader beside runtime/Safetensors.h because the runtime
// archive must not need Abseil; it takes only what compiled models use:
// F32 tensors named and shaped exactly as the model's params, no others.
#ifndef RNNC_RUNTIME_AOT_WEIGHTS_FILE_H
#define RNNC_RUNTIME_AOT_WEIGHTS_FILE_H

#include <string>
#include <string_view>
#include <vector>

#include "runtime/aot/ModelDescriptor.h"

namespace rnnc::aot {

// Points params[i]'s data at its tensor in `bytes` (or, when that is not
// 4-byte aligned, at a copy appended to `copies`). False, with `error`
// naming `source` and the tensor, when the bytes are not safetensors, a
// param is missing, mis-shaped or not F32, a range runs past the data, or
// there is a tensor the model has no param for.
bool BindWeights(std::string_view bytes, std::string_view source,
                 const std::vector<TensorDescriptor>& params, std::vector<const float*>& data,
                 std::vector<std::vector<float>>& copies, std::string& error);

}  // namespace rnnc::aot

#endif  // RNNC_RUNTIME_AOT_WEIGHTS_FILE_H
