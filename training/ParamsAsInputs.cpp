// params-as-inputs (ParamsAsInputs.h): each param's uses move to a new
// input that takes over its name.
#include "training/ParamsAsInputs.h"

#include <string>
#include <vector>

#include "passes/Rewrite.h"

namespace rnnc::training {

ir::Graph ParamsAsInputs(const ir::Graph& graph) {
  ir::Graph result = graph;
  const std::vector<ir::Value*> params = result.params();
  for (ir::Value* param : params) {
    const std::string name = passes::ReleaseName(result, param);
    ir::Value* input = result.AddInput(name, param->type());
    result.ReplaceAllUses(param, input);
    result.RemoveParam(param);
  }
  return result;
}

}  // namespace rnnc::training
