// Internal to the LLVM backend: optimizing a lowered module for the host CPU
// and turning it into machine code with ORC's LLJIT. The ORC headers stay in
// Jit.cpp; they are heavy to compile.
#ifndef RNNC_BACKENDS_LLVM_JIT_H
#define RNNC_BACKENDS_LLVM_JIT_H

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "backends/llvm/Codegen.h"

namespace rnnc::llvm_backend {

using EntryFunction = void (*)(float** slots, const int64_t* dims);

// Machine code that lives as long as this object: rnnc_main and
// rnnc_prepare (Codegen.h).
class JitCode {
 public:
  virtual ~JitCode() = default;
  virtual EntryFunction entry() const = 0;
  virtual EntryFunction prepare() const = 0;
};

// Wall milliseconds since `start`: how the JIT's stages are timed
// (JitTimings, ObjectCompile.h's timings, LlvmBackend.h's stats).
inline double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// Milliseconds of wall time spent in each stage of JitCompile: O2 on the
// critical path (the whole-module passes and the slowest partition's O2),
// and the rest, instruction selection to executable code.
struct JitTimings {
  double optimize_ms = 0;
  double machine_code_ms = 0;
  int threads = 1;  // the partitions compiled at once (ObjectCompile.h)
};

// Optimizes `lowered` for the host CPU (its features, AVX-512 included, so
// that the vectorizers and instruction selection use them) and compiles it
// to machine code on `threads` threads (ObjectCompile.h), linked so that
// the runtime functions (RuntimeSupport.h) resolve.
absl::StatusOr<std::unique_ptr<JitCode>> JitCompile(LoweredModule lowered, int threads,
                                                    JitTimings& timings);

// The O2-optimized IR for the host, as text: what `rnnc opt --emit=llvm`
// prints, the module whole (the JIT's partitions are its functions, each
// optimized with the callers in its own partition only).
absl::StatusOr<std::string> OptimizedIrText(LoweredModule lowered);

}  // namespace rnnc::llvm_backend

#endif  // RNNC_BACKENDS_LLVM_JIT_H
