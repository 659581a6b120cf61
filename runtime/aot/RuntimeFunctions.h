// The AOT runtime's C functions, rnnc_aot_<function>, declared from the
// list in rnnc_model_abi.h: each takes the model (AotModel.h) and then the
// parameters of <model>_<function>, which is what the generated wrappers
// pass. A definition that differs from its declaration here does not
// compile, so the runtime cannot drift from the ABI.
#ifndef RNNC_RUNTIME_AOT_RUNTIME_FUNCTIONS_H
#define RNNC_RUNTIME_AOT_RUNTIME_FUNCTIONS_H

#include "runtime/aot/AotModel.h"
#include "runtime/aot/rnnc_model_abi.h"

namespace rnnc::aot {

// The function type of a model function with the model in front.
template <typename Function>
struct WithModel;
template <typename Result, typename... Parameters>
struct WithModel<Result (*)(Parameters...)> {
  using type = Result(const rnnc_aot_model*, Parameters...);
};

}  // namespace rnnc::aot

extern "C" {
#define RNNC_DECLARE_RUNTIME_FUNCTION(function, result, parameters, signature) \
  rnnc::aot::WithModel<rnnc_model_##function##_fn>::type rnnc_aot_##function;
RNNC_MODEL_FUNCTIONS(RNNC_DECLARE_RUNTIME_FUNCTION)
#undef RNNC_DECLARE_RUNTIME_FUNCTION
}

#endif  // RNNC_RUNTIME_AOT_RUNTIME_FUNCTIONS_H
