// What the AOT runtime's functions share: this thread's last error message
// and each model's descriptor, parsed once per process.
#ifndef RNNC_RUNTIME_AOT_MODEL_STATE_H
#define RNNC_RUNTIME_AOT_MODEL_STATE_H

#include <string>

#include "runtime/aot/AotModel.h"
#include "runtime/aot/ModelDescriptor.h"
#include "runtime/aot/rnnc_model_abi.h"

namespace rnnc::aot {

// Sets this thread's last error to `message` and returns `status`.
rnnc_status Fail(rnnc_status status, std::string message);
// This thread's last error, "" if none.
const char* LastError();

// `model`'s descriptor, checked to mention only slots and symbols that
// exist, so that later code indexes without checking; null (and the last
// error set) if the library's descriptor is damaged.
const ModelDescriptor* Describe(const rnnc_aot_model* model);

}  // namespace rnnc::aot

#endif  // RNNC_RUNTIME_AOT_MODEL_STATE_H
