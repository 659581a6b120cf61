// The C header of a compiled model: the ABI text (rnnc_model_abi.h), which
// libraries it needs, its dims, inputs and outputs as a comment and as enum
// indices, and the declarations of its functions.
#ifndef RNNC_AOT_MODEL_HEADER_H
#define RNNC_AOT_MODEL_HEADER_H

#include <string>

#include "aot/LibraryOptions.h"
#include "ir/Graph.h"

namespace rnnc::aot {

// `options.name` must be set (the caller resolves the default).
std::string GenerateModelHeader(const ir::Graph& graph, const LibraryOptions& options);

// What the library needs at run time, as the header states it.
std::string RequiredLibraries(const LibraryOptions& options);

}  // namespace rnnc::aot

#endif  // RNNC_AOT_MODEL_HEADER_H
