// The text of runtime/aot/rnnc_model_abi.h, which every generated model
// header starts with so that a user needs only model.h and libmodel.so.
// CMake writes AbiHeaderText.cpp from the header itself, so the two cannot
// drift apart.
#ifndef RNNC_AOT_ABI_HEADER_TEXT_H
#define RNNC_AOT_ABI_HEADER_TEXT_H

namespace rnnc::aot {

extern const char kAbiHeaderText[];

}  // namespace rnnc::aot

#endif  // RNNC_AOT_ABI_HEADER_TEXT_H
