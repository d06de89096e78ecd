// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/wraparound_xmin_horizon_check.h"

#include <algorithm>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

constexpr std::string_view kId = "wraparound.xmin_horizon";

std::int64_t Max(const std::optional<std::int64_t>& a, const std::optional<std::int64_t>& b) {
  return std::max(a.value_or(0), b.value_or(0));
}

// The backends that can hold the horizon: not pgvigil's, not autovacuum workers (PROC_IN_VACUUM:
// other vacuums ignore their xmin), not parallel workers (their leader's snapshot).
std::vector<const model::Backend*> Candidates(const model::Snapshot& s) {
  std::vector<const model::Backend*> out;
  if (!Collected(s, "stat_activity")) return out;
  for (const model::Backend& b : s.activity) {
    if (b.application_name == "pgvigil") continue;
    if (b.backend_type == "autovacuum worker") continue;
    if (b.leader_pid && *b.leader_pid != b.pid) continue;
    if (!b.backend_xmin_age && !b.backend_xid_age) continue;
    out.push_back(&b);
  }
  return out;
}

model::Finding Base(std::string object, double age, const Thresholds::Verdict& verdict) {
  model::Finding f;
  f.id = std::string(kId);
  f.severity = verdict.severity;
  f.object = std::move(object);
  f.value = age;
  f.threshold = verdict.threshold;
  f.unit = "transactions";
  return f;
}

}  // namespace

