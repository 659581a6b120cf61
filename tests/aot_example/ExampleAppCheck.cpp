// Checks the example application (examples/app) against the interpreter:
// runs the program it is given, reads its "y[n] = value" lines, and compares
// them with the interpreter's outputs for the same classifier (seed 42) on
// the same input (example_input.h), within 1e-5 relative + 1e-6 absolute.
//
//   aot_example_check PATH/TO/classifier_app
//
// ctest runs it on the in-tree build and on the out-of-tree one that
// OutOfTree.cmake makes from the installed package.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "backends/interp/Interpreter.h"
#include "example_input.h"
#include "examples/Models.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: aot_example_check CLASSIFIER_APP\n";
    return 2;
  }
  FILE* pipe = popen(argv[1], "r");
  if (!pipe) {
    std::cerr << "aot_example_check: cannot run " << argv[1] << "\n";
    return 1;
  }
  std::vector<float> printed;
  char line[256];
  while (std::fgets(line, sizeof(line), pipe)) {
    std::cout << line;
    long long n = 0;
    float value = 0;
    if (std::sscanf(line, "y[%lld] = %f", &n, &value) == 2) printed.push_back(value);
  }
  if (pclose(pipe) != 0) {
    std::cerr << "aot_example_check: " << argv[1] << " failed\n";
    return 1;
  }

  rnnc::Model model("classifier", /*seed=*/42);
  rnnc::examples::BuildGruClassifier(model);
  absl::StatusOr<rnnc::ir::Graph> graph = model.Build();
  rnnc::Tensor x({EXAMPLE_STEPS, EXAMPLE_BATCH, 50});
  for (int64_t i = 0; i < x.num_elements(); ++i) x.data()[i] = example_input(i);
  auto interp = rnnc::interp::CompileForInterpreter(*graph, model.weights());
  absl::StatusOr<rnnc::TensorMap> outputs =
      interp.ok() ? (*interp)->Run({{"x", x}}) : interp.status();
  if (!outputs.ok()) {
    std::cerr << "aot_example_check: " << outputs.status() << "\n";
    return 1;
  }
  const rnnc::Tensor& y = outputs->at("y");
  if (static_cast<int64_t>(printed.size()) != y.num_elements()) {
    std::cerr << "aot_example_check: expected " << y.num_elements() << " lines 'y[n] = value', got "
              << printed.size() << "\n";
    return 1;
  }
  for (int64_t n = 0; n < y.num_elements(); ++n) {
    const double want = y.data()[n];
    if (std::fabs(printed[n] - want) > 1e-5 * std::fabs(want) + 1e-6) {
      std::cerr << "aot_example_check: y[" << n << "] = " << printed[n] << ", the interpreter says "
                << want << "\n";
      return 1;
    }
  }
  std::cout << "matches the interpreter (" << y.num_elements() << " values)\n";
  return 0;
}
