// The LLVM backend's executable: binds the symbolic dims of a run, keeps
// one buffer per slot of the generated code (reallocated, and rnnc_prepare
// run again, only when the dims change), points the input and param slots
// at the caller's data and the output slots at the caller's tensors, and
// calls the machine code.
#include "backends/llvm/LlvmBackend.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "backends/llvm/Codegen.h"
#include "backends/llvm/Jit.h"
#include "backends/llvm/RuntimeSupport.h"
#include "ir/BindDims.h"
#include "ir/Verifier.h"
#include "passes/PassManager.h"
#include "runtime/Weights.h"

namespace rnnc::llvm_backend {

namespace {

// Beyond four, the partitions of a model's dozen or so functions no longer
// balance (each layer's step is one function) and cost more than they save.
constexpr int kCompileThreads = 4;

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<float[], FreeDeleter>;

// 64-byte aligned, a whole AVX-512 vector, not null for no floats; null
// when the memory is not there.
Buffer AllocateFloats(int64_t count) {
  if (count < 0 || count > std::numeric_limits<int64_t>::max() / 8) return nullptr;
  const size_t bytes = static_cast<size_t>((count * 4 + 63) / 64 * 64);
  return Buffer(static_cast<float*>(std::aligned_alloc(64, bytes > 0 ? bytes : 64)));
}

class LlvmExecutable : public Executable {
 public:
  LlvmExecutable(std::unique_ptr<ir::Graph> graph, TensorMap weights, BufferLayout layout,
                 std::unique_ptr<JitCode> code)
      : graph_(std::move(graph)), weights_(std::move(weights)), layout_(std::move(layout)),
        code_(std::move(code)), slots_(layout_.slots.size(), nullptr) {}

