// The lesson's Mandelbrot kernel in C++, as a Python module (pybind11).
//
// NumPy arrays arrive through the buffer protocol as
// py::array_t<T, c_style>. The functions are declared with .noconvert() on
// every array, so an array of the wrong dtype or layout is refused with a
// TypeError instead of being silently copied (a copy of `out` would
// receive the results, and the caller's array would stay unchanged).
//
// The same operations in the same order as escape_count in
// parallel_patterns/mandelbrot.py (built with -ffp-contract=off), so the
// result is the same bit for bit.
#include <cstdint>
#include <stdexcept>
#include <string>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

namespace py = pybind11;

namespace {

using Coordinates = py::array_t<double, py::array::c_style>;
using Counts = py::array_t<std::int64_t, py::array::c_style>;

std::int64_t escape_count(double cr, double ci, std::int64_t max_iter) {
    double zr = 0.0, zi = 0.0;
    for (std::int64_t n = 0; n < max_iter; ++n) {
        const double next_zr = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = next_zr;
        if (zr * zr + zi * zi > 4.0) {
            return n;
        }
    }
    return max_iter;
}

// Plain numbers and pointers only, no Python object: runs without the GIL.
void fill(const double* xs, py::ssize_t width,
          const double* ys, py::ssize_t height,
          std::int64_t max_iter, std::int64_t* out) {
    for (py::ssize_t i = 0; i < height; ++i) {
        for (py::ssize_t j = 0; j < width; ++j) {
            out[i * width + j] = escape_count(xs[j], ys[i], max_iter);
        }
    }
}

struct Checked {
    const double* xs;
    py::ssize_t width;
    const double* ys;
    py::ssize_t height;
    std::int64_t* out;
};

// Check the shapes while we hold the GIL; std::invalid_argument becomes
// a Python ValueError.
Checked check(const Coordinates& xs, const Coordinates& ys,
              std::int64_t max_iter, Counts& out) {
    if (xs.ndim() != 1 || ys.ndim() != 1) {
        throw std::invalid_argument("xs and ys must be 1-dimensional");
    }
    if (out.ndim() != 2 || out.shape(0) != ys.shape(0) ||
        out.shape(1) != xs.shape(0)) {
        throw std::invalid_argument(
            "out must have shape (len(ys), len(xs)) = (" +
            std::to_string(ys.shape(0)) + ", " +
            std::to_string(xs.shape(0)) + ")");
    }
    if (max_iter < 1) {
        throw std::invalid_argument("max_iter must be >= 1");
    }
    // mutable_data() raises ValueError if out is read-only
    return {xs.data(), xs.shape(0), ys.data(), ys.shape(0),
            out.mutable_data()};
}

void fill_rows(const Coordinates& xs, const Coordinates& ys,
               std::int64_t max_iter, Counts& out) {
    const Checked a = check(xs, ys, max_iter, out);
    py::gil_scoped_release release;  // no GIL until `release` goes away
    fill(a.xs, a.width, a.ys, a.height, max_iter, a.out);
}

void fill_rows_holding_gil(const Coordinates& xs, const Coordinates& ys,
                           std::int64_t max_iter, Counts& out) {
    const Checked a = check(xs, ys, max_iter, out);
    fill(a.xs, a.width, a.ys, a.height, max_iter, a.out);
}

}  // namespace

PYBIND11_MODULE(mandelbrot_pybind, m) {
    m.doc() = "The lesson's Mandelbrot kernel in C++ (pybind11)";
    m.def("fill_rows", &fill_rows,
          py::arg("xs").noconvert(), py::arg("ys").noconvert(),
          py::arg("max_iter"), py::arg("out").noconvert(),
          "Fill out[i, j] with the escape count of xs[j] + i*ys[i].");
    m.def("fill_rows_holding_gil", &fill_rows_holding_gil,
          py::arg("xs").noconvert(), py::arg("ys").noconvert(),
          py::arg("max_iter"), py::arg("out").noconvert(),
          "The same loop, holding the GIL all the time.");
}
