// SPDX-License-Identifier: Apache-2.0
#include "daemon/allocator.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace pgvigil::daemon {
namespace {

// Resident pages of this process, in bytes (/proc/self/statm: size resident …, in pages).
long ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0;
  long resident = 0;
  statm >> size >> resident;
  return resident * 4096;
}

#if defined(__GLIBC__)
// Freed small blocks below a live one stay resident in the arena until they are trimmed: what a
// /metrics rendering or a slow-tier sample leaves behind. ReleaseFreeMemory must give them back.
TEST(ReleaseFreeMemory, GivesFreedPagesBelowALiveBlockBackToTheSystem) {
  constexpr std::size_t kBlock = 1024;
  constexpr std::size_t kBlocks = 64 * 1024;  // 64 MiB
  std::vector<std::unique_ptr<char[]>> blocks;
  blocks.reserve(kBlocks);
  for (std::size_t i = 0; i < kBlocks; ++i) {
    blocks.emplace_back(new char[kBlock]);
    for (std::size_t j = 0; j < kBlock; j += 512) blocks.back()[j] = 1;  // touch the pages
  }
  auto pin = std::make_unique<char[]>(kBlock);  // above them: the heap's top cannot shrink
  pin[0] = 1;
  blocks.clear();
  const long before = ResidentBytes();
  ReleaseFreeMemory();
  const long after = ResidentBytes();
  EXPECT_GT(before - after, 32L << 20) << "resident before " << before << ", after " << after;
}
#endif

}  // namespace
}  // namespace pgvigil::daemon
