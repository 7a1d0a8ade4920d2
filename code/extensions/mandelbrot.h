/* The lesson's Mandelbrot kernel, in C: declarations.
 *
 * Pixel (i, j) of a block of rows stands for c = xs[j] + i * ys[i]; its
 * value is the first n after whose update |z| > 2, or max_iter if that
 * never happens (parallel_patterns/mandelbrot.py explains the image).
 * Every integer is 64 bits wide, like NumPy's int64, on every platform.
 */
#ifndef LESSON_MANDELBROT_H
#define LESSON_MANDELBROT_H

#include <stdint.h>

/* Windows exports a DLL's functions only when asked to. */
#if defined(_WIN32)
#define MANDELBROT_API __declspec(dllexport)
#else
#define MANDELBROT_API
#endif

/* Iterations of z = z*z + c, from z = 0, before |z| > 2 (or max_iter). */
MANDELBROT_API int64_t escape_count(double cr, double ci, int64_t max_iter);

/* Fill out[i * width + j] with the escape count of xs[j] + i * ys[i], for
 * height rows of width pixels. out must hold height * width int64 values;
 * the caller guarantees it: C cannot check. */
MANDELBROT_API void mandelbrot_rows(const double *xs, int64_t width,
                                    const double *ys, int64_t height,
                                    int64_t max_iter, int64_t *out);

#endif
