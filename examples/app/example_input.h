/* The example application's input values, a fixed pattern in [-0.5, 0.5)
 * that C and C++ compute to the same floats, so that a test can check the
 * application's outputs against the interpreter on the same input. */
#ifndef RNNC_EXAMPLES_APP_EXAMPLE_INPUT_H
#define RNNC_EXAMPLES_APP_EXAMPLE_INPUT_H

#include <stdint.h>

#define EXAMPLE_STEPS 20
#define EXAMPLE_BATCH 4

static inline float example_input(int64_t i) {
  return (float)((i * 37) % 101) / 101.0f - 0.5f;
}

#endif
