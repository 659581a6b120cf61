// Builds an example model with the DSL and writes what `rnnc run` needs:
// the IR text, the initial weights and a batch of random inputs.
//
//   export_model classifier OUT_DIR [T N]
//
// writes OUT_DIR/classifier.rnnc, classifier.weights.safetensors and
// classifier.inputs.safetensors, and prints the IR.
#include <iostream>
#include <random>

#include "absl/strings/numbers.h"
#include "examples/Models.h"
#include "ir/Printer.h"
#include "runtime/Safetensors.h"

int main(int argc, char** argv) {
  using namespace rnnc;
  if (argc != 3 && argc != 5) {
    std::cerr << "usage: export_model classifier|tagger OUT_DIR [T N]\n";
    return 2;
  }
  const std::string name = argv[1], dir = argv[2];
  int64_t steps = 20, batch = 4;
  if (argc == 5 && (!absl::SimpleAtoi(argv[3], &steps) || !absl::SimpleAtoi(argv[4], &batch) ||
                    steps < 1 || batch < 1)) {
    std::cerr << "export_model: T and N must be positive integers\n";
    return 2;
  }

  Model model(name, /*seed=*/42);
  if (name == "classifier") {
    examples::BuildGruClassifier(model);
  } else if (name == "tagger") {
    examples::BuildGruTagger(model);
  } else {
    std::cerr << "export_model: unknown model '" << name << "'; expected classifier or tagger\n";
    return 2;
  }
  absl::StatusOr<ir::Graph> graph = model.Build();
  if (!graph.ok()) {
    std::cerr << "export_model: " << graph.status().message() << "\n";
    return 1;
  }

  const std::string text = ir::PrintGraph(*graph);
  std::cout << text;
  const std::string base = dir + "/" + name;
  FILE* file = std::fopen((base + ".rnnc").c_str(), "w");
  if (!file) {
    std::cerr << "export_model: cannot write " << base << ".rnnc\n";
    return 1;
  }
  std::fputs(text.c_str(), file);
  std::fclose(file);

  // One random batch for every input, with T and N as asked.
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  TensorMap inputs;
  for (const ir::Value* input : graph->inputs()) {
    absl::StatusOr<std::vector<int64_t>> shape = input->type().Resolve({{"T", steps}, {"N", batch}});
    if (!shape.ok()) {
      std::cerr << "export_model: " << shape.status().message() << "\n";
      return 1;
    }
    Tensor tensor(*shape);
    for (float& v : tensor.values()) v = normal(rng);
    inputs[input->name()] = std::move(tensor);
  }
  for (const absl::Status& status : {model.SaveWeights(base + ".weights.safetensors"),
                                     WriteSafetensors(base + ".inputs.safetensors", inputs)}) {
    if (!status.ok()) {
      std::cerr << "export_model: " << status.message() << "\n";
      return 1;
    }
  }
  std::cerr << "wrote " << base << ".rnnc, " << base << ".weights.safetensors, " << base
            << ".inputs.safetensors\n";
  return 0;
}
