// The threads that generated code runs its parallel regions on: a team of
// workers that spin between regions, and a barrier that spins, then yields.
//
// Why not OpenMP: a time step of a recurrent layer at batch 1 is a few
// microseconds of work, split between the cores with one or two barriers
// per step, hundreds of barriers a run. libgomp's barrier measured fine on
// an idle machine but stalled for milliseconds whenever a core was busy,
// and a compiled model library must not need libgomp. This team is plain
// C++ threads (no Abseil), so the AOT runtime archive carries it as well.
//
// The calls generated code makes (C, so that the JIT and a model library
// resolve the same names):
//
//   rnnc_parallel(task, context): task(context, team, thread, threads) on
//     every thread of the team, the caller being thread 0; returns when all
//     have returned.
//   rnnc_barrier(team): waits until every thread of the region arrives; a
//     null team (a thread that works alone) returns at once.
//
// A region asked for inside another region, or while another user thread
// holds the team, runs on the calling thread alone (threads = 1), so
// nothing deadlocks and results stay the same: generated code partitions
// its work so that every element is computed the same way whatever the
// thread count.
#ifndef RNNC_RUNTIME_AOT_THREAD_TEAM_H
#define RNNC_RUNTIME_AOT_THREAD_TEAM_H

#include <cstdint>

extern "C" {

typedef void (*rnnc_parallel_task)(void* context, void* team, int64_t thread, int64_t threads);

// The model library's rnnc_parallel: as many threads as RNNC_NUM_THREADS
// says; else, in a process that has OpenMP loaded, omp_get_max_threads();
// else one per core. (The JIT binds the name to its own function, which
// follows OpenMP's thread count, as oneDNN does.)
void rnnc_parallel(rnnc_parallel_task task, void* context);
void rnnc_barrier(void* team);

}  // extern "C"

namespace rnnc::aot {

// Runs `task` on `threads` threads (the caller and threads - 1 workers).
void RunParallel(rnnc_parallel_task task, void* context, int threads);

// RNNC_NUM_THREADS if set to a positive number, else the cores this process
// may run on.
int DefaultThreadCount();

}  // namespace rnnc::aot

#endif  // RNNC_RUNTIME_AOT_THREAD_TEAM_H
