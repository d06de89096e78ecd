// SPDX-License-Identifier: Apache-2.0
// Shared by the store's unit tests: a per-test directory for database files, and a clock the
// test sets by hand.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "common/clock.h"

namespace pgvigil::store::testing {

// A fresh directory named after the running test, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::path(::testing::TempDir()) /
            (std::string("pgvigil_store_") + info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

class FakeClock final : public common::Clock {
 public:
  explicit FakeClock(common::Timestamp now) : now_(now) {}
  common::Timestamp Now() const override { return now_; }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  void Set(common::Timestamp now) { now_ = now; }

 private:
  common::Timestamp now_;
};

inline common::Timestamp At(double epoch_seconds) {
  return common::TimestampFromEpochSeconds(epoch_seconds);
}

}  // namespace pgvigil::store::testing
