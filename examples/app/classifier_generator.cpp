// The generator of the example application: builds the stacked-GRU
// classifier with the DSL (weights from its seed) and compiles it ahead of
// time, Halide-style. rnnc_add_model runs it at build time as
//
//   classifier.generator LIBRARY.so HEADER.h
#include <iostream>

#include "Models.h"
#include "aot/CompileToLibrary.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: classifier.generator LIBRARY.so HEADER.h\n";
    return 2;
  }
  rnnc::Model model("classifier", /*seed=*/42);
  rnnc::examples::BuildGruClassifier(model);
  if (absl::Status status = model.CompileToSharedLibrary(argv[1], argv[2]); !status.ok()) {
    std::cerr << "classifier.generator: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
