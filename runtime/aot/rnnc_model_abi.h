/* The C ABI of a model that `rnnc compile` turned into a shared library.
 *
 * Every generated header (model.h) starts with this text, so that it is
 * self-contained, and then declares the model's functions: the functions of
 * RNNC_MODEL_FUNCTIONS below, each named <model>_<function>, e.g.
 * classifier_create. The list is the one place the functions are named; the
 * compiler generates the exported wrappers and the header from it, and
 * loaders take their function-pointer types from it.
 *
 * A model has inputs and outputs (f32 tensors, row-major, dense) whose dims
 * are sizes or symbols such as T and N; the symbols are the model's "dims",
 * bound by the caller on every run.
 *
 *   rnnc_context* context;
 *   if (classifier_create(NULL, &context) != RNNC_OK) {
 *     fprintf(stderr, "%s\n", classifier_last_error());
 *   }
 *   int64_t dims[CLASSIFIER_NUM_DIMS] = {[CLASSIFIER_DIM_T] = 20, [CLASSIFIER_DIM_N] = 4};
 *   const float* inputs[] = {x};       // x: (T, N, 50) floats
 *   float* outputs[] = {y};            // y: (N, 1) floats, written by run
 *   classifier_run(context, dims, 2, inputs, 1, outputs, 1);
 *   classifier_destroy(context);
 *
 * Nothing crashes on bad arguments: null pointers, wrong counts, dims below
 * 1 or too large to allocate, unreadable or mismatched weights give a status
 * other than RNNC_OK, and <model>_last_error() says what was wrong. A
 * context is not thread-safe; use one per thread.
 *
 * A run splits its time steps' work over a team of threads that the
 * library starts on first use: RNNC_NUM_THREADS of them if that is set;
 * else, in a process with OpenMP loaded, omp_get_max_threads(); else one
 * per core the process may use. Results do not depend on the count.
 */
#ifndef RNNC_MODEL_ABI_H
#define RNNC_MODEL_ABI_H

#include <stdint.h>

/* Bumped on any change to the functions below, their meaning or the
 * library layout a loader relies on. */
#define RNNC_ABI_VERSION 1

typedef enum rnnc_status {
  RNNC_OK = 0,
  RNNC_ERROR_NULL_ARGUMENT = 1,   /* a required pointer is null */
  RNNC_ERROR_BAD_COUNT = 2,       /* num_dims, num_inputs or num_outputs is not the model's */
  RNNC_ERROR_BAD_DIMS = 3,        /* a dim below 1, or so large its buffers cannot be sized */
  RNNC_ERROR_BAD_INDEX = 4,       /* an input, output or axis index out of range */
  RNNC_ERROR_WEIGHTS = 5,         /* external weights missing, unreadable or not the model's */
  RNNC_ERROR_OUT_OF_MEMORY = 6,   /* allocating the buffers failed */
  RNNC_ERROR_INTERNAL = 7         /* a bug in rnnc; the message says where */
} rnnc_status;

/* A model's weights and buffers: create it once, run it many times. */
typedef struct rnnc_context rnnc_context;

/* X(function, return type, (parameters), LLVM signature). The signature
 * spells the return type and then each parameter's: v void, i int32_t (and
 * rnnc_status), l int64_t, p a pointer.
 *
 * create: a context for the model. With a null `weights_path` it uses the
 *   weights embedded in the library; otherwise it reads them from that
 *   safetensors file (F32 tensors named and shaped as the model's params,
 *   no others). A library compiled with --external-weights embeds none and
 *   needs the path.
 * destroy: frees a context; null is allowed.
 * run: dims[j] is the size of dim j (<model>_dim_name(j)); inputs[i] points
 *   at input i's data, outputs[o] at room for output o, both in the order of
 *   <model>_input_name / <model>_output_name and shaped as their dims say
 *   under `dims`. Buffers are sized on the first run and when dims change.
 * last_error: the message of the last failed call on this thread, "" if none.
 * num_dims, dim_name: the symbols run binds, e.g. "T" and "N".
 * num_inputs, input_name, input_rank, input_dim, input_dim_symbol: input i's
 *   name, rank, and for each axis its static size or -1 and symbol or null
 *   (null, -1 or -1 for an index out of range); the same for outputs.
 * output_shape: the concrete shape of output o under `dims`, written to
 *   shape[0 .. rank-1].
 * weights_embedded: 1 if create takes a null weights path, 0 if it needs one.
 */
#define RNNC_MODEL_FUNCTIONS(X)                                                              \
  X(create, rnnc_status, (const char* weights_path, rnnc_context** context), "ipp")         \
  X(destroy, void, (rnnc_context * context), "vp")                                          \
  X(run, rnnc_status,                                                                        \
    (rnnc_context * context, const int64_t* dims, int32_t num_dims,                         \
     const float* const* inputs, int32_t num_inputs, float* const* outputs,                 \
     int32_t num_outputs),                                                                   \
    "ippipipi")                                                                              \
  X(last_error, const char*, (void), "p")                                                    \
  X(num_dims, int32_t, (void), "i")                                                          \
  X(dim_name, const char*, (int32_t dim), "pi")                                              \
  X(num_inputs, int32_t, (void), "i")                                                        \
  X(input_name, const char*, (int32_t input), "pi")                                          \
  X(input_rank, int32_t, (int32_t input), "ii")                                              \
  X(input_dim, int64_t, (int32_t input, int32_t axis), "lii")                                \
  X(input_dim_symbol, const char*, (int32_t input, int32_t axis), "pii")                     \
  X(num_outputs, int32_t, (void), "i")                                                       \
  X(output_name, const char*, (int32_t output), "pi")                                        \
  X(output_rank, int32_t, (int32_t output), "ii")                                            \
  X(output_dim, int64_t, (int32_t output, int32_t axis), "lii")                              \
  X(output_dim_symbol, const char*, (int32_t output, int32_t axis), "pii")                   \
  X(output_shape, rnnc_status,                                                               \
    (int32_t output, const int64_t* dims, int32_t num_dims, int64_t* shape), "iipip")       \
  X(weights_embedded, int32_t, (void), "i")

/* Function-pointer types for loaders: rnnc_model_create_fn, ... */
#define RNNC_MODEL_FUNCTION_TYPE(function, result, parameters, signature) \
  typedef result(*rnnc_model_##function##_fn) parameters;
RNNC_MODEL_FUNCTIONS(RNNC_MODEL_FUNCTION_TYPE)
#undef RNNC_MODEL_FUNCTION_TYPE

/* Every library also exports these three under these exact names, the
 * same in every ABI version, so that a loader can check the version before
 * it calls anything else and then find <name>_create and the rest. */
#define RNNC_MODEL_ABI_VERSION_SYMBOL "rnnc_model_abi_version"
#define RNNC_MODEL_COMPILER_SYMBOL "rnnc_model_compiler_version"
#define RNNC_MODEL_NAME_SYMBOL "rnnc_model_name"
typedef uint32_t (*rnnc_model_abi_version_fn)(void);
typedef const char* (*rnnc_model_compiler_version_fn)(void);
typedef const char* (*rnnc_model_name_fn)(void);

#endif /* RNNC_MODEL_ABI_H */
