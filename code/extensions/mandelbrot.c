/* The lesson's Mandelbrot kernel, in C (see mandelbrot.h).
 *
 * The same operations in the same order as escape_count in
 * parallel_patterns/mandelbrot.py, so the result is the same bit for bit,
 * provided the compiler does not fuse a multiply and an add into one
 * instruction: it is built with -ffp-contract=off.
 *
 * Built twice by `python -m parallel_patterns.tools.extensions build`: as a plain
 * shared library that ctypes loads, and inside the cffi extension module.
 */
#include "mandelbrot.h"

int64_t escape_count(double cr, double ci, int64_t max_iter)
{
    double zr = 0.0, zi = 0.0;
    for (int64_t n = 0; n < max_iter; n++) {
        double next_zr = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = next_zr;
        if (zr * zr + zi * zi > 4.0) {
            return n;
        }
    }
    return max_iter;
}

void mandelbrot_rows(const double *xs, int64_t width,
                     const double *ys, int64_t height,
                     int64_t max_iter, int64_t *out)
{
    for (int64_t i = 0; i < height; i++) {
        for (int64_t j = 0; j < width; j++) {
            out[i * width + j] = escape_count(xs[j], ys[i], max_iter);
        }
    }
}
