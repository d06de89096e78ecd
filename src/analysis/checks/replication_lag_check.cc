// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/replication_lag_check.h"

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

constexpr std::string_view kId = "replication.lag";

struct Judged {
  Thresholds::Verdict verdict;
  double value = 0;
  std::string_view unit;
};

// The worse of the byte and the time verdicts (bytes on a tie).
std::optional<Judged> Worse(const CheckInput& input, const std::string& object,
                            std::optional<double> bytes, std::optional<double> seconds) {
  std::optional<Judged> best;
  if (bytes) {
    const auto v = input.thresholds.Classify(kId, *bytes, input.current.target, object);
    if (v.severity != model::Severity::kOk) best = Judged{v, *bytes, "bytes"};
  }
  if (seconds) {
    const auto v = input.thresholds.Classify("replication.lag.seconds", *seconds,
                                             input.current.target, object);
    if (v.severity != model::Severity::kOk && (!best || v.severity > best->verdict.severity)) {
      best = Judged{v, *seconds, "seconds"};
    }
  }
  return best;
}

std::string Opt(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : "null"; }

}  // namespace

void ReplicationLagCheck::Evaluate(const CheckInput& input,
                                   std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const model::CollectorOutcome* o = s.FindOutcome("replication");
  if (o == nullptr || o->status != model::CollectorStatus::kOk) return;

  // Primary side: one finding per walsender.
  for (const model::ReplicationConnection& r : s.replication) {
    if (r.state == "backup") continue;  // pg_basebackup streams WAL but replays nothing
    const std::string object = fmt::format("pid {}", r.pid);
    const std::optional<double> bytes =
        r.replay_lag_bytes ? std::optional<double>(static_cast<double>(*r.replay_lag_bytes))
                           : std::nullopt;
    const auto judged = Worse(input, object, bytes, r.replay_lag_seconds);
    if (!judged) continue;
    model::Finding f;
    f.id = std::string(kId);
    f.severity = judged->verdict.severity;
    f.object = object;
    f.value = judged->value;
    f.threshold = judged->verdict.threshold;
    f.unit = std::string(judged->unit);
    std::string behind;
    if (r.replay_lag_bytes) behind = FormatBytes(static_cast<double>(*r.replay_lag_bytes));
    if (r.replay_lag_seconds) {
      behind += (behind.empty() ? "" : " and ") + FormatDuration(*r.replay_lag_seconds);
    }
    f.message =
        fmt::format("standby {} ({}{}, {}, {}) is {} behind in replay",
                    r.application_name.empty() ? "(no application_name)" : r.application_name,
                    r.client_addr.empty() ? "local" : r.client_addr,
                    r.usename.empty() ? "" : " as " + r.usename, r.state, r.sync_state, behind);
    f.evidence.push_back(
        fmt::format("pg_stat_replication pid {}: sent lag {} bytes, write lag {}, "
                    "flush lag {}, replay lag {} bytes",
                    r.pid, Opt(r.sent_lag_bytes), Opt(r.write_lag_bytes), Opt(r.flush_lag_bytes),
                    Opt(r.replay_lag_bytes)));
    if (r.write_lag_seconds || r.flush_lag_seconds || r.replay_lag_seconds) {
      f.evidence.push_back(
          fmt::format("write_lag {}, flush_lag {}, replay_lag {}",
                      r.write_lag_seconds ? FormatDuration(*r.write_lag_seconds) : "null",
                      r.flush_lag_seconds ? FormatDuration(*r.flush_lag_seconds) : "null",
                      r.replay_lag_seconds ? FormatDuration(*r.replay_lag_seconds) : "null"));
    }
    // Where the WAL is stuck tells where to look.
    const bool sending =
        r.sent_lag_bytes && r.replay_lag_bytes && *r.sent_lag_bytes * 2 > *r.replay_lag_bytes;
    f.recommendation = model::Recommendation{
        "", sending ? "Most of the lag is WAL not yet sent: the network or the walsender is the "
                      "bottleneck (bandwidth, a slow link to another region)."
                    : "The standby receives WAL but replays it late: its disk is slower than the "
                      "primary's, or replay waits for conflicting queries on it "
                      "(max_standby_streaming_delay). Reads from it are stale and a failover to it "
                      "takes longer."};
    if (r.sync_state == "sync" || r.sync_state == "quorum") {
      f.recommendation->why +=
          " It is a synchronous standby: commits on the primary may wait for it.";
    }
    out.push_back(std::move(f));
  }

  // Standby side: this server's own replay.
  if (s.wal_receiver) {
    const model::WalReceiver& w = *s.wal_receiver;
    const std::string object = "server";
    const std::optional<double> bytes =
        w.replay_lag_bytes ? std::optional<double>(static_cast<double>(*w.replay_lag_bytes))
                           : std::nullopt;
    // The replay delay only means lag while received WAL waits for replay.
    const std::optional<double> delay =
        w.replay_lag_bytes && *w.replay_lag_bytes > 0 ? w.replay_delay_seconds : std::nullopt;
    if (const auto judged = Worse(input, object, bytes, delay)) {
      model::Finding f;
      f.id = std::string(kId);
      f.severity = judged->verdict.severity;
      f.object = object;
      f.value = judged->value;
      f.threshold = judged->verdict.threshold;
      f.unit = std::string(judged->unit);
      f.message = fmt::format(
          "this standby has {} of received WAL waiting for replay{} (streaming from {})",
          FormatBytes(bytes.value_or(0)),
          delay ? "; the last replayed transaction is " + FormatDuration(*delay) + " old" : "",
          w.sender_host.empty() ? "an unknown host" : w.sender_host);
      f.evidence.push_back(
          fmt::format("receive − replay = {} bytes, now() − "
                      "pg_last_xact_replay_timestamp() = {}",
                      Opt(w.replay_lag_bytes),
                      w.replay_delay_seconds ? FormatDuration(*w.replay_delay_seconds) : "null"));
      f.evidence.push_back("wal receiver status " + w.status);
      f.recommendation = model::Recommendation{
          "",
          "Replay is slower than the primary's writes, or waits for queries on this standby that "
          "conflict with it (max_standby_streaming_delay); check the standby's disk and its long "
          "queries."};
      out.push_back(std::move(f));
    }
  }
}

}  // namespace pgvigil::analysis
