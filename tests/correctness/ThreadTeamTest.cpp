// The runtime's thread team (runtime/aot/ThreadTeam.h): every thread runs
// the task once, barriers order the threads, and a region that cannot have
// the team runs on the caller alone instead of deadlocking.
#include "runtime/aot/ThreadTeam.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace rnnc::aot {
namespace {

TEST(ThreadTeam, EveryThreadRunsTheTaskOnce) {
  for (int threads : {1, 2, 3}) {
    std::vector<std::atomic<int>> runs(threads);
    std::atomic<int> seen_threads{0};
    struct Context {
      std::vector<std::atomic<int>>* runs;
      std::atomic<int>* seen_threads;
    } context{&runs, &seen_threads};
    RunParallel(
        [](void* c, void*, int64_t thread, int64_t count) {
          auto* context = static_cast<Context*>(c);
          (*context->runs)[thread].fetch_add(1);
          context->seen_threads->store(static_cast<int>(count));
        },
        &context, threads);
    for (int t = 0; t < threads; ++t) EXPECT_EQ(runs[t].load(), 1) << "thread " << t;
    EXPECT_EQ(seen_threads.load(), threads);
  }
}

// Each round, every thread writes its slot, waits, then checks the others'
// slots of the same round: a barrier that let a thread through early fails.
TEST(ThreadTeam, BarrierOrdersEveryRound) {
  constexpr int kRounds = 20000;
  struct Context {
    std::atomic<int> slots[2];
    std::atomic<int> wrong{0};
  } context;
  RunParallel(
      [](void* c, void* team, int64_t thread, int64_t threads) {
        auto* context = static_cast<Context*>(c);
        for (int round = 1; round <= kRounds; ++round) {
          context->slots[thread].store(round, std::memory_order_relaxed);
          rnnc_barrier(team);
          for (int64_t other = 0; other < threads; ++other) {
            if (context->slots[other].load(std::memory_order_relaxed) != round) {
              context->wrong.fetch_add(1);
            }
          }
          rnnc_barrier(team);
        }
      },
      &context, 2);
  EXPECT_EQ(context.wrong.load(), 0);
  EXPECT_EQ(context.slots[1].load(), kRounds);
}

TEST(ThreadTeam, NestedRegionRunsOnTheCallingThread) {
  std::atomic<int> inner_threads{0};
  RunParallel(
      [](void* c, void*, int64_t thread, int64_t) {
        if (thread != 0) return;
        RunParallel(
            [](void* c, void*, int64_t, int64_t threads) {
              static_cast<std::atomic<int>*>(c)->fetch_add(static_cast<int>(threads));
            },
            c, 2);
      },
      &inner_threads, 2);
  EXPECT_EQ(inner_threads.load(), 1);
}

// Two application threads asking at once: one gets the team, the other runs
// alone; both regions complete.
TEST(ThreadTeam, ConcurrentCallersBothFinish) {
  std::atomic<int> sum{0};
  auto caller = [&] {
    for (int i = 0; i < 200; ++i) {
      RunParallel(
          [](void* c, void* team, int64_t, int64_t) {
            static_cast<std::atomic<int>*>(c)->fetch_add(1);
            rnnc_barrier(team);
          },
          &sum, 2);
    }
  };
  std::thread first(caller), second(caller);
  first.join();
  second.join();
  // Each region adds 1 per thread it ran on: 1 or 2.
  EXPECT_GE(sum.load(), 400);
  EXPECT_LE(sum.load(), 800);
}

}  // namespace
}  // namespace rnnc::aot
