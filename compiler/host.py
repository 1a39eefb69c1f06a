"""The host CPU as LLVM sees it (name, features, vector width), read at run time through llvmlite."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Host:
    cpu: str
    features: str  # LLVM feature string, e.g. "+avx2,+fma,-avx512f,..."
    triple: str
    cores: int

    @property
    def vector_bits(self) -> int:
        """Widest float vector register the host supports."""
        on = {f[1:] for f in self.features.split(",") if f.startswith("+")}
        if "avx512f" in on:
            return 512
        if "avx" in on:
            return 256
        return 128

    @property
    def vector_registers(self) -> int:
        return 32 if self.vector_bits == 512 else 16

    def to_json(self) -> dict:
        return {"cpu": self.cpu, "features": self.features, "triple": self.triple,
                "vector_bits": self.vector_bits, "cores": self.cores}


@functools.cache
def host() -> Host:
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return Host(
        cpu=llvm.get_host_cpu_name(),
        features=llvm.get_host_cpu_features().flatten(),
        triple=llvm.get_process_triple(),
        cores=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )
