// The generated header, written from the same function list
// (RNNC_MODEL_FUNCTIONS) that the exported wrappers come from.
#include "aot/ModelHeader.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "aot/AbiHeaderText.h"
#include "ir/BindDims.h"
#include "runtime/aot/rnnc_model_abi.h"

namespace rnnc::aot {

namespace {

// "gru1.h0" -> "GRU1_H0": a C identifier's tail, upper case.
std::string EnumPart(const std::string& name) {
  std::string part;
  for (char c : name) part += absl::ascii_isalnum(c) ? absl::ascii_toupper(c) : '_';
  return part;
}

// One enum per list: PREFIX_KIND_NAME = i, ..., PREFIX_NUM_KINDS = n. Names
// that spell the same identifier get their index appended.
std::string EnumLines(const std::string& prefix, const std::string& kind,
                      const std::vector<std::string>& names) {
  std::string text;
  std::set<std::string> used;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string identifier = absl::StrCat(prefix, "_", kind, "_", EnumPart(names[i]));
    if (!used.insert(identifier).second) absl::StrAppend(&identifier, "_", i);
    used.insert(identifier);
    absl::StrAppendFormat(&text, "  %s = %d,\n", identifier, i);
  }
  absl::StrAppendFormat(&text, "  %s_NUM_%sS = %d\n", prefix, kind, names.size());
  return text;
}

}  // namespace

std::string RequiredLibraries(const LibraryOptions& options) {
  return options.onednn_gemm
             ? "libc, libm, libstdc++ and libdnnl (oneDNN's sgemm runs the large products of "
               "two activations)"
             : "libc, libm and libstdc++ only (every matmul is inline code; no oneDNN)";
}

std::string GenerateModelHeader(const ir::Graph& graph, const LibraryOptions& options) {
  const std::string& name = options.name;
  const std::string upper = EnumPart(name);
  std::vector<std::string> dims = ir::InputSymbols(graph);
  std::vector<std::string> inputs, outputs, input_lines, output_lines;
  for (const ir::Value* input : graph.inputs()) {
    inputs.push_back(input->name());
    input_lines.push_back(absl::StrCat(" *   ", input->name(), ": ", input->type().ToString()));
  }
  for (const ir::GraphOutput& output : graph.outputs()) {
    outputs.push_back(output.name);
    output_lines.push_back(
        absl::StrCat(" *   ", output.name, ": ", output.value->type().ToString()));
  }

  std::string text = absl::StrFormat(
      "/* %s.h: the C interface of model %s, compiled by rnnc %s (ABI v%d) from graph \"%s\".\n"
      " * Generated; do not edit.\n"
      " *\n"
      " * Needs at run time: %s.\n"
      " * Compiled for: %s.\n"
      " * Weights: %s.\n"
      " *\n"
      " * dims (run's `dims`, in this order): %s\n"
      " * inputs (run's `inputs`, in this order):\n%s\n"
      " * outputs (run's `outputs`, in this order):\n%s\n"
      " */\n"
      "#ifndef RNNC_MODEL_%s_H\n#define RNNC_MODEL_%s_H\n\n",
      name, name, RNNC_VERSION, RNNC_ABI_VERSION, graph.name(), RequiredLibraries(options),
      options.target_cpu.empty() || options.target_cpu == "native"
          ? "the CPU of the machine that compiled it, with all its features"
          : absl::StrCat("CPU ", options.target_cpu, " and CPUs with its features"),
      options.embed_weights
          ? "embedded in the library (create with a null path uses them; a path loads "
            "that file instead)"
          : "external (--external-weights): create needs the path of a safetensors file",
      dims.empty() ? "none" : absl::StrJoin(dims, ", "), absl::StrJoin(input_lines, "\n"),
      absl::StrJoin(output_lines, "\n"), upper, upper);
  absl::StrAppend(&text, kAbiHeaderText, "\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
  absl::StrAppend(&text, "enum {\n", EnumLines(upper, "DIM", dims), "};\n");
  absl::StrAppend(&text, "enum {\n", EnumLines(upper, "INPUT", inputs), "};\n");
  absl::StrAppend(&text, "enum {\n", EnumLines(upper, "OUTPUT", outputs), "};\n\n");
  absl::StrAppendFormat(&text, "#define %s_ABI_VERSION %d\n\n", upper, RNNC_ABI_VERSION);
#define RNNC_DECLARE(function, result, parameters, signature) \
  absl::StrAppend(&text, #result, " ", name, "_" #function, #parameters, ";\n");
  RNNC_MODEL_FUNCTIONS(RNNC_DECLARE)
#undef RNNC_DECLARE
  absl::StrAppend(&text, "\nuint32_t rnnc_model_abi_version(void);\n",
                  "const char* rnnc_model_compiler_version(void);\n",
                  "const char* rnnc_model_name(void);\n");
  absl::StrAppend(&text, "\n#ifdef __cplusplus\n}  /* extern \"C\" */\n#endif\n\n#endif\n");
  return text;
}

}  // namespace rnnc::aot
