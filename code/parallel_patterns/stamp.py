"""Where a timing was measured: the build machine's stamp.

A speedup means little without the machine it was measured on: two cores or
sixteen, which Python, which NumPy. Every page that reports timings calls
:func:`machine_stamp` and shows the result, so a reader can compare the page's
numbers with their own laptop's.
"""

import os
import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata

KEY_LIBRARIES = ("numpy", "numba", "dask", "joblib")


def usable_cores():
    """Cores this process may run on: affinity and container limits included.

    ``os.cpu_count()`` counts the machine's logical cores; a batch job or a
    container may be allowed fewer. Python 3.13 added ``os.process_cpu_count``
    for exactly this; before it, the affinity mask says the same on Linux.
    """
    if hasattr(os, "process_cpu_count"):
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cpu_model():
    """The processor's marketing name, or the best the platform can tell."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def library_version(name):
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


@dataclass(frozen=True)
class MachineStamp:
    cpu: str
    usable_cores: int
    logical_cores: int
    system: str
    python: str
    libraries: dict = field(default_factory=dict)

    def summary(self):
        libraries = ", ".join(f"{name} {version}" for name, version in self.libraries.items())
        return (
            f"{self.cpu}; {self.usable_cores} usable cores ({self.logical_cores} logical); "
            f"{self.system}; Python {self.python}; {libraries}"
        )

    def __str__(self):
        return "Measured on: " + self.summary()

    def _repr_html_(self):
        from html import escape

        return f'<div class="machine-stamp"><strong>Measured on:</strong> {escape(self.summary())}</div>'


def machine_stamp(libraries=KEY_LIBRARIES):
    """A :class:`MachineStamp` of this machine; in a notebook it renders as a small box."""
    return MachineStamp(
        cpu=cpu_model(),
        usable_cores=usable_cores(),
        logical_cores=os.cpu_count() or 1,
        system=f"{platform.system()} {platform.release()}",
        python=platform.python_version() + (" (free-threaded)" if _free_threaded() else ""),
        libraries={name: library_version(name) for name in libraries},
    )


def _free_threaded():
    return hasattr(sys, "_is_gil_enabled") and not sys._is_gil_enabled()
