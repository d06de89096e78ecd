// SPDX-License-Identifier: Apache-2.0
// The delivery worker's logic: take the outbox rows that are due, send each through its
// channel's Notifier, and record the outcome: delivered, or failed with the next attempt after a
// capped, jittered exponential backoff (5 s, 10 s, 20 s, … up to 10 min), or expired once the
// next attempt would fall after the row's expires_at. Delivery is at least once: a row is marked
// delivered only after the receiver accepted it, so a crash in between re-sends it, with the
// same dedup key. Every failure is logged (subsystem=alerts, never a secret) and counted.
//
// The store is reached through OutboxQueue (the daemon adapts store::AlertStore to it), the
// time through common::Clock and the jitter through a function, so all of it is unit-tested
// without network or wall clock. Not thread-safe except Counters(): one worker thread runs it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "alerts/notifiers/notifier.h"
#include "common/clock.h"
#include "common/result.h"
#include "common/status.h"

namespace pgvigil::alerts {

// One row of the store's outbox table.
struct OutboxItem {
  std::int64_t id = 0;
  std::int64_t alert_id = 0;
  std::string channel;  // a configured channel's name
  std::string dedup_key;
  std::string payload_json;  // notification_json.h
  common::Timestamp created_at{};
  common::Timestamp next_attempt_at{};
  int attempts = 0;  // failed and successful attempts so far
  std::string last_error;
  std::optional<common::Timestamp> delivered_at;
  common::Timestamp expires_at{};
};

// The worker's view of the outbox; store-backed in the daemon, in memory in tests.
class OutboxQueue {
 public:
  virtual ~OutboxQueue() = default;
  // Undelivered, unexpired rows with next_attempt_at <= now, oldest first, at most `limit`.
  virtual common::Result<std::vector<OutboxItem>> Due(common::Timestamp now, int limit) = 0;
  virtual common::Status MarkDelivered(std::int64_t id, int attempts, common::Timestamp at) = 0;
  virtual common::Status MarkFailed(std::int64_t id, int attempts,
                                    common::Timestamp next_attempt_at,
                                    const std::string& error) = 0;
  // Gives up on the row: it is not due again.
  virtual common::Status MarkExpired(std::int64_t id, int attempts, const std::string& error) = 0;
};

struct RetryPolicy {
  std::chrono::milliseconds initial{5000};
  std::chrono::milliseconds max{600000};
  double jitter = 0.2;  // each delay is scaled by a factor in [1 - jitter, 1 + jitter]
};

// The wait after the `failures`-th failed attempt (1-based): initial · 2^(failures-1), capped
// at max, then jittered by `random01` in [0, 1) (0.5 leaves it unchanged).
std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int failures, double random01);

struct DeliveryOutcome {
  enum class State { kDelivered, kRetry, kExpired };
  State state = State::kRetry;
  int attempts = 0;                     // including this one
  common::Timestamp next_attempt_at{};  // kRetry
  std::string error;                    // kRetry, kExpired
};

// Per channel, for /metrics: pgvigil_alert_notifications_total{channel,result}.
struct ChannelCounters {
  std::int64_t delivered = 0;
  std::int64_t failed = 0;   // failed attempts (each retry counts)
  std::int64_t expired = 0;  // rows given up
};

class DeliveryWorker {
 public:
  // `random01` returns values in [0, 1) for the jitter; nullptr uses a seeded std::mt19937.
  DeliveryWorker(const common::Clock& clock, RetryPolicy policy,
                 std::function<double()> random01 = nullptr);

  // Channels by name; a second notifier with the same name replaces the first.
  void AddNotifier(std::unique_ptr<Notifier> notifier);
  Notifier* FindNotifier(const std::string& channel) const;

  // Sends one row and decides what becomes of it (the caller records the outcome).
  DeliveryOutcome Deliver(const OutboxItem& item);

  // One pass: the due rows, each delivered and its outcome recorded. Returns how many rows
  // were attempted, or the queue's error.
  common::Result<int> RunOnce(OutboxQueue& queue, int limit = 100);

  std::map<std::string, ChannelCounters> Counters() const;

 private:
  const common::Clock& clock_;
  RetryPolicy policy_;
  std::function<double()> random01_;
  std::map<std::string, std::unique_ptr<Notifier>> notifiers_;
  mutable std::mutex mu_;
  std::map<std::string, ChannelCounters> counters_;  // guarded by mu_
};

// A test notification (kind kTest) for `pgvigil alerts test CHANNEL`.
model::Notification MakeTestNotification(common::Timestamp now, const std::string& link = "");
// Sends it straight through the notifier (no outbox); the Status says what went wrong.
common::Status SendTestNotification(Notifier& notifier, common::Timestamp now,
                                    const std::string& link = "");

}  // namespace pgvigil::alerts
