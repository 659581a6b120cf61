#include "training/ParamsAsInputs.h"

#include <string>
#include <vector>

namespace rnnc::training {

// The input is made under a free name, takes every use of the param, and
// takes the param's name once the param is gone (names are unique).
ir::Graph ParamsAsInputs(const ir::Graph& graph) {
  ir::Graph result = graph;
  const std::vector<ir::Value*> params = result.params();
  for (ir::Value* param : params) {
    const std::string name = param->name();
    ir::Value* input = result.AddInput(name, param->type());
    result.ReplaceAllUses(param, input);
    result.RemoveParam(param);
    result.RenameValue(input, name);
  }
  return result;
}

}  // namespace rnnc::training
