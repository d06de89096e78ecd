// SPDX-License-Identifier: Apache-2.0
#include "maintenance/recovery_statements.h"

#include "maintenance/maintenance_sql.h"

namespace pgvigil::maintenance {
namespace {

// The statement without its `--` comment lines, its lines joined by single spaces.
std::string OneLine(std::string_view sql) {
  std::string out;
  while (!sql.empty()) {
    const std::size_t end = sql.find('\n');
    std::string_view line = sql.substr(0, end);
    sql = end == std::string_view::npos ? std::string_view{} : sql.substr(end + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.remove_suffix(1);
    if (line.empty() || line.starts_with("--")) continue;
    if (!out.empty()) out.push_back(' ');
    out.append(line);
  }
  return out;
}

std::string_view SignalFile(RecoverySignal signal) {
  switch (signal) {
    case RecoverySignal::kCancel:
      return "recovery_cancel.sql";
    case RecoverySignal::kCancelIfActive:
      return "recovery_cancel_if_active.sql";
    case RecoverySignal::kTerminate:
      return "recovery_terminate.sql";
  }
  return "recovery_cancel.sql";
}

}  // namespace

std::string_view RecoveryActivitySql() { return MaintenanceSql("recovery_activity.sql"); }

pg::Query RecoverySignalQuery(RecoverySignal signal, int pid, std::string_view backend_start) {
  return pg::Query{"recovery_signal",
                   OneLine(MaintenanceSql(SignalFile(signal))),
                   {std::to_string(pid), std::string(backend_start)}};
}

}  // namespace pgvigil::maintenance
