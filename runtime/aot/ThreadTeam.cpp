// The team: workers 1..n-1 wait for a new generation number, run the task
// of that generation, and count themselves done. Between regions they spin
// for a while, because a model's runs come back to back (a serving loop, a
// time step's regions), then sleep on the generation's futex.
#include "runtime/aot/ThreadTeam.h"

#include <dlfcn.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rnnc::aot {

namespace {

// How long a worker spins for the next region before it sleeps: longer
// than the gap between two runs of a serving loop, short enough that an
// idle process soon stops using its cores.
constexpr auto kIdleSpin = std::chrono::microseconds(300);
// Pauses before a waiting thread starts yielding its core (some tens of
// microseconds): a barrier's peer is late by that much only when the
// machine runs something else on its core, which then gets it sooner.
constexpr int kPausesBeforeYield = 2000;

void Pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

template <typename Predicate>
void SpinUntil(Predicate done) {
  for (int i = 0; !done(); ++i) {
    if (i < kPausesBeforeYield) {
      Pause();
    } else {
      std::this_thread::yield();
    }
  }
}

// Sense-reversing: the last thread to arrive resets the count and moves the
// generation on, which releases the others.
class Barrier {
 public:
  explicit Barrier(int threads) : threads_(threads) {}
  void Wait() {
    if (threads_ == 1) return;
    const uint32_t generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) == threads_ - 1) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.store(generation + 1, std::memory_order_release);
      return;
    }
    SpinUntil([&] { return generation_.load(std::memory_order_acquire) != generation; });
  }
  void Reset(int threads) { threads_ = threads; }

 private:
  alignas(64) std::atomic<int> arrived_{0};
  alignas(64) std::atomic<uint32_t> generation_{0};
  int threads_;
};

thread_local bool in_region = false;

class Team {
 public:
  static Team& Instance() {
    static Team team;
    return team;
  }

  ~Team() {
    stop_ = true;
    generation_.fetch_add(1);
    generation_.notify_all();
    for (std::thread& worker : workers_) worker.join();
  }

  // False if another thread holds the team.
  bool Run(rnnc_parallel_task task, void* context, int threads) {
    std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    while (static_cast<int>(workers_.size()) < threads - 1) {
      const int index = static_cast<int>(workers_.size()) + 1;
      workers_.emplace_back([this, index] { Work(index); });
    }
    task_ = task;
    context_ = context;
    threads_ = threads;
    barrier_.Reset(threads);
    pending_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
    generation_.fetch_add(1);
    if (sleeping_.load() > 0) generation_.notify_all();
    in_region = true;
    task(context, &barrier_, 0, threads);
    in_region = false;
    SpinUntil([&] { return pending_.load(std::memory_order_acquire) == 0; });
    return true;
  }

 private:
  // Every worker answers every generation, the ones beyond the region's
  // thread count without running the task, so that a worker never mistakes
  // the next region for the one it saw.
  void Work(int index) {
    uint64_t seen = 0;
    for (;;) {
      const auto spin_start = std::chrono::steady_clock::now();
      for (int i = 0; generation_.load(std::memory_order_acquire) == seen; ++i) {
        Pause();
        if (i % 256 == 0 && std::chrono::steady_clock::now() - spin_start > kIdleSpin) {
          sleeping_.fetch_add(1);
          generation_.wait(seen);
          sleeping_.fetch_sub(1);
        }
      }
      seen = generation_.load(std::memory_order_acquire);
      if (stop_) return;
      if (index < threads_) {
        in_region = true;
        task_(context_, &barrier_, index, threads_);
        in_region = false;
      }
      pending_.fetch_sub(1, std::memory_order_release);
    }
  }

  std::mutex mutex_;
  std::vector<std::thread> workers_;
  rnnc_parallel_task task_ = nullptr;
  void* context_ = nullptr;
  int threads_ = 1;
  Barrier barrier_{1};
  alignas(64) std::atomic<uint64_t> generation_{0};
  alignas(64) std::atomic<int> pending_{0};
  std::atomic<int> sleeping_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace

void RunParallel(rnnc_parallel_task task, void* context, int threads) {
  if (threads > 1 && !in_region && Team::Instance().Run(task, context, threads)) return;
  Barrier alone(1);
  task(context, &alone, 0, 1);
}

int DefaultThreadCount() {
  if (const char* text = std::getenv("RNNC_NUM_THREADS")) {
    const int threads = std::atoi(text);
    if (threads > 0) return threads;
  }
  cpu_set_t cores;
  if (sched_getaffinity(0, sizeof(cores), &cores) == 0) return CPU_COUNT(&cores);
  return static_cast<int>(std::thread::hardware_concurrency());
}

}  // namespace rnnc::aot

extern "C" void rnnc_parallel(rnnc_parallel_task task, void* context) {
  // In a process that runs OpenMP (an application on oneDNN or PyTorch, or
  // one that sets its thread count with omp_set_num_threads), the library
  // uses as many threads as OpenMP would, unless RNNC_NUM_THREADS says.
  using MaxThreads = int (*)();
  static const bool chosen = std::getenv("RNNC_NUM_THREADS") != nullptr;
  static const auto openmp = reinterpret_cast<MaxThreads>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
  static const int threads = rnnc::aot::DefaultThreadCount();
  rnnc::aot::RunParallel(task, context, !chosen && openmp ? openmp() : threads);
}

extern "C" void rnnc_barrier(void* team) {
  if (team != nullptr) static_cast<rnnc::aot::Barrier*>(team)->Wait();
}
