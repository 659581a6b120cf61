/* Runs the compiled classifier on one batch through its C API: creates a
 * context (embedded weights), reads the input's shape from the library,
 * binds T and N, runs, and prints each sequence's probability, one line
 * per sequence: "y[n] = value". */
#include <stdio.h>
#include <stdlib.h>

#include "classifier.h"
#include "example_input.h"

int main(void) {
  rnnc_context* context = NULL;
  if (classifier_create(NULL, &context) != RNNC_OK) {
    fprintf(stderr, "classifier_create: %s\n", classifier_last_error());
    return 1;
  }
  int64_t dims[CLASSIFIER_NUM_DIMS];
  dims[CLASSIFIER_DIM_T] = EXAMPLE_STEPS;
  dims[CLASSIFIER_DIM_N] = EXAMPLE_BATCH;

  /* x: (T, N, features); the feature size is static, asked of the library. */
  const int64_t features = classifier_input_dim(CLASSIFIER_INPUT_X, 2);
  const int64_t count = EXAMPLE_STEPS * EXAMPLE_BATCH * features;
  float* x = malloc(sizeof(float) * (size_t)count);
  for (int64_t i = 0; i < count; ++i) x[i] = example_input(i);

  int64_t y_shape[2];
  classifier_output_shape(CLASSIFIER_OUTPUT_Y, dims, CLASSIFIER_NUM_DIMS, y_shape);
  float* y = malloc(sizeof(float) * (size_t)(y_shape[0] * y_shape[1]));

  const float* inputs[CLASSIFIER_NUM_INPUTS] = {x};
  float* outputs[CLASSIFIER_NUM_OUTPUTS] = {y};
  int status = 0;
  if (classifier_run(context, dims, CLASSIFIER_NUM_DIMS, inputs, CLASSIFIER_NUM_INPUTS, outputs,
                     CLASSIFIER_NUM_OUTPUTS) != RNNC_OK) {
    fprintf(stderr, "classifier_run: %s\n", classifier_last_error());
    status = 1;
  } else {
    printf("%s f32[%lld, %lld, %lld] -> %s f32[%lld, %lld]\n", classifier_input_name(0),
           (long long)dims[0], (long long)dims[1], (long long)features, classifier_output_name(0),
           (long long)y_shape[0], (long long)y_shape[1]);
    for (int64_t n = 0; n < y_shape[0]; ++n) printf("y[%lld] = %.9g\n", (long long)n, y[n]);
  }
  classifier_destroy(context);
  free(x);
  free(y);
  return status;
}
