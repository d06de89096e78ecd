// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/settings_check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

constexpr std::string_view kManaged =
    " On a managed service (RDS, Cloud SQL, Azure) change it in the provider's parameter group "
    "instead: ALTER SYSTEM is not allowed there.";

model::Finding Make(std::string_view id, model::Severity severity, std::string message) {
  model::Finding f;
  f.id = std::string(id);
  f.severity = severity;
  f.object = "server";
  f.message = std::move(message);
  return f;
}

std::string Describe(const model::Setting& setting) {
  return fmt::format("{} = {} (source: {})", setting.name, setting.setting,
                     setting.source.empty() ? "unknown" : setting.source);
}

const model::Setting* Find(const model::Snapshot& s, std::string_view name) {
  for (const model::Setting& setting : s.settings) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

bool Preloaded(const std::string& libraries, std::string_view library) {
  size_t start = 0;
  while (start <= libraries.size()) {
    size_t end = libraries.find(',', start);
    if (end == std::string::npos) end = libraries.size();
    std::string_view item(libraries.data() + start, end - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '"')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '"')) item.remove_suffix(1);
    if (item == library) return true;
    start = end + 1;
  }
  return false;
}

void PgStatStatements(const model::Snapshot& s, std::vector<model::Finding>& out) {
  const model::CollectorOutcome* o = s.FindOutcome("stat_statements");
  if (o == nullptr || o->status != model::CollectorStatus::kSkipped) return;
  model::Finding f = Make("settings.pg_stat_statements_missing", model::Severity::kInfo,
                          "pg_stat_statements is not available, so slow and regressed statements "
                          "cannot be found: " +
                              o->message);
  f.evidence.push_back(fmt::format("stat_statements collector skipped: {}", o->message));
  bool installed = false;
  for (const model::ExtensionInfo& e : s.server.extensions) {
    if (e.name == "pg_stat_statements") {
      installed = true;
      f.evidence.push_back(
          fmt::format("extension pg_stat_statements {} in schema {}", e.version, e.schema));
    }
  }
  const auto libraries = SettingText(s, "shared_preload_libraries");
  if (libraries) f.evidence.push_back(fmt::format("shared_preload_libraries = '{}'", *libraries));
  const bool preloaded = libraries && Preloaded(*libraries, "pg_stat_statements");
  const std::string database = s.server.current_database.empty()
                                   ? "the monitored database"
                                   : "database " + s.server.current_database;
  std::string sql;
  std::string why;
  if (installed && o->message.find("older than") != std::string::npos) {
    sql = "ALTER EXTENSION pg_stat_statements UPDATE;";
    why = fmt::format("The extension in {} is older than pgvigil reads (1.8).", database);
  } else if (libraries && !preloaded) {
    const std::string list =
        libraries->empty() ? "pg_stat_statements" : *libraries + ",pg_stat_statements";
    sql = fmt::format("ALTER SYSTEM SET shared_preload_libraries = {};", QuoteStringLiteral(list));
    why = fmt::format("The library must be loaded at server start: this needs a restart.{}{}",
                      installed ? ""
                                : fmt::format(" Then create the extension in {}: CREATE "
                                              "EXTENSION IF NOT EXISTS pg_stat_statements;",
                                              database),
                      kManaged);
  } else if (!libraries) {
    // The settings could not be read: whether the library is loaded is unknown, so name both
    // steps rather than claim one is done.
    sql = "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;";
    why = fmt::format(
        "Create the extension in {}. pgvigil could not read shared_preload_libraries: if "
        "pg_stat_statements is not in it, add it first (ALTER SYSTEM SET "
        "shared_preload_libraries …; this needs a restart).{}",
        database, kManaged);
  } else {
    sql = "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;";
    why = fmt::format(
        "The library is loaded; the extension only needs creating in {} (by a "
        "superuser or a role with CREATE on it).",
        database);
  }
  f.recommendation = model::Recommendation{sql, why};
  out.push_back(std::move(f));
}

// A boolean setting that is "off" where it should be on, with ALTER SYSTEM + reload as the fix.
void OffSetting(const model::Snapshot& s, std::string_view id, std::string_view name,
                model::Severity severity, std::string_view consequence, std::string_view why,
                std::vector<model::Finding>& out) {
  const model::Setting* setting = Find(s, name);
  if (setting == nullptr || setting->setting != "off") return;
  model::Finding f = Make(id, severity, fmt::format("{} is off: {}", name, consequence));
  f.evidence.push_back(Describe(*setting));
  f.recommendation =
      model::Recommendation{fmt::format("ALTER SYSTEM SET {} = on; SELECT pg_reload_conf();", name),
                            std::string(why) + std::string(kManaged)};
  out.push_back(std::move(f));
}

}  // namespace

void SettingsCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  PgStatStatements(s, out);

  const model::CollectorOutcome* settings = s.FindOutcome("settings");
  if (settings != nullptr && settings->status == model::CollectorStatus::kOk) {
    OffSetting(s, "settings.track_io_timing_off", "track_io_timing", model::Severity::kInfo,
               "statements and databases report no time spent reading and writing, so slow I/O "
               "cannot be told from slow CPU",
               "The cost is a clock read per I/O, small on most systems (pg_test_timing shows "
               "it).",
               out);
    OffSetting(s, "settings.autovacuum_off", "autovacuum", model::Severity::kInfo,
               "dead tuples pile up and statistics go stale unless something else runs VACUUM "
               "and ANALYZE (only anti-wraparound vacuums still start)",
               "Autovacuum is the safety net for every table; tune it per table rather than "
               "switching it off (table.vacuum_overdue shows what is already behind).",
               out);
    OffSetting(s, "settings.track_counts_off", "track_counts", model::Severity::kWarning,
               "autovacuum cannot see dead tuples or modified rows, so it never starts on its "
               "own, and pg_stat_user_tables stays empty",
               "Without table statistics autovacuum is blind and the table checks have nothing "
               "to judge.",
               out);
    if (const model::Setting* checksums = Find(s, "data_checksums");
        checksums != nullptr && checksums->setting == "off") {
      model::Finding f = Make("settings.checksums_off", model::Severity::kInfo,
                              "data checksums are off: a page corrupted by the storage is read "
                              "back without an error");
      f.evidence.push_back(Describe(*checksums));
      f.recommendation = model::Recommendation{
          "",
          "Checksums are chosen at initdb (--data-checksums; the default from PostgreSQL 18) or "
          "enabled with pg_checksums --enable while the server is stopped (a full read and "
          "rewrite of the data directory). On a managed service the provider decides; many "
          "checksum at the storage layer."};
      out.push_back(std::move(f));
    }
    std::vector<std::string> pending;
    for (const model::Setting& setting : s.settings) {
      if (setting.pending_restart) pending.push_back(setting.name);
    }
    if (!pending.empty()) {
      model::Finding f =
          Make("settings.pending_restart", model::Severity::kInfo,
               fmt::format("{} changed setting{} wait for a restart: {}", pending.size(),
                           pending.size() == 1 ? "" : "s", fmt::join(pending, ", ")));
      f.value = static_cast<double>(pending.size());
      f.unit = "count";
      for (const model::Setting& setting : s.settings) {
        if (setting.pending_restart) {
          f.evidence.push_back(Describe(setting) +
                               ", pending_restart = true (the value shown "
                               "is the one in effect)");
        }
      }
      f.recommendation = model::Recommendation{
          "",
          "The old values apply until the server restarts: restart in a maintenance window, "
          "or revert the change if it was not meant."};
      out.push_back(std::move(f));
    }
  }

  // The role pgvigil connects as: without pg_monitor it sees other roles' sessions without
  // their queries, and some statistics not at all. Known only when the server was reached.
  if (!s.server.current_user.empty() && !s.server.is_superuser && !s.server.has_pg_monitor) {
    model::Finding f =
        Make("settings.monitoring_privileges", model::Severity::kWarning,
             fmt::format("the monitoring role {} is not a member of pg_monitor: other sessions' "
                         "queries, and some statistics, are hidden from pgvigil",
                         s.server.current_user));
    f.evidence.push_back(
        fmt::format("current_user = {}, superuser = false, pg_monitor = false, "
                    "pg_read_all_stats = {}",
                    s.server.current_user, s.server.has_read_all_stats ? "true" : "false"));
    f.recommendation = model::Recommendation{
        fmt::format("GRANT pg_monitor TO {};", QuoteIdent(s.server.current_user)),
        "pg_monitor lets a role read every statistics view and setting, but not change anything "
        "or read table data: what a monitoring role needs. Run it as a superuser (or a role "
        "with ADMIN OPTION on pg_monitor)."};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
