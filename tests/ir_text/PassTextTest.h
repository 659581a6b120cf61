// For the pass tests of tests/ir_text: run one pass on IR text and compare
// the printout with the expected text written beside it, as MLIR's lit tests
// and TVM's pass tests do.
#ifndef RNNC_TESTS_IR_TEXT_PASS_TEXT_TEST_H
#define RNNC_TESTS_IR_TEXT_PASS_TEXT_TEST_H

#include <string>
#include <string_view>

#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "passes/PassManager.h"

namespace rnnc::passes {

// The raw strings open with a newline so that they line up; it is not part
// of the text.
inline std::string_view Unindent(std::string_view text) {
  return text.starts_with('\n') ? text.substr(1) : text;
}

// `pass` (a name from Passes.def) turns `input` into `expected`; the output
// verifies (RunPasses checks) and prints as written.
inline void ExpectPassOutput(const std::string& pass, std::string_view input,
                             std::string_view expected, const PassOptions& options = {}) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(Unindent(input));
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<ir::Graph> result = RunPasses(*graph, std::vector<std::string>{pass}, options);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(ir::PrintGraph(*result), Unindent(expected));
}

}  // namespace rnnc::passes

#endif  // RNNC_TESTS_IR_TEXT_PASS_TEXT_TEST_H
