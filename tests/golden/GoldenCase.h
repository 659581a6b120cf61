// The golden cases: recurrent layer stacks run by PyTorch in float64, stored
// by tests/golden/gen.py as tests/golden/data/<case>.safetensors. This loads
// a case as a graph of one rnn, lstm or gru op, with its weights, inputs and
// expected outputs, so that every backend can be run on the same cases.
#ifndef RNNC_TESTS_GOLDEN_GOLDENCASE_H
#define RNNC_TESTS_GOLDEN_GOLDENCASE_H

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "gtest/gtest.h"
#include "ir/Graph.h"
#include "runtime/Tensor.h"

namespace rnnc::golden {

struct GoldenCase {
  // The file's stem, e.g. "lstm_bidirectional_stacked2_init".
  std::string name;
  // cell, activation or reset, direction, merge, hidden_size, ... as strings.
  std::map<std::string, std::string> metadata;
  // Input x: f32[T, N, I] (and h0, c0: f32[L·D, N, H] when the case has
  // initial states), params named as PyTorch names them, one layer op, and
  // outputs "output", "h_n" and, for lstm, "c_n".
  ir::Graph graph;
  TensorMap weights;
  TensorMap inputs;
  // PyTorch's results, by output name.
  TensorMap expected;
};

// tests/golden/data in the source tree.
std::string GoldenDataDirectory();

// The paths of the golden cases in `directory`, sorted: its .safetensors
// files whose metadata names a `cell` (other files there are fixtures for
// other tests). Empty if the directory is missing.
std::vector<std::string> ListGoldenCases(const std::string& directory);

// Reads the case at `path` and builds its graph.
absl::StatusOr<GoldenCase> LoadGoldenCase(const std::string& path);

// A test name from a case file's path: its stem with every character that
// is not a letter or digit made '_' (gtest allows nothing else).
std::string GoldenTestName(const testing::TestParamInfo<std::string>& info);

// Asserts that `outputs`, another backend's run of `golden`, hold every
// expected output and match both PyTorch's values and the interpreter's run
// of the same case within 1e-5 relative (+1e-6 absolute).
void ExpectMatchesPyTorchAndTheInterpreter(const GoldenCase& golden, const TensorMap& outputs);

}  // namespace rnnc::golden

#endif  // RNNC_TESTS_GOLDEN_GOLDENCASE_H
