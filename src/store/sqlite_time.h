// SPDX-License-Identifier: Apache-2.0
// Timestamps in SQLite columns: microseconds since the Unix epoch (UTC), NULL for "not yet".
// Shared by the alert and maintenance stores, whose rows carry several optional times.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "common/clock.h"
#include "store/sqlite_db.h"

namespace pgvigil::store {

inline std::int64_t Micros(common::Timestamp t) { return t.time_since_epoch().count(); }

inline common::Timestamp FromMicros(std::int64_t us) {
  return common::Timestamp(std::chrono::microseconds(us));
}

inline std::optional<std::int64_t> OptMicros(const std::optional<common::Timestamp>& t) {
  if (!t) return std::nullopt;
  return Micros(*t);
}

// Column `column` of the current row as a time; nullopt for NULL.
inline std::optional<common::Timestamp> OptTime(const SqliteStatement& s, int column) {
  auto v = s.ColumnOptionalInt64(column);
  if (!v) return std::nullopt;
  return FromMicros(*v);
}

}  // namespace pgvigil::store
