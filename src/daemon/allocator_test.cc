// SPDX-License-Identifier: Apache-2.0
#include "daemon/allocator.h"

#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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

// A transparent huge page setting: the bracketed word of /sys/kernel/mm/transparent_hugepage/
// `name` ("enabled": always, madvise or never; "defrag": whether a fault in an advised region
// may compact memory to find a huge page).
std::string HugePageSetting(const char* name) {
  std::ifstream f(std::string("/sys/kernel/mm/transparent_hugepage/") + name);
  std::string line;
  std::getline(f, line);
  const auto open = line.find('[');
  const auto close = line.find(']');
  if (open == std::string::npos || close == std::string::npos) return "never";
  return line.substr(open + 1, close - open - 1);
}

// AnonHugePages of the mappings starting inside [begin, end), in KiB (/proc/self/smaps).
long HugePagesKiB(std::uintptr_t begin, std::uintptr_t end) {
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  long kib = 0;
  while (std::getline(smaps, line)) {
    std::uintptr_t from = 0;
    std::uintptr_t to = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &from, &to) == 2 && line.find(' ') > 8) {
      inside = from >= begin && from < end;
    } else if (inside && line.rfind("AnonHugePages:", 0) == 0) {
      kib += std::stol(line.substr(14));
    }
  }
  return kib;
}

// A /metrics body is written once into a fresh buffer: in huge pages where the kernel offers
// them, only within the buffer, and usable as ever where it does not.
TEST(AdviseHugePages, BacksTheWholeHugePagesInsideTheBufferWhereTheKernelOffersThem) {
  constexpr std::size_t kBytes = 8 << 20;
  void* mapped = mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mapped, MAP_FAILED);
  auto* bytes = static_cast<char*>(mapped);
  // From one byte in: the first and last partial huge pages are left alone.
  AdviseHugePages(bytes + 1, kBytes - 2);
  std::memset(bytes, 7, kBytes);
  EXPECT_EQ(bytes[kBytes - 1], 7);
  const auto begin = reinterpret_cast<std::uintptr_t>(bytes);
  const long huge = HugePagesKiB(begin, begin + kBytes);
  const std::string mode = HugePageSetting("enabled");
  const std::string defrag = HugePageSetting("defrag");
  // Only where the fault itself may compact for an advised region is a huge page certain; with
  // "defer" or "never" a fragmented machine may rightly give small pages.
  const bool compacts = defrag == "always" || defrag == "madvise" || defrag == "defer+madvise";
  if (mode == "madvise" && compacts) {
    EXPECT_GT(huge, 0) << "no huge page although the kernel gives them on advice";
  } else if (mode == "never") {
    EXPECT_EQ(huge, 0);
  }
  if (mode == "madvise") {
    EXPECT_LE(huge, 6 * 1024) << "advised beyond the buffer's whole huge pages";
  }
  munmap(mapped, kBytes);
  // Too small to hold a whole huge page: nothing to advise, nothing breaks.
  char small[64] = {};
  AdviseHugePages(small, sizeof small);
  small[63] = 1;
  EXPECT_EQ(small[63], 1);
}

}  // namespace
}  // namespace pgvigil::daemon
