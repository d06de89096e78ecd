// SPDX-License-Identifier: Apache-2.0
#include "maintenance/recovery_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string_view>
#include <utility>

#include "common/glob.h"

namespace pgvigil::maintenance {
namespace {

constexpr std::string_view kProtectedGuard = "protected_backend";
constexpr std::string_view kUnchangedGuard = "backend_unchanged";

common::Status CheckThreshold(std::string_view field, const std::optional<double>& value) {
  if (!value.has_value()) return common::Status::Ok();
  if (!std::isfinite(*value) || *value <= 0 || *value > kMaxRecoveryThresholdSeconds) {
    return common::InvalidArgumentError(fmt::format(
        "{} must be a number of seconds greater than 0 and at most {:.0f} (30 days), not {}", field,
        kMaxRecoveryThresholdSeconds, *value));
  }
  return common::Status::Ok();
}

// The first `max` bytes of `text`, never ending inside a UTF-8 sequence.
std::string CutUtf8(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t end = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

bool IsIdleInTransaction(std::string_view state) {
  return state == "idle in transaction" || state == "idle in transaction (aborted)";
}

struct Match {
  std::string action;  // "cancel" | "terminate"
  double age_seconds = 0;
  std::string why;  // "active for 12.3 s (cancel after 10 s)"
};

// What the thresholds ask for `row`, ignoring protections.
std::optional<Match> MatchThresholds(const ActivityRow& row, const RecoveryRequest& request) {
  const auto over = [](const std::optional<double>& age, const std::optional<double>& limit) {
    return age.has_value() && limit.has_value() && *age >= *limit;
  };
  if (row.state == "active" && over(row.query_age_seconds, request.cancel_running_longer_than_s)) {
    return Match{"cancel", *row.query_age_seconds,
                 fmt::format("statement running {:.1f} s (cancel after {:g} s)",
                             *row.query_age_seconds, *request.cancel_running_longer_than_s)};
  }
  if (row.state == "idle" && over(row.state_age_seconds, request.terminate_idle_longer_than_s)) {
    return Match{"terminate", *row.state_age_seconds,
                 fmt::format("idle {:.1f} s (terminate after {:g} s)", *row.state_age_seconds,
                             *request.terminate_idle_longer_than_s)};
  }
  if (IsIdleInTransaction(row.state) &&
      over(row.state_age_seconds, request.terminate_idle_in_transaction_longer_than_s)) {
    return Match{
        "terminate", *row.state_age_seconds,
        fmt::format("{} {:.1f} s (terminate after {:g} s)", row.state, *row.state_age_seconds,
                    *request.terminate_idle_in_transaction_longer_than_s)};
  }
  return std::nullopt;
}

model::RecoveryBackend BackendOf(const ActivityRow& row) {
  model::RecoveryBackend b;
  b.pid = row.pid;
  b.backend_start = row.backend_start;
  b.datname = row.datname;
  b.usename = row.usename;
  b.application_name = row.application_name;
  b.state = row.state;
  b.query = CutUtf8(row.query, kRecoveryQueryBytes);
  return b;
}

std::string Describe(const ActivityRow& row) {
  return fmt::format("pid {} (user '{}', application '{}', database '{}')", row.pid, row.usename,
                     row.application_name, row.datname);
}

}  // namespace

common::Status ValidateRecoveryRequest(const RecoveryRequest& request) {
  if (!request.cancel_running_longer_than_s && !request.terminate_idle_longer_than_s &&
      !request.terminate_idle_in_transaction_longer_than_s) {
    return common::InvalidArgumentError(
        "recovery needs at least one of cancel_running_longer_than_s, "
        "terminate_idle_longer_than_s, terminate_idle_in_transaction_longer_than_s");
  }
  for (const auto& [field, value] :
       {std::pair{"cancel_running_longer_than_s", request.cancel_running_longer_than_s},
        std::pair{"terminate_idle_longer_than_s", request.terminate_idle_longer_than_s},
        std::pair{"terminate_idle_in_transaction_longer_than_s",
                  request.terminate_idle_in_transaction_longer_than_s}}) {
    if (common::Status s = CheckThreshold(field, value); !s.ok()) return s;
  }
  for (const model::RecoveryBackend& c : request.confirm) {
    if (c.pid <= 0) {
      return common::InvalidArgumentError(
          fmt::format("confirm: pid must be a positive process id, not {}", c.pid));
    }
    if (c.backend_start.empty()) {
      return common::InvalidArgumentError(
          fmt::format("confirm: pid {} needs the backend_start the dry run showed", c.pid));
    }
  }
  return common::Status::Ok();
}

std::optional<std::string> ProtectionReason(const ActivityRow& row,
                                            const MaintenancePolicy& policy) {
  if (row.is_self) return "pgvigil's own session (the one reading pg_stat_activity)";
  if (row.application_name.starts_with("pgvigil")) {
    return fmt::format("pgvigil's own session (application '{}')", row.application_name);
  }
  // walsenders, autovacuum, parallel and background workers: never a client's session.
  if (row.backend_type != "client backend") {
    return fmt::format("a {} process, not a client backend", row.backend_type);
  }
  if (row.rolsuper) return fmt::format("a superuser session (role '{}')", row.usename);
  for (const std::string& pattern : policy.protected_roles) {
    if (common::GlobMatch(pattern, row.usename)) {
      return fmt::format("role '{}' matches protected_roles '{}'", row.usename, pattern);
    }
  }
  for (const std::string& pattern : policy.protected_applications) {
    if (common::GlobMatch(pattern, row.application_name)) {
      return fmt::format("application '{}' matches protected_applications '{}'",
                         row.application_name, pattern);
    }
  }
  return std::nullopt;
}

RecoverySelection SelectRecoveryBackends(const std::vector<ActivityRow>& rows,
                                         const RecoveryRequest& request,
                                         const MaintenancePolicy& policy) {
  RecoverySelection out;
  std::vector<model::RecoveryBackend> unchanged;  // confirmed backends that are no longer there
  std::vector<model::GuardVerdict> protected_verdicts;
  std::vector<model::GuardVerdict> unchanged_verdicts;

  std::map<int, const ActivityRow*> by_pid;
  for (const ActivityRow& row : rows) by_pid.emplace(row.pid, &row);

  // The rows to judge: every row, or (confirming) the confirmed pids that are still the same
  // process; the others are reported as gone or changed.
  std::vector<const ActivityRow*> candidates;
  if (request.confirm.empty()) {
    for (const ActivityRow& row : rows) candidates.push_back(&row);
  } else {
    std::map<int, bool> seen;
    for (const model::RecoveryBackend& c : request.confirm) {
      if (!seen.emplace(c.pid, true).second) continue;  // a pid confirmed twice acts once
      auto it = by_pid.find(c.pid);
      if (it == by_pid.end()) {
        model::RecoveryBackend b;
        b.pid = c.pid;
        b.backend_start = c.backend_start;
        b.outcome = "gone";
        unchanged.push_back(std::move(b));
        unchanged_verdicts.push_back(
            {std::string(kUnchangedGuard), model::GuardOutcome::kWarn,
             fmt::format("pid {} has ended since the dry run: left out", c.pid)});
        continue;
      }
      const ActivityRow& row = *it->second;
      if (row.backend_start != c.backend_start) {
        model::RecoveryBackend b = BackendOf(row);
        b.backend_start = c.backend_start;  // the process that was confirmed, not this one
        b.outcome = "changed";
        unchanged.push_back(std::move(b));
        unchanged_verdicts.push_back(
            {std::string(kUnchangedGuard), model::GuardOutcome::kWarn,
             fmt::format("pid {} started at {}, not at the confirmed {}: another process, "
                         "left out",
                         c.pid, row.backend_start, c.backend_start)});
        continue;
      }
      candidates.push_back(&row);
    }
  }

  for (const ActivityRow* row : candidates) {
    if (!request.database.empty() && row->datname != request.database) {
      if (!request.confirm.empty()) {
        unchanged_verdicts.push_back({std::string(kUnchangedGuard), model::GuardOutcome::kWarn,
                                      fmt::format("{} is not in database '{}': left out",
                                                  Describe(*row), request.database)});
      }
      continue;
    }
    const std::optional<Match> match = MatchThresholds(*row, request);
    if (!match.has_value()) {
      if (!request.confirm.empty()) {
        unchanged_verdicts.push_back(
            {std::string(kUnchangedGuard), model::GuardOutcome::kWarn,
             fmt::format("{} no longer meets the thresholds (state '{}'): left out", Describe(*row),
                         row->state)});
      }
      continue;
    }
    if (std::optional<std::string> reason = ProtectionReason(*row, policy)) {
      protected_verdicts.push_back(
          {std::string(kProtectedGuard), model::GuardOutcome::kWarn,
           fmt::format("{} {}, but is {}: left out", Describe(*row), match->why, *reason)});
      continue;
    }
    model::RecoveryBackend b = BackendOf(*row);
    b.action = match->action;
    b.age_seconds = match->age_seconds;
    out.backends.push_back(std::move(b));
  }

  std::sort(out.backends.begin(), out.backends.end(),
            [](const model::RecoveryBackend& a, const model::RecoveryBackend& b) {
              if (a.action != b.action) return a.action == "cancel";
              if (a.age_seconds != b.age_seconds) return a.age_seconds > b.age_seconds;
              return a.pid < b.pid;
            });
  for (model::RecoveryBackend& b : unchanged) out.backends.push_back(std::move(b));

  if (protected_verdicts.empty()) {
    out.guards.push_back({std::string(kProtectedGuard), model::GuardOutcome::kPass,
                          "no selected backend is protected"});
  }
  for (model::GuardVerdict& v : protected_verdicts) out.guards.push_back(std::move(v));
  if (!request.confirm.empty()) {
    if (unchanged_verdicts.empty()) {
      out.guards.push_back({std::string(kUnchangedGuard), model::GuardOutcome::kPass,
                            "every confirmed backend is still the process the dry run showed"});
    }
    for (model::GuardVerdict& v : unchanged_verdicts) out.guards.push_back(std::move(v));
  }
  return out;
}

}  // namespace pgvigil::maintenance
