"""cffi in API mode: build a Python extension module around mandelbrot.c.

``cdef`` declares what Python may call, in C syntax (copied from
mandelbrot.h: cffi's parser does not read headers with macros in them).
``set_source`` gives the module's name and the C code that goes into it: here
the header, plus mandelbrot.c compiled alongside. cffi writes a C file that
wraps every declared function, and a C compiler builds it, checking our
declarations against the header as it goes. The wrappers release the GIL
while the C function runs.

Run this file to build ``_mandelbrot_cffi`` in the current folder, or let
``python -m parallel_patterns.tools.extensions build`` build it with the lesson's
other extensions.
"""

import sys
from pathlib import Path

import cffi

HERE = Path(__file__).resolve().parent
# No fused multiply-add: the same result as Python, bit for bit.
if sys.platform == "win32":
    FLAGS = ["/O2", "/fp:precise"]
else:
    FLAGS = ["-O2", "-ffp-contract=off"]

ffibuilder = cffi.FFI()
ffibuilder.cdef(
    """
    int64_t escape_count(double cr, double ci, int64_t max_iter);
    void mandelbrot_rows(const double *xs, int64_t width,
                         const double *ys, int64_t height,
                         int64_t max_iter, int64_t *out);
    """
)
ffibuilder.set_source(
    "_mandelbrot_cffi",
    '#include "mandelbrot.h"',
    sources=[str(HERE / "mandelbrot.c")],
    include_dirs=[str(HERE)],
    extra_compile_args=FLAGS,
)

if __name__ == "__main__":
    ffibuilder.compile(verbose=True)
