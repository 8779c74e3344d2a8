// Reference MAC loop for the bench: binary32 multiply then add in the contract's order (no FMA), vectorized over
// output channels with AVX2 by the compiler. Prints G MAC/s for a layer shaped like IE120R layer 8 (96→96, 3x3).
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  const int cin = 96, cout = 96, taps = 9 * cin, pixels = argc > 1 ? atoi(argv[1]) : 20000;
  float *w = aligned_alloc(64, sizeof(float) * taps * cout);
  float *x = aligned_alloc(64, sizeof(float) * taps);
  float *acc = aligned_alloc(64, sizeof(float) * cout);
  for (int i = 0; i < taps * cout; i++) w[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (int i = 0; i < taps; i++) x[i] = (float)((i * 104729) % 1000) / 500.0f - 1.0f;
  struct timespec a, b;
  double sink = 0;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (int p = 0; p < pixels; p++) {
    for (int co = 0; co < cout; co++) acc[co] = 0.0f;
    for (int t = 0; t < taps; t++) {
      const float xv = x[t] + (float)p * 1e-9f;
      const float *wt = w + t * cout;
      for (int co = 0; co < cout; co++) {
        float prod = wt[co] * xv;
        acc[co] = acc[co] + prod;
      }
    }
    sink += acc[p % cout];
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  double s = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) * 1e-9;
  double macs = (double)pixels * taps * cout;
  printf("{\"gmacs\": %.3f, \"seconds\": %.3f, \"sink\": %g}\n", macs / s / 1e9, s, sink);
  return 0;
}
