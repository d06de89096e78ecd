// SPDX-License-Identifier: Apache-2.0
// How the daemon asks glibc's malloc to give memory back. A long-running process that builds
// large short-lived buffers (a 13 MiB /metrics body, a slow-tier sample of thousands of tables
// and indexes) on several threads otherwise keeps their pages: every thread that allocates gets
// its own arena (up to 8 per core), each keeping its freed memory, and the mmap threshold grows
// to the largest buffer ever freed, after which such buffers come from an arena and stay there.
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

// Asks the kernel to back the whole 2 MiB pages inside [data, data + bytes) with transparent
// huge pages (madvise MADV_HUGEPAGE), for a large buffer about to be written once and then
// freed: the /metrics body, 13 MiB on the large database. In 4 KiB pages a fresh buffer of
// that size costs ≈ 7 ms to fault in and zero on this VM, in 2 MiB pages ≈ 1.3 ms, about what
// rewriting a kept one costs — so the body need not stay resident between scrapes. Call it
// before the pages are first touched. Does nothing where huge pages are off (then the faults
// cost what they cost) or for a buffer smaller than one huge page.
void AdviseHugePages(void* data, std::size_t bytes);

}  // namespace pgvigil::daemon
