// SPDX-License-Identifier: Apache-2.0
#include "daemon/allocator.h"

// Before the test below: __GLIBC__ comes from <features.h>, which any C library header pulls in.
// Without one both functions compiled to nothing (they did until 2026-11-22: allocator_test.cc).
#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pgvigil::daemon {

void TuneAllocator() {
#if defined(__GLIBC__)
  mallopt(M_ARENA_MAX, 2);
  // Setting it also turns off glibc's dynamic threshold (which follows the largest freed block).
  // 4 MiB: a large buffer (a slow-tier result set, several MiB on the large database) is
  // mapped on its own and unmapped when freed, while the buffers of every second (a report's ≈
  // 1,100 findings are ≈ 330 KiB) are reused from the arena — at 256 KiB they were mapped, faulted
  // in and unmapped each second, ≈ 20 % more CPU (docs/benchmarks.md).
  mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
#endif
}

void ReleaseFreeMemory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace pgvigil::daemon
