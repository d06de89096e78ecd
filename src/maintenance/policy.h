// SPDX-License-Identifier: Apache-2.0
// The knobs of maintenance and recovery (docs/maintenance.md), as the daemon builds them from the
// config file: maintenance windows, lock-timeout retries, trust lists, the protect list of
// recovery. Plain data plus the window arithmetic, which is pure.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/result.h"

namespace pgvigil::maintenance {

// A weekly window in UTC: on the given days, from `start` to `end` minutes after midnight. An
// end before the start wraps past midnight ("22:00-02:00" runs into the next day).
struct Window {
  // Bit d set = day d allowed, 0 = Sunday … 6 = Saturday (the day the window starts on).
  unsigned days = 0x7f;
  int start_minute = 0;  // 0 … 1439
  int end_minute = 0;    // 0 … 1439; == start_minute means the whole day
};

// "daily 01:00-05:00", "sat,sun 00:00-06:00", "mon-fri 22:00-02:00". Errors name the bad part.
common::Result<Window> ParseWindow(std::string_view text);
// True when `at` falls inside any of `windows`. No windows: never inside.
bool InsideAnyWindow(const std::vector<Window>& windows, common::Timestamp at);

struct MaintenancePolicy {
  std::vector<Window> windows;  // blocking operations only inside one of these (or forced)
  // Each try of a statement waits at most lock_timeout for its lock, so it never sits long in
  // the lock queue in front of application queries; then it sleeps lock_retry_delay and tries
  // again, at most lock_attempts times in all.
  std::chrono::milliseconds lock_timeout{500};
  int lock_attempts = 5;
  std::chrono::milliseconds lock_retry_delay{2000};
  std::chrono::milliseconds statement_timeout{0};  // 0: none (a VACUUM may take hours)
  // Table owners whose tables pgvigil maintains without a warning; empty: no check.
  std::vector<std::string> trusted_owners;
  // Recovery never touches these (exact role names / application names, GlobMatch patterns).
  std::vector<std::string> protected_roles;
  std::vector<std::string> protected_applications;
  // Recovery: how long after pg_cancel_backend a backend that is still active is terminated.
  std::chrono::milliseconds cancel_grace{3000};
};

}  // namespace pgvigil::maintenance
