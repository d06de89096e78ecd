// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/wraparound_age_check.h"

#include <algorithm>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

// PostgreSQL refuses to assign new ids with fewer than three million left before wraparound.
constexpr double kStopAge = 2147483648.0 - 3000000.0;
// How many of the oldest tables to name and to recommend freezing.
constexpr size_t kOldestTables = 3;

struct Kind {
  std::string_view id;
  std::string_view what;          // "age(datfrozenxid)"
  std::string_view ids;           // "transaction ids"
  std::string_view freeze_max;    // the setting that starts anti-wraparound autovacuum
  std::string_view failsafe;      // the setting from which VACUUM skips index cleanup
  std::string_view table_column;  // "age(relfrozenxid)"
  std::int64_t model::DatabaseAge::*database_age;
  std::int64_t model::TableStats::*table_age;
  std::optional<std::int64_t> model::AutovacuumReloptions::*table_freeze_max;
};

constexpr Kind kXid{"wraparound.xid_age",
                    "age(datfrozenxid)",
                    "transaction ids",
                    "autovacuum_freeze_max_age",
                    "vacuum_failsafe_age",
                    "age(relfrozenxid)",
                    &model::DatabaseAge::datfrozenxid_age,
                    &model::TableStats::relfrozenxid_age,
                    &model::AutovacuumReloptions::autovacuum_freeze_max_age};
constexpr Kind kMultixact{"wraparound.multixact_age",
                          "mxid_age(datminmxid)",
                          "multixact ids",
                          "autovacuum_multixact_freeze_max_age",
                          "vacuum_multixact_failsafe_age",
                          "mxid_age(relminmxid)",
                          &model::DatabaseAge::datminmxid_age,
                          &model::TableStats::relminmxid_age,
                          &model::AutovacuumReloptions::autovacuum_multixact_freeze_max_age};

void EvaluateKind(const CheckInput& input, const Kind& kind, const model::DatabaseAge& d,
                  std::vector<model::Finding>& out) {
  const model::Snapshot& s = input.current;
  const double age = static_cast<double>(d.*kind.database_age);
  const auto verdict = input.thresholds.Classify(kind.id, age, s.target, d.datname);
  if (verdict.severity == model::Severity::kOk) return;

  model::Finding f;
  f.id = std::string(kind.id);
  f.severity = verdict.severity;
  f.object = d.datname;
  f.value = age;
  f.threshold = verdict.threshold;
  f.unit = "transactions";
  const auto freeze_max = SettingNumber(s, kind.freeze_max);
  std::string autovacuum_note;
  if (freeze_max && age > *freeze_max) {
    autovacuum_note = fmt::format(
        "; past {} ({}), so anti-wraparound autovacuum should already "
        "be running on its oldest tables",
        kind.freeze_max, FormatCount(*freeze_max));
  }
  f.message = fmt::format(
      "database {}: {} is {} {}, {} of the way to {} where PostgreSQL stops "
      "accepting writes{}{}",
      d.datname, kind.what, FormatCount(age), kind.ids, FormatPercent(age / kStopAge),
      FormatCount(kStopAge), autovacuum_note,
      d.datallowconn ? "" : " (the database does not allow connections)");
  f.evidence.push_back(
      fmt::format("{} = {} in database {}", kind.what, d.*kind.database_age, d.datname));
  if (freeze_max) {
    f.evidence.push_back(fmt::format("{} = {}", kind.freeze_max, FormatCount(*freeze_max)));
  }
  if (const auto failsafe = SettingNumber(s, kind.failsafe); failsafe && age > *failsafe) {
    f.evidence.push_back(
        fmt::format("past {} = {}: VACUUM already runs in failsafe mode (no "
                    "index cleanup, no cost delay)",
                    kind.failsafe, FormatCount(*failsafe)));
  }

  // The oldest user tables, when the database is the one whose tables were collected.
  std::vector<const model::TableStats*> oldest;
  if (Collected(s, "stat_user_tables")) {
    for (const model::TableStats& t : s.tables) {
      if (t.datname == d.datname && t.relkind != "p") oldest.push_back(&t);
    }
    std::sort(oldest.begin(), oldest.end(), [&](const auto* a, const auto* b) {
      return a->*kind.table_age > b->*kind.table_age;
    });
    if (oldest.size() > kOldestTables) oldest.resize(kOldestTables);
  }
  for (const model::TableStats* t : oldest) {
    std::string line = fmt::format("{} = {} on {}", kind.table_column, t->*kind.table_age,
                                   RelationObject(t->datname, t->schemaname, t->relname));
    if (const auto& rel = t->reloptions.*kind.table_freeze_max) {
      line += fmt::format(" ({} = {} on the table)", kind.freeze_max, *rel);
    }
    f.evidence.push_back(line);
  }
  // An anti-wraparound autovacuum in the activity is the fix already under way.
  if (Collected(s, "stat_activity")) {
    int workers = 0;
    for (const model::Backend& b : s.activity) {
      if (b.backend_type == "autovacuum worker" && b.datname == d.datname &&
          b.query.find("(to prevent wraparound)") != std::string::npos) {
        ++workers;
        f.evidence.push_back(fmt::format("pid {} running for {}: {}", b.pid,
                                         FormatDuration(b.xact_age_seconds.value_or(0)),
                                         b.query.substr(0, 200)));
      }
    }
    if (workers == 0) {
      f.evidence.push_back(
          fmt::format("no anti-wraparound autovacuum is running in database {}", d.datname));
    }
  }

  std::string sql;
  std::string why = fmt::format(
      "Freezing resets the age; PostgreSQL stops accepting writes at {} {} and then needs "
      "single-user mode. VACUUM (FREEZE) reads the whole table but does not block reads or "
      "writes.",
      FormatCount(kStopAge), kind.ids);
  const bool user_table_explains =
      !oldest.empty() && static_cast<double>(oldest.front()->*kind.table_age) >= 0.9 * age;
  if (user_table_explains) {
    for (const model::TableStats* t : oldest) {
      if (!sql.empty()) sql += " ";
      sql += fmt::format("VACUUM (FREEZE, VERBOSE) {};", QuoteQualified(t->schemaname, t->relname));
    }
    why += " Start with the oldest tables, which hold the database's age back.";
  } else {
    // Another database, or the oldest relation is a system catalog or TOAST table, which the
    // table statistics do not show: freeze the whole database.
    sql = "VACUUM (FREEZE, VERBOSE);";
    why += fmt::format(
        " Run it connected to database {}{}; a database-wide VACUUM also freezes "
        "the system catalogs and TOAST tables.",
        d.datname,
        d.datallowconn ? ""
                       : fmt::format(" (allow connections to it first: ALTER DATABASE {} "
                                     "WITH ALLOW_CONNECTIONS true)",
                                     QuoteIdent(d.datname)));
  }
  if (s.server.is_in_recovery) why += " This server is a standby: run it on the primary.";
  why +=
      " If an anti-wraparound autovacuum keeps restarting, look for what holds back the xmin "
      "horizon (wraparound.xmin_horizon).";
  f.recommendation = model::Recommendation{sql, why};
  out.push_back(std::move(f));
}

}  // namespace

void WraparoundAgeCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (!Collected(s, "wraparound")) return;
  for (const model::DatabaseAge& d : s.database_ages) {
    EvaluateKind(input, kXid, d, out);
    EvaluateKind(input, kMultixact, d, out);
  }
}

}  // namespace pgvigil::analysis
