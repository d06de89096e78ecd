// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/replication_slots_check.h"

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

std::string Describe(const model::ReplicationSlot& slot, std::string_view state = "") {
  std::string kind = slot.slot_type;
  if (!slot.plugin.empty()) kind += " " + slot.plugin;
  if (!slot.datname.empty()) kind += " on " + slot.datname;
  if (slot.temporary) kind += ", temporary";
  if (!state.empty()) kind += fmt::format(", {}", state);
  return fmt::format("slot {} ({})", slot.slot_name, kind);
}

std::vector<std::string> Evidence(const model::ReplicationSlot& slot) {
  std::vector<std::string> e;
  e.push_back(fmt::format("active = {}{}, wal_status = {}", slot.active ? "true" : "false",
                          slot.active_pid ? fmt::format(" (pid {})", *slot.active_pid) : "",
                          slot.wal_status.empty() ? "null" : slot.wal_status));
  e.push_back(fmt::format(
      "retained WAL (current position − restart_lsn) = {}",
      slot.retained_wal_bytes ? std::to_string(*slot.retained_wal_bytes) + " bytes" : "null"));
  if (slot.safe_wal_size_bytes) {
    e.push_back(
        fmt::format("safe_wal_size = {} (WAL it may still fall behind before "
                    "max_slot_wal_keep_size removes what it needs)",
                    FormatBytes(static_cast<double>(*slot.safe_wal_size_bytes))));
  }
  if (slot.inactive_seconds) {
    e.push_back("inactive since " + FormatDuration(*slot.inactive_seconds) + " ago");
  }
  if (slot.xmin_age || slot.catalog_xmin_age) {
    e.push_back(
        fmt::format("age(xmin) = {}, age(catalog_xmin) = {}",
                    slot.xmin_age ? std::to_string(*slot.xmin_age) : "null",
                    slot.catalog_xmin_age ? std::to_string(*slot.catalog_xmin_age) : "null"));
  }
  if (!slot.invalidation_reason.empty())
    e.push_back("invalidation_reason = " + slot.invalidation_reason);
  if (slot.conflicting.value_or(false)) e.push_back("conflicting = true");
  return e;
}

model::Recommendation Drop(const model::ReplicationSlot& slot, std::string why) {
  return model::Recommendation{
      fmt::format("SELECT pg_drop_replication_slot({});", QuoteStringLiteral(slot.slot_name)),
      std::move(why)};
}

constexpr std::string_view kCheckConsumer =
    "Check the consumer first: find the standby (primary_slot_name) or the subscription "
    "(pg_subscription.subslotname) that uses it. Dropping the slot frees its WAL at the next "
    "checkpoint, and that consumer then cannot resume: a standby must be re-cloned, a "
    "subscriber re-synchronised.";

}  // namespace

void ReplicationSlotsCheck::Evaluate(const CheckInput& input,
                                     std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const model::CollectorOutcome* o = s.FindOutcome("replication");
  if (o == nullptr || o->status != model::CollectorStatus::kOk) return;

  for (const model::ReplicationSlot& slot : s.replication_slots) {
    const std::string object = "slot " + slot.slot_name;
    const std::optional<double> retained =
        slot.retained_wal_bytes
            ? std::optional<double>(static_cast<double>(*slot.retained_wal_bytes))
            : std::nullopt;
    const bool lost = slot.wal_status == "lost";

    // replication.slot_inactive
    if (!slot.active && !slot.temporary) {
      const double value = retained.value_or(0);
      const auto verdict =
          input.thresholds.Classify("replication.slot_inactive", value, s.target, object);
      if (verdict.severity != model::Severity::kOk) {
        model::Finding f;
        f.id = "replication.slot_inactive";
        f.severity = verdict.severity;
        f.object = object;
        f.value = value;
        f.threshold = verdict.threshold;
        f.unit = "bytes";
        f.message = fmt::format(
            "{} is not in use{} and retains {} of WAL{}", Describe(slot),
            slot.inactive_seconds ? " (for " + FormatDuration(*slot.inactive_seconds) + ")" : "",
            FormatBytes(value), lost ? "; it has already lost WAL its consumer needs" : "");
        f.evidence = Evidence(slot);
        f.recommendation = Drop(slot, std::string(kCheckConsumer) +
                                          " An unused slot keeps WAL (and, with an xmin, dead "
                                          "rows) forever, until the disk is full.");
        out.push_back(std::move(f));
      }
    }

    // replication.slot_retained_wal
    Thresholds::Verdict verdict;
    if (retained) {
      verdict =
          input.thresholds.Classify("replication.slot_retained_wal", *retained, s.target, object);
    }
    model::Severity severity = verdict.severity;
    std::optional<double> threshold = verdict.threshold;
    std::string status_note;
    if (lost) {
      severity = model::Severity::kCritical;
      threshold.reset();
      status_note = "; wal_status lost: WAL it needs is gone, its consumer cannot resume";
    } else if (slot.wal_status == "unreserved" && severity < model::Severity::kWarning) {
      severity = model::Severity::kWarning;
      threshold.reset();
    }
    if (slot.wal_status == "unreserved") {
      status_note = "; wal_status unreserved: WAL it needs will be removed at the next checkpoint";
    }
    if (severity == model::Severity::kOk) continue;
    model::Finding f;
    f.id = "replication.slot_retained_wal";
    f.severity = severity;
    f.object = object;
    f.value = retained;
    f.threshold = threshold;
    f.unit = "bytes";
    f.message =
        fmt::format("{} retains {} of WAL{}", Describe(slot, slot.active ? "active" : "inactive"),
                    retained ? FormatBytes(*retained) : "an unknown amount", status_note);
    f.evidence = Evidence(slot);
    if (lost) {
      f.recommendation = Drop(slot,
                              "The slot is invalidated and of no use any more. Rebuild its "
                              "consumer (re-clone the standby, re-synchronise the "
                              "subscription) with a new slot, then drop this one.");
    } else if (!slot.active) {
      f.recommendation = Drop(slot, std::string(kCheckConsumer));
    } else {
      f.recommendation = model::Recommendation{
          "",
          "Its consumer is connected but confirms too slowly: check the standby's or "
          "subscriber's replay (replication.lag) and its errors. Setting max_slot_wal_keep_size "
          "caps what a slot may keep, so a stuck consumer cannot fill the disk."};
    }
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
