// SPDX-License-Identifier: Apache-2.0
// settings.*: server configuration that blinds monitoring or weakens the server, one finding id
// each, on the object "server". Info unless it stops something working:
//  - settings.pg_stat_statements_missing (info): no statement statistics, so no query.* checks;
//  - settings.track_io_timing_off (info): no I/O time per statement and database;
//  - settings.autovacuum_off (info: its consequences are measured by table.vacuum_overdue);
//  - settings.track_counts_off (warning: autovacuum cannot see dead tuples without it, and the
//    table statistics pgvigil judges stay empty);
//  - settings.checksums_off (info): silent corruption goes unnoticed;
//  - settings.pending_restart (info): changed settings waiting for a restart;
//  - settings.monitoring_privileges (warning): the monitoring role lacks pg_monitor.
// None has a threshold: each is a fact about the configuration.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class SettingsCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override {
    return {"settings.pg_stat_statements_missing",
            "settings.track_io_timing_off",
            "settings.autovacuum_off",
            "settings.track_counts_off",
            "settings.checksums_off",
            "settings.pending_restart",
            "settings.monitoring_privileges"};
  }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
