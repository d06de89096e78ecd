// SPDX-License-Identifier: Apache-2.0
// How the daemon asks glibc's malloc to give memory back. A long-running process that builds
// large short-lived buffers (a slow-tier sample of thousands of tables and indexes) on several
// threads otherwise keeps their pages: every thread that allocates gets its own arena (up to 8
// per core), each keeping its freed memory, and the mmap threshold grows to the largest buffer
// ever freed, after which such buffers come from an arena and stay there.
// Measured on the large benchmark database (docs/benchmarks.md): RSS well above what the live
// state needs. Both functions are no-ops on other C libraries.
#pragma once

#include <cstddef>

namespace pgvigil::daemon {

// At start-up, before the threads: at most two arenas, and a fixed mmap threshold (4 MiB), so
// that large buffers are mapped on their own and unmapped when freed.
void TuneAllocator();

// Returns the free pages of every arena to the system (malloc_trim). Cheap enough to call after
// each full analysis (every 15 s), when the previous sample's buffers have just been freed.
void ReleaseFreeMemory();

}  // namespace pgvigil::daemon