  absl::Status Run(const TensorMap& inputs, TensorMap& outputs) override {
    std::map<std::string, std::vector<int64_t>> input_shapes;
    for (const auto& [name, tensor] : inputs) input_shapes[name] = tensor.shape();
    absl::StatusOr<ir::BoundDims> bound = ir::BindDims(*graph_, input_shapes);
    if (!bound.ok()) return bound.status();
    if (!allocated_ || *bound != bound_) {
      if (absl::Status status = Allocate(*bound); !status.ok()) return status;
    }
    for (size_t i = 0; i < slots_.size(); ++i) {
      const ir::Value* value = layout_.slots[i];
      if (value->origin() == ir::Value::Origin::kInput) {
        const Tensor& tensor = inputs.at(value->name());
        if (tensor.num_elements() != NumElements(tensor.shape())) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "input '%s' has %d values for shape %s", value->name(), tensor.num_elements(),
              tensor.ShapeString()));
        }
        // The generated code never writes an input's buffer.
        slots_[i] = const_cast<float*>(tensor.data());
      }
    }
    // An output that each run computes into a buffer of its own size is
    // written straight into the caller's tensor, its slot pointing there for
    // the run. The others (an input, a param, a value rnnc_prepare computed,
    // another output's value, a view of a larger buffer) are copied after.
    // No slot moves before every shape is known, so an error leaves none
    // pointing at the caller's memory.
    std::vector<std::pair<size_t, float*>> direct;
    std::vector<std::pair<Tensor*, size_t>> copies;
    for (const ir::GraphOutput& output : graph_->outputs()) {
      absl::StatusOr<std::vector<int64_t>> shape = output.value->type().Resolve(bound_);
      if (!shape.ok()) return shape.status();
      Tensor& tensor = outputs[output.name];
      EnsureShape(tensor, *shape);
      const size_t slot = static_cast<size_t>(layout_.slot_of.at(output.value));
      const bool computed = !layout_.prepared_slots.contains(static_cast<int>(slot)) &&
                            buffer_floats_[slot] == tensor.num_elements() &&
                            tensor.num_elements() > 0;
      const bool taken = std::any_of(direct.begin(), direct.end(),
                                     [&](const auto& bound) { return bound.first == slot; });
      if (computed && !taken) {
        direct.push_back({slot, tensor.data()});
      } else {
        copies.push_back({&tensor, slot});
      }
    }
    for (auto& [slot, data] : direct) std::swap(slots_[slot], data);
    code_->entry()(slots_.data(), dims_.data());
    for (const auto& [tensor, slot] : copies) {
      std::memcpy(tensor->data(), slots_[slot], sizeof(float) * tensor->num_elements());
    }
    for (auto& [slot, data] : direct) std::swap(slots_[slot], data);
    return absl::OkStatus();
  }

 private:
  // Sizes every buffer for `bound`, params pointing at the weights, and
  // computes what derives from the params alone.
  absl::Status Allocate(const ir::BoundDims& bound) {
    allocated_ = false;
    buffers_.clear();
    buffer_floats_.assign(slots_.size(), 0);
    dims_.clear();
    for (const std::string& symbol : layout_.symbols) {
      auto it = bound.find(symbol);
      if (it == bound.end()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "graph %s: dim %s is used but no input's shape binds it", graph_->name(), symbol));
      }
      dims_.push_back(it->second);
    }
    for (size_t i = 0; i < slots_.size(); ++i) {
      const ir::Value* value = layout_.slots[i];
      int64_t floats = 0;
      if (auto derived = layout_.derived_floats.find(static_cast<int>(i));
          derived != layout_.derived_floats.end()) {
        floats = derived->second;
      } else if (value->origin() == ir::Value::Origin::kInput) {
        continue;
      } else if (value->origin() == ir::Value::Origin::kParam) {
        slots_[i] = weights_.at(value->name()).data();
        continue;
      } else {
        absl::StatusOr<std::vector<int64_t>> shape = value->type().Resolve(bound);
        if (!shape.ok()) return shape.status();
        floats = NumElements(*shape);
      }
      buffers_.push_back(AllocateFloats(floats));
      buffer_floats_[i] = floats;
      if (!buffers_.back()) {
        buffers_.clear();
        return absl::ResourceExhaustedError(absl::StrFormat(
            "graph %s: cannot allocate %d floats for %s", graph_->name(), floats, value->name()));
      }
      slots_[i] = buffers_.back().get();
    }
    code_->prepare()(slots_.data(), dims_.data());
    bound_ = bound;
    allocated_ = true;
    return absl::OkStatus();
  }

  std::unique_ptr<ir::Graph> graph_;  // the layout points into it
  TensorMap weights_;
  BufferLayout layout_;
  std::unique_ptr<JitCode> code_;
  bool allocated_ = false;
  ir::BoundDims bound_;
  std::vector<Buffer> buffers_;
  std::vector<float*> slots_;
  // Floats of each slot's own buffer; 0 for an input's or a param's.
  std::vector<int64_t> buffer_floats_;
  std::vector<int64_t> dims_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Executable>> CompileForLlvm(const ir::Graph& graph,
                                                           TensorMap weights,
                                                           const LlvmOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (absl::Status status = ir::Verify(graph); !status.ok()) return status;
  if (absl::Status status = CheckWeights(graph, weights); !status.ok()) return status;
  absl::StatusOr<ir::Graph> prepared = PrepareGraph(graph);
  if (!prepared.ok()) return prepared.status();
  const double passes_ms = MillisecondsSince(start);
  auto owned = std::make_unique<ir::Graph>(*std::move(prepared));

  const auto lower_start = std::chrono::steady_clock::now();
  LowerOptions lower_options;
  if (options.vector_registers > 0 && options.register_floats > 0) {
    lower_options.target.vector_registers = options.vector_registers;
    lower_options.target.register_floats = options.register_floats;
  }
  absl::StatusOr<LoweredModule> lowered = LowerGraph(*owned, lower_options);
  if (!lowered.ok()) return lowered.status();
  const double lower_ms = MillisecondsSince(lower_start);
  BufferLayout layout = lowered->layout;
  JitTimings timings;
  const int threads = options.compile_threads > 0 ? options.compile_threads
                                                  : std::clamp(JitThreads(), 1, kCompileThreads);
  absl::StatusOr<std::unique_ptr<JitCode>> code =
      JitCompile(*std::move(lowered), threads, timings);
  if (!code.ok()) return code.status();
  if (options.stats) {
    *options.stats = {passes_ms, lower_ms, timings.optimize_ms, timings.machine_code_ms,
                      MillisecondsSince(start), timings.threads};
  }
  return std::make_unique<LlvmExecutable>(std::move(owned), std::move(weights), std::move(layout),
                                          *std::move(code));
}

absl::StatusOr<ir::Graph> PrepareGraph(const ir::Graph& graph) {
  if (absl::Status status = ir::Verify(graph); !status.ok()) return status;
  return passes::RunPasses(graph, passes::PipelineFor("llvm"), passes::PassOptions());
}

absl::StatusOr<std::string> EmitLlvmIr(const ir::Graph& graph) {
  absl::StatusOr<ir::Graph> prepared = PrepareGraph(graph);
  if (!prepared.ok()) return prepared.status();
  absl::StatusOr<LoweredModule> lowered = LowerGraph(*prepared);
  if (!lowered.ok()) return lowered.status();
  return OptimizedIrText(*std::move(lowered));
}

}  // namespace rnnc::llvm_backend
