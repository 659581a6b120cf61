// The synthetic tasks of SyntheticTasks.h: the generators and the checks of
// their options.
#include "training/SyntheticTasks.h"

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "absl/strings/str_format.h"

namespace rnnc::training {

namespace {

// Numbers from std::mt19937_64 by transforms written out here, so that the
// same seed gives the same data with every standard library.
class Random {
 public:
  explicit Random(uint64_t seed) : engine_(seed) {}
  // Uniform in [0, 1): the top 53 bits of one draw.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n); the modulo's bias is below n / 2^64.
  int64_t Below(int64_t n) { return static_cast<int64_t>(engine_() % static_cast<uint64_t>(n)); }
  // Standard normal, by Box-Muller (1 - Uniform() is in (0, 1], so the log is finite).
  double Normal() {
    const double radius = std::sqrt(-2 * std::log(1 - Uniform()));
    return radius * std::cos(2 * std::numbers::pi * Uniform());
  }

 private:
  std::mt19937_64 engine_;
};

absl::Status CheckAtLeast(const char* task, const char* what, int64_t value, int64_t least) {
  if (value >= least) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrFormat("%s: %s is %d; expected at least %d", task, what, value, least));
}

}  // namespace

absl::StatusOr<Dataset> PlantedSignalTask(const PlantedSignalOptions& options) {
  constexpr char kTask[] = "planted signal task";
  const int64_t steps = options.steps, examples = options.examples, features = options.features;
  for (absl::Status status :
       {CheckAtLeast(kTask, "examples", examples, 1), CheckAtLeast(kTask, "steps", steps, 1),
        CheckAtLeast(kTask, "features", features, 1),
        CheckAtLeast(kTask, "signal_window", options.signal_window, 1)}) {
    if (!status.ok()) return status;
  }
  if (options.signal_window > steps || !(options.noise >= 0)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: signal_window %d and noise %g; expected a window of at most the %d steps and noise "
        ">= 0",
        kTask, options.signal_window, options.noise, steps));
  }
  Random signal_random(options.signal_seed);
  std::vector<float> signals(2 * features);  // s_0 then s_1
  for (float& v : signals) v = signal_random.Uniform() < 0.5 ? -1.0f : 1.0f;

  // Label l_n = π(n) mod 2 for a permutation π: exactly half of each.
  const std::vector<int64_t> permutation =
      EpochBatches(examples, examples, /*shuffle=*/true, options.seed, /*epoch=*/0).front();
  Random random(options.seed);
  Tensor x({steps, examples, features});
  Tensor y({examples, 1});
  for (int64_t n = 0; n < examples; ++n) {
    const int64_t label = permutation[n] % 2;
    const int64_t planted = random.Below(options.signal_window);
    y.data()[n] = static_cast<float>(label);
    for (int64_t t = 0; t < steps; ++t) {
      float* step = x.data() + (t * examples + n) * features;  // x[t, n, :]
      for (int64_t f = 0; f < features; ++f) {
        step[f] = static_cast<float>(options.noise * random.Normal());
        if (t == planted) step[f] += signals[label * features + f];
      }
    }
  }
  Dataset data;
  if (absl::Status status = data.Add("x", std::move(x), 1); !status.ok()) return status;
  if (absl::Status status = data.Add("y", std::move(y), 0); !status.ok()) return status;
  return data;
}

absl::StatusOr<Dataset> RepeatTaggingTask(const RepeatTaggingOptions& options) {
  constexpr char kTask[] = "repeat tagging task";
  const int64_t steps = options.steps, examples = options.examples, symbols = options.symbols;
  for (absl::Status status :
       {CheckAtLeast(kTask, "examples", examples, 1), CheckAtLeast(kTask, "steps", steps, 1),
        CheckAtLeast(kTask, "symbols", symbols, 2), CheckAtLeast(kTask, "lag", options.lag, 1)}) {
    if (!status.ok()) return status;
  }
  Random random(options.seed);
  Tensor x({steps, examples, symbols});
  Tensor y({steps, examples, kRepeatTags});
  std::vector<int64_t> sequence(steps);
  for (int64_t n = 0; n < examples; ++n) {
    for (int64_t& c : sequence) c = random.Below(symbols);
    for (int64_t t = 0; t < steps; ++t) {
      const int64_t k = options.lag;
      const bool past = t >= k && sequence[t] == sequence[t - k];
      const bool future = t + k < steps && sequence[t] == sequence[t + k];
      x.data()[(t * examples + n) * symbols + sequence[t]] = 1;
      y.data()[(t * examples + n) * kRepeatTags + (past ? 1 : 0) + (future ? 2 : 0)] = 1;
    }
  }
  Dataset data;
  if (absl::Status status = data.Add("x", std::move(x), 1); !status.ok()) return status;
  if (absl::Status status = data.Add("y", std::move(y), 1); !status.ok()) return status;
  return data;
}

}  // namespace rnnc::training
