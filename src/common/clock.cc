// SPDX-License-Identifier: Apache-2.0
#include "common/clock.h"

#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace pgvigil::common {

Timestamp TimestampFromEpochSeconds(double seconds) {
  return Timestamp(std::chrono::microseconds(std::llround(seconds * 1e6)));
}

std::string FormatTimestamp(Timestamp t) {
  const auto micros = t.time_since_epoch().count();
  std::int64_t secs = micros / 1'000'000;
  std::int64_t frac = micros % 1'000'000;
  if (frac < 0) {
    frac += 1'000'000;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

Timestamp SystemClock::Now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

std::chrono::steady_clock::time_point SystemClock::SteadyNow() const {
  return std::chrono::steady_clock::now();
}

const SystemClock& SystemClock::Instance() {
  static const SystemClock clock;
  return clock;
}

}  // namespace pgvigil::common
