// SPDX-License-Identifier: Apache-2.0
// Time types shared by every folder. Timestamps are UTC with microsecond resolution, the
// resolution PostgreSQL keeps. A Clock is injected where code needs "now", so tests can move it.
#pragma once

#include <chrono>
#include <string>

namespace pgvigil::common {

using Timestamp = std::chrono::sys_time<std::chrono::microseconds>;

// Converts seconds since the Unix epoch (as PostgreSQL's extract(epoch from …) returns) to a
// Timestamp, rounding to the nearest microsecond.
Timestamp TimestampFromEpochSeconds(double seconds);

// "2026-11-22T07:03:36.123456Z"
std::string FormatTimestamp(Timestamp t);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
};

// The real clock. Stateless, thread-safe.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
  std::chrono::steady_clock::time_point SteadyNow() const override;
  static const SystemClock& Instance();
};

}  // namespace pgvigil::common
