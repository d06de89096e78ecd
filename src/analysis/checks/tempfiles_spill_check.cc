// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/tempfiles_spill_check.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analysis/database_deltas.h"
#include "analysis/query_text.h"
#include "analysis/snapshot_helpers.h"
#include "analysis/statement_deltas.h"

namespace pgvigil::analysis {
namespace {

constexpr int kTopStatements = 3;

// A memory setting as ALTER … SET accepts it: whole MB when it divides, else kB.
std::string MemoryValue(double bytes) {
  const double kib = std::ceil(bytes / 1024.0);
  if (std::fmod(kib, 1024.0) == 0) return fmt::format("{:.0f}MB", kib / 1024.0);
  return fmt::format("{:.0f}kB", kib);
}

}  // namespace

void TempfilesSpillCheck::Evaluate(const CheckInput& input,
                                   std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const DatabaseDeltas deltas = MatchDatabases(s, input.previous);
  if (!deltas.comparable || deltas.interval_seconds <= 0) return;
  const auto work_mem = SettingBytes(s, "work_mem");
  // The statements' share of the spill, when both samples hold pg_stat_statements.
  const StatementDeltas& statements = IntervalStatementDeltas(input);
  for (const DatabasePair& p : deltas.pairs) {
    const auto bytes = p.Delta(&model::DatabaseStats::temp_bytes);
    const auto files = p.Delta(&model::DatabaseStats::temp_files);
    if (!bytes || !files) continue;  // statistics reset in the interval
    const std::string& object = p.now->datname;
    const double rate = *bytes / deltas.interval_seconds;
    const auto verdict = input.thresholds.Classify("tempfiles.spill", rate, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    model::Finding f;
    f.id = "tempfiles.spill";
    f.severity = verdict.severity;
    f.object = object;
    f.value = rate;
    f.threshold = verdict.threshold;
    f.unit = "bytes_per_second";
    f.message = fmt::format(
        "database {} wrote {} to {} temporary files in the last {} ({}/s): sorts and hashes "
        "do not fit in work_mem",
        object, FormatBytes(*bytes), *files, FormatDuration(deltas.interval_seconds),
        FormatBytes(rate));
    f.evidence = {fmt::format("temp_bytes rose by {}, temp_files by {}, in {}", FormatBytes(*bytes),
                              *files, FormatDuration(deltas.interval_seconds))};
    if (work_mem) f.evidence.push_back("work_mem = " + FormatBytes(*work_mem));
    if (const auto log_temp_files = SettingText(s, "log_temp_files")) {
      f.evidence.push_back("log_temp_files = " + *log_temp_files);
    }
    if (statements.comparable) {
      std::vector<const StatementDelta*> spilled;
      for (const StatementDelta& d : statements.deltas) {
        if (d.now->dbid == p.now->datid && d.temp_blks_written > 0) spilled.push_back(&d);
      }
      std::sort(spilled.begin(), spilled.end(),
                [](const StatementDelta* a, const StatementDelta* b) {
                  return a->temp_blks_written > b->temp_blks_written;
                });
      if (spilled.size() > kTopStatements) spilled.resize(kTopStatements);
      for (const StatementDelta* d : spilled) {
        f.evidence.push_back(fmt::format(
            "queryid {} wrote {} of temp blocks in {} call{}: {}", d->now->queryid,
            FormatBytes(d->temp_blks_written * s.server.block_size), d->calls,
            d->calls == 1 ? "" : "s",
            d->now->query ? OneLineQuery(*d->now->query) : std::string("(text not collected)")));
      }
      if (spilled.empty()) {
        f.evidence.push_back(
            "no statement in pg_stat_statements wrote temp blocks in the interval "
            "(maintenance, or statements of roles it does not show)");
      }
    }
    std::string sql;
    std::string why =
        "A sort, hash or materialisation larger than work_mem goes to disk, which is many times "
        "slower. Start with the statements above: an index that delivers rows in order, or a "
        "narrower query, removes the sort. ";
    if (work_mem) {
      sql = fmt::format("ALTER DATABASE {} SET work_mem = '{}';", QuoteIdent(object),
                        MemoryValue(2 * *work_mem));
      why +=
          "Otherwise raise work_mem for this database (new sessions pick it up), or better "
          "only for the role or session that runs the big sorts: each sort or hash node of "
          "every connection may use that much, so a global raise can exhaust memory.";
    } else {
      why +=
          "Otherwise raise work_mem for the role or database that runs them, keeping in mind "
          "that each sort or hash node of every connection may use that much.";
    }
    f.recommendation = model::Recommendation{sql, why};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
