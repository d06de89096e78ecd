// SPDX-License-Identifier: Apache-2.0
#include "analysis/autovacuum_formula.h"

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {

std::string AutovacuumTrigger::Formula() const {
  std::string text =
      fmt::format("{:g} + {:g} × {} rows", threshold, scale_factor, FormatCount(reltuples));
  if (capped && max_threshold) {
    text +=
        fmt::format(", capped at autovacuum_vacuum_max_threshold {}", FormatCount(*max_threshold));
  }
  text += fmt::format(" = {}", FormatCount(trigger));
  if (from_reloptions) text += " (per-table reloptions)";
  if (reltuples_from_live) text += " (reltuples unknown, never analysed: n_live_tup used)";
  return text;
}

std::optional<AutovacuumTrigger> ComputeAutovacuumTrigger(const model::Snapshot& s,
                                                          const model::TableStats& table,
                                                          AutovacuumTriggerKind kind) {
  const model::AutovacuumReloptions& r = table.reloptions;
  std::optional<std::int64_t> rel_threshold;
  std::optional<double> rel_scale;
  const char* threshold_name = "";
  const char* scale_name = "";
  switch (kind) {
    case AutovacuumTriggerKind::kVacuum:
      rel_threshold = r.autovacuum_vacuum_threshold;
      rel_scale = r.autovacuum_vacuum_scale_factor;
      threshold_name = "autovacuum_vacuum_threshold";
      scale_name = "autovacuum_vacuum_scale_factor";
      break;
    case AutovacuumTriggerKind::kInsert:
      rel_threshold = r.autovacuum_vacuum_insert_threshold;
      rel_scale = r.autovacuum_vacuum_insert_scale_factor;
      threshold_name = "autovacuum_vacuum_insert_threshold";
      scale_name = "autovacuum_vacuum_insert_scale_factor";
      break;
    case AutovacuumTriggerKind::kAnalyze:
      rel_threshold = r.autovacuum_analyze_threshold;
      rel_scale = r.autovacuum_analyze_scale_factor;
      threshold_name = "autovacuum_analyze_threshold";
      scale_name = "autovacuum_analyze_scale_factor";
      break;
  }
  AutovacuumTrigger t;
  // As autovacuum.c: a reloption that is set wins; otherwise the global setting.
  if (rel_threshold) {
    t.threshold = static_cast<double>(*rel_threshold);
    t.from_reloptions = true;
  } else {
    const auto global = SettingNumber(s, threshold_name);
    if (!global) return std::nullopt;
    t.threshold = *global;
  }
  if (rel_scale) {
    t.scale_factor = *rel_scale;
    t.from_reloptions = true;
  } else {
    const auto global = SettingNumber(s, scale_name);
    if (!global) return std::nullopt;
    t.scale_factor = *global;
  }
  // autovacuum_vacuum_insert_threshold = -1 switches insert-driven vacuums off.
  if (kind == AutovacuumTriggerKind::kInsert && t.threshold < 0) return std::nullopt;

  if (table.reltuples >= 0) {
    t.reltuples = table.reltuples;
  } else {
    // Never vacuumed or analysed (PostgreSQL 14+ stores -1). autovacuum.c counts 0 rows then;
    // the live-tuple estimate is the fairer base for judging how overdue the table is.
    t.reltuples = static_cast<double>(table.n_live_tup);
    t.reltuples_from_live = true;
  }
  t.trigger = t.threshold + t.scale_factor * t.reltuples;

  if (kind == AutovacuumTriggerKind::kVacuum) {
    // PostgreSQL 18: autovacuum_vacuum_max_threshold caps the dead-tuple trigger; -1 disables
    // the cap. Absent on older servers (neither the setting nor the reloption exist).
    std::optional<double> max;
    if (r.autovacuum_vacuum_max_threshold) {
      max = static_cast<double>(*r.autovacuum_vacuum_max_threshold);
    } else {
      max = SettingNumber(s, "autovacuum_vacuum_max_threshold");
    }
    if (max && *max >= 0) {
      t.max_threshold = max;
      if (t.trigger > *max) {
        t.trigger = *max;
        t.capped = true;
      }
    }
  }
  return t;
}

std::string AutovacuumDisabledReason(const model::Snapshot& s, const model::TableStats& table) {
  if (SettingText(s, "autovacuum") == "off") return "autovacuum = off on the server";
  if (SettingText(s, "track_counts") == "off") {
    return "track_counts = off on the server (autovacuum cannot see dead tuples)";
  }
  if (table.reloptions.autovacuum_enabled == false) {
    return "autovacuum_enabled = false on the table";
  }
  return "";
}

std::string AgoText(common::Timestamp now, const std::optional<common::Timestamp>& at) {
  if (!at) return "never";
  const double seconds = std::chrono::duration<double>(now - *at).count();
  if (seconds < 0) return "just now";
  return FormatDuration(seconds) + " ago";
}

std::optional<common::Timestamp> Latest(const std::optional<common::Timestamp>& a,
                                        const std::optional<common::Timestamp>& b) {
  if (!a) return b;
  if (!b) return a;
  return *a > *b ? a : b;
}

}  // namespace pgvigil::analysis
