// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/query_long_running_check.h"

#include <fmt/format.h>

#include "analysis/query_text.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {

void QueryLongRunningCheck::Evaluate(const CheckInput& input,
                                     std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const model::CollectorOutcome* outcome = s.FindOutcome("stat_activity");
  if (outcome == nullptr || outcome->status != model::CollectorStatus::kOk) return;
  const auto statement_timeout = SettingSeconds(s, "statement_timeout");
  for (const model::Backend& b : s.activity) {
    // Client backends only: this excludes walsenders, autovacuum, parallel workers and
    // background workers by their backend_type.
    if (b.backend_type != "client backend" || b.application_name == "pgvigil") continue;
    if (b.state != "active" || !b.query_age_seconds) continue;
    const std::string object = fmt::format("pid {}", b.pid);
    const auto verdict =
        input.thresholds.Classify("query.long_running", *b.query_age_seconds, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    model::Finding f;
    f.id = "query.long_running";
    f.severity = verdict.severity;
    f.object = object;
    f.value = *b.query_age_seconds;
    f.threshold = verdict.threshold;
    f.unit = "seconds";
    f.message =
        fmt::format("pid {} ({} as {} on {}) has run one statement for {}: {}", b.pid,
                    b.application_name.empty() ? "(no application_name)" : b.application_name,
                    b.usename, b.datname, FormatDuration(*b.query_age_seconds),
                    b.query.empty() ? "(text not visible)" : OneLineQuery(b.query));
    f.evidence.push_back(
        fmt::format("running for {} (query_start)", FormatDuration(*b.query_age_seconds)));
    if (b.xact_age_seconds) {
      f.evidence.push_back(
          fmt::format("transaction open for {} (xact_start)", FormatDuration(*b.xact_age_seconds)));
    }
    if (!b.wait_event_type.empty()) {
      f.evidence.push_back(fmt::format("waiting on {}: {}", b.wait_event_type, b.wait_event));
    }
    if (b.backend_xmin_age) {
      f.evidence.push_back(fmt::format("holds the xmin horizon {} transactions back",
                                       FormatCount(static_cast<double>(*b.backend_xmin_age))));
    }
    if (b.query_id) f.evidence.push_back(fmt::format("query_id {}", *b.query_id));
    if (statement_timeout) {
      f.evidence.push_back(*statement_timeout > 0 ? fmt::format("statement_timeout = {}",
                                                                FormatDuration(*statement_timeout))
                                                  : std::string("statement_timeout = 0 (off)"));
    }
    if (!b.query.empty()) f.evidence.push_back("statement: " + OneLineQuery(b.query, 400));
    f.recommendation = model::Recommendation{
        fmt::format("SELECT pg_cancel_backend({});", b.pid),
        "Cancelling stops the statement and rolls back its transaction but keeps the session, "
        "so the application sees an error it can handle; if the backend does not react, "
        "pg_terminate_backend ends the session. A long statement holds its locks and the xmin "
        "horizon (vacuum falls behind) for as long as it runs. Check first whether it is "
        "expected (a report, a migration, pg_dump), then look at its plan, and bound such "
        "statements with statement_timeout for the role."};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