void WraparoundXminHorizonCheck::Evaluate(const CheckInput& input,
                                          std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const std::vector<const model::Backend*> backends = Candidates(s);
  const bool have_prepared = Collected(s, "wraparound");

  // Transaction ids that other snapshots must wait for: a backend's own xid, a prepared
  // transaction's. A snapshot whose xmin is no older than one of them is explained by it.
  auto explained_by_other = [&](const model::Backend& b, std::int64_t age) {
    for (const model::Backend* other : backends) {
      if (other != &b && other->backend_xid_age && *other->backend_xid_age >= age) return true;
    }
    if (have_prepared) {
      for (const model::PreparedTransaction& p : s.prepared_transactions) {
        if (p.xid_age >= age) return true;
      }
    }
    return false;
  };
  // Backends whose xmin this transaction id explains (bystanders), for the holder's evidence.
  auto bystanders = [&](std::int64_t xid_age, const model::Backend* self) {
    int n = 0;
    for (const model::Backend* b : backends) {
      if (b == self || b->backend_xmin_age != xid_age) continue;
      if (b->backend_xid_age.value_or(0) <= xid_age) ++n;
    }
    return n;
  };

  for (const model::Backend* b : backends) {
    const std::int64_t age = Max(b->backend_xmin_age, b->backend_xid_age);
    const std::string object = fmt::format("pid {}", b->pid);
    const auto verdict = input.thresholds.Classify(kId, static_cast<double>(age), s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    if (explained_by_other(*b, age)) continue;
    model::Finding f = Base(object, static_cast<double>(age), verdict);
    const std::string who =
        b->backend_type == "client backend" || b->backend_type.empty()
            ? fmt::format("pid {} ({} as {} on {}{})", b->pid,
                          b->application_name.empty() ? "no application_name"
                                                      : "application " + b->application_name,
                          b->usename, b->datname, b->state.empty() ? "" : ", " + b->state)
            : fmt::format("pid {} ({}{})", b->pid, b->backend_type,
                          b->application_name.empty() ? "" : " " + b->application_name);
    f.message = fmt::format(
        "{} holds back the xmin horizon by {} transactions, so vacuum cannot clean up behind "
        "it{}",
        who, FormatCount(static_cast<double>(age)),
        b->xact_age_seconds
            ? "; its transaction has been open for " + FormatDuration(*b->xact_age_seconds)
            : "");
    f.evidence.push_back(
        fmt::format("age(backend_xmin) = {}, age(backend_xid) = {}",
                    b->backend_xmin_age ? std::to_string(*b->backend_xmin_age) : "null",
                    b->backend_xid_age ? std::to_string(*b->backend_xid_age) : "null"));
    if (b->state_age_seconds && !b->state.empty()) {
      f.evidence.push_back(
          fmt::format("state {} for {}", b->state, FormatDuration(*b->state_age_seconds)));
    }
    if (!b->query.empty()) f.evidence.push_back("last query: " + b->query.substr(0, 200));
    if (b->backend_xid_age) {
      if (const int n = bystanders(*b->backend_xid_age, b); n > 0) {
        f.evidence.push_back(
            fmt::format("{} other backend{} for its transaction id", n,
                        n == 1 ? " holds a snapshot that waits" : "s hold snapshots that wait"));
      }
    }
    if (b->backend_type == "walsender") {
      f.recommendation = model::Recommendation{
          "",
          "A standby with hot_standby_feedback = on reports the xmin of its oldest query here: "
          "find the long query or transaction on the standby and end it there."};
    } else {
      f.recommendation = model::Recommendation{
          fmt::format("SELECT pg_terminate_backend({});", b->pid),
          "Ending the session rolls its transaction back and releases the horizon; check what it "
          "is doing first (an idle-in-transaction session is an application that forgot to "
          "commit). Setting idle_in_transaction_session_timeout stops it happening again."};
    }
    out.push_back(std::move(f));
  }

  if (have_prepared) {
    for (const model::PreparedTransaction& p : s.prepared_transactions) {
      const std::string object = "prepared transaction " + p.gid;
      const auto verdict =
          input.thresholds.Classify(kId, static_cast<double>(p.xid_age), s.target, object);
      if (verdict.severity == model::Severity::kOk) continue;
      model::Finding f = Base(object, static_cast<double>(p.xid_age), verdict);
      f.message = fmt::format(
          "prepared transaction {} (owner {}, database {}) holds back the xmin horizon by {} "
          "transactions; prepared {} ago",
          QuoteStringLiteral(p.gid), p.owner, p.datname,
          FormatCount(static_cast<double>(p.xid_age)), FormatDuration(p.prepared_age_seconds));
      f.evidence.push_back(fmt::format("age(transaction) = {} in pg_prepared_xacts", p.xid_age));
      if (const int n = bystanders(p.xid_age, nullptr); n > 0) {
        f.evidence.push_back(
            fmt::format("{} backend{} for its transaction id", n,
                        n == 1 ? " holds a snapshot that waits" : "s hold snapshots that wait"));
      }
      f.recommendation = model::Recommendation{
          fmt::format("ROLLBACK PREPARED {};", QuoteStringLiteral(p.gid)),
          fmt::format("A prepared transaction survives restarts and holds its locks and the "
                      "horizon until its transaction manager commits or rolls it back. If that "
                      "manager has forgotten it, roll it back (or COMMIT PREPARED, if it must "
                      "complete) connected to database {} as {} or a superuser.",
                      p.datname, p.owner)};
      out.push_back(std::move(f));
    }
  }

  if (Collected(s, "replication")) {
    for (const model::ReplicationSlot& slot : s.replication_slots) {
      const std::int64_t age = Max(slot.xmin_age, slot.catalog_xmin_age);
      const std::string object = "slot " + slot.slot_name;
      const auto verdict =
          input.thresholds.Classify(kId, static_cast<double>(age), s.target, object);
      if (verdict.severity == model::Severity::kOk) continue;
      model::Finding f = Base(object, static_cast<double>(age), verdict);
      const bool catalog_only = !slot.xmin_age && slot.catalog_xmin_age;
      f.message = fmt::format(
          "replication slot {} ({}{}, {}) holds back the {}xmin horizon by {} transactions{}",
          slot.slot_name, slot.slot_type, slot.datname.empty() ? "" : " on " + slot.datname,
          slot.active ? "active" : "inactive", catalog_only ? "catalog " : "",
          FormatCount(static_cast<double>(age)),
          slot.inactive_seconds && !slot.active
              ? "; unused for " + FormatDuration(*slot.inactive_seconds)
              : "");
      f.evidence.push_back(
          fmt::format("age(xmin) = {}, age(catalog_xmin) = {}",
                      slot.xmin_age ? std::to_string(*slot.xmin_age) : "null",
                      slot.catalog_xmin_age ? std::to_string(*slot.catalog_xmin_age) : "null"));
      if (slot.active_pid) f.evidence.push_back(fmt::format("used by pid {}", *slot.active_pid));
      if (slot.active) {
        f.recommendation = model::Recommendation{
            "", slot.slot_type == "physical"
                    ? "The standby behind this slot reports the xmin of its oldest query "
                      "(hot_standby_feedback): end that query or transaction on the standby."
                    : "The consumer of this logical slot is far behind: check why it does not "
                      "confirm progress (a stuck subscriber, a failing apply)."};
      } else {
        f.recommendation = model::Recommendation{
            fmt::format("SELECT pg_drop_replication_slot({});", QuoteStringLiteral(slot.slot_name)),
            "An unused slot keeps its horizon (and WAL) forever. Check first that no standby or "
            "subscriber still needs it: dropping it means that consumer must be rebuilt or "
            "re-synchronised."};
      }
      out.push_back(std::move(f));
    }
  }
}

}  // namespace pgvigil::analysis
