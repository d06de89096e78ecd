// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/connection_idle_in_transaction_check.h"

#include <fmt/format.h>

#include "analysis/query_text.h"
#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

constexpr std::string_view kIdle = "idle in transaction";
constexpr std::string_view kAborted = "idle in transaction (aborted)";

std::string TimeoutInWords(const model::Snapshot& s) {
  const auto timeout = SettingSeconds(s, "idle_in_transaction_session_timeout");
  if (!timeout) return "not collected";
  if (*timeout <= 0) return "0 (off)";
  return FormatDuration(*timeout);
}

}  // namespace

void ConnectionIdleInTransactionCheck::Evaluate(const CheckInput& input,
                                                std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const model::CollectorOutcome* outcome = s.FindOutcome("stat_activity");
  if (outcome == nullptr || outcome->status != model::CollectorStatus::kOk) return;
  for (const model::Backend& b : s.activity) {
    if (b.application_name == "pgvigil") continue;
    const bool aborted = b.state == kAborted;
    if (b.state != kIdle && !aborted) continue;
    const std::optional<double> age = b.xact_age_seconds ? b.xact_age_seconds : b.state_age_seconds;
    if (!age) continue;
    const std::string object = fmt::format("pid {}", b.pid);
    auto verdict =
        input.thresholds.Classify("connection.idle_in_transaction", *age, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    if (aborted && verdict.severity == model::Severity::kCritical) {
      // A failed transaction has already released its locks and snapshot; it only holds a
      // connection until the client says ROLLBACK, so it is not critical however old.
      verdict.severity = model::Severity::kWarning;
      verdict.threshold =
          input.thresholds.Get("connection.idle_in_transaction", s.target, object).warning;
    }
    model::Finding f;
    f.id = "connection.idle_in_transaction";
    f.severity = verdict.severity;
    f.object = object;
    f.value = *age;
    f.threshold = verdict.threshold;
    f.unit = "seconds";
    const std::string who = fmt::format(
        "{} as {} on {}", b.application_name.empty() ? "(no application_name)" : b.application_name,
        b.usename, b.datname);
    f.message = fmt::format(
        "pid {} ({}) has held a transaction open for {}{}", b.pid, who, FormatDuration(*age),
        b.state_age_seconds
            ? fmt::format(", idle for the last {}", FormatDuration(*b.state_age_seconds))
            : "");
    if (aborted) f.message += "; the transaction has failed and waits for ROLLBACK";
    f.evidence.push_back(fmt::format("state '{}'", b.state));
    if (b.xact_age_seconds) {
      f.evidence.push_back(
          fmt::format("transaction open for {} (xact_start)", FormatDuration(*b.xact_age_seconds)));
    }
    if (b.state_age_seconds) {
      f.evidence.push_back(fmt::format("idle for {} since its last statement (state_change)",
                                       FormatDuration(*b.state_age_seconds)));
    }
    if (b.backend_xmin_age) {
      f.evidence.push_back(fmt::format(
          "holds the xmin horizon {} transactions back: vacuum cannot remove newer dead rows",
          FormatCount(static_cast<double>(*b.backend_xmin_age))));
    }
    f.evidence.push_back(fmt::format(
        "client {}, backend started {} ago", b.client_addr.empty() ? "local socket" : b.client_addr,
        b.backend_age_seconds ? FormatDuration(*b.backend_age_seconds) : "unknown time"));
    if (!b.query.empty()) f.evidence.push_back("last statement: " + OneLineQuery(b.query, 200));
    f.evidence.push_back("idle_in_transaction_session_timeout = " + TimeoutInWords(s));
    std::string why =
        aborted ? "The transaction has already failed and released its locks, but the session "
                  "still waits for a ROLLBACK and holds a connection. "
                : "An open transaction keeps every lock it took and holds back the xmin horizon, "
                  "so vacuum cannot clean dead rows anywhere and other sessions may queue behind "
                  "its locks. ";
    why += fmt::format(
        "pg_cancel_backend does nothing to an idle session (there is no statement to cancel): "
        "pg_terminate_backend ends the session and rolls its transaction back, so check with the "
        "owner of {} first; the WHERE clause makes it a no-op once the session has moved on. Then "
        "fix the application to commit or roll back promptly, and let "
        "the server end such sessions itself: ALTER ROLE {} SET "
        "idle_in_transaction_session_timeout = '{}s'; (or ALTER DATABASE {} …), applied to new "
        "sessions.",
        b.application_name.empty() ? "the client" : b.application_name, QuoteIdent(b.usename),
        static_cast<long long>(
            input.thresholds.Get("connection.idle_in_transaction", s.target, object)
                .warning.value_or(300)),
        QuoteIdent(b.datname));
    f.recommendation = model::Recommendation{
        fmt::format("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = {} AND "
                    "state = '{}';",
                    b.pid, aborted ? kAborted : kIdle),
        why};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
