// SPDX-License-Identifier: Apache-2.0
#include "alerts/delivery.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "alerts/notifiers/notification_json.h"
#include "common/log.h"

namespace pgvigil::alerts {

std::chrono::milliseconds RetryDelay(const RetryPolicy& policy, int failures, double random01) {
  const double initial = static_cast<double>(policy.initial.count());
  const double max = static_cast<double>(policy.max.count());
  // 2^(failures-1) overflows nothing: the exponent is clamped long before double would.
  const int exponent = std::clamp(failures - 1, 0, 60);
  const double base = std::min(max, initial * std::ldexp(1.0, exponent));
  const double factor = 1.0 + policy.jitter * (2.0 * std::clamp(random01, 0.0, 1.0) - 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(base * factor)));
}

DeliveryWorker::DeliveryWorker(const common::Clock& clock, RetryPolicy policy,
                               std::function<double()> random01)
    : clock_(clock), policy_(policy), random01_(std::move(random01)) {
  if (!random01_) {
    auto engine = std::make_shared<std::mt19937>(std::random_device{}());
    random01_ = [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
  }
}

void DeliveryWorker::AddNotifier(std::unique_ptr<Notifier> notifier) {
  const std::string name = notifier->name();
  notifiers_[name] = std::move(notifier);
}

Notifier* DeliveryWorker::FindNotifier(const std::string& channel) const {
  auto it = notifiers_.find(channel);
  return it == notifiers_.end() ? nullptr : it->second.get();
}

DeliveryOutcome DeliveryWorker::Deliver(const OutboxItem& item) {
  DeliveryOutcome outcome;
  outcome.attempts = item.attempts + 1;
  common::Status status;
  bool retryable = true;
  common::Result<model::Notification> notification = NotificationFromJson(item.payload_json);
  if (!notification.has_value()) {
    // A row we cannot read will not become readable: give up at once.
    status = notification.error().WithContext("outbox payload");
    retryable = false;
  } else if (Notifier* notifier = FindNotifier(item.channel); notifier == nullptr) {
    // Perhaps removed from the config; a reload may bring it back before the row expires.
    status = common::NotFoundError("no channel named '" + item.channel + "'");
  } else {
    status = notifier->Send(*notification);
  }
  const common::Timestamp now = clock_.Now();
  std::lock_guard lock(mu_);
  ChannelCounters& counters = counters_[item.channel];
  if (status.ok()) {
    outcome.state = DeliveryOutcome::State::kDelivered;
    ++counters.delivered;
    common::Log(common::LogLevel::kInfo, "alerts", "delivered {} to channel {} (attempt {})",
                item.dedup_key, item.channel, outcome.attempts);
    return outcome;
  }
  ++counters.failed;
  outcome.error = status.ToString();
  const auto delay = RetryDelay(policy_, outcome.attempts, random01_());
  outcome.next_attempt_at = now + std::chrono::duration_cast<std::chrono::microseconds>(delay);
  if (!retryable || outcome.next_attempt_at > item.expires_at) {
    outcome.state = DeliveryOutcome::State::kExpired;
    ++counters.expired;
    common::Log(common::LogLevel::kError, "alerts",
                "gave up delivering {} to channel {} after {} attempts: {}", item.dedup_key,
                item.channel, outcome.attempts, outcome.error);
    return outcome;
  }
  outcome.state = DeliveryOutcome::State::kRetry;
  common::Log(common::LogLevel::kWarn, "alerts",
              "delivery of {} to channel {} failed (attempt {}): {}; next attempt at {}",
              item.dedup_key, item.channel, outcome.attempts, outcome.error,
              common::FormatTimestamp(outcome.next_attempt_at));
  return outcome;
}

common::Result<int> DeliveryWorker::RunOnce(OutboxQueue& queue, int limit) {
  PGV_ASSIGN_OR_RETURN(std::vector<OutboxItem> due, queue.Due(clock_.Now(), limit));
  for (const OutboxItem& item : due) {
    const DeliveryOutcome outcome = Deliver(item);
    common::Status recorded;
    switch (outcome.state) {
      case DeliveryOutcome::State::kDelivered:
        recorded = queue.MarkDelivered(item.id, outcome.attempts, clock_.Now());
        break;
      case DeliveryOutcome::State::kRetry:
        recorded =
            queue.MarkFailed(item.id, outcome.attempts, outcome.next_attempt_at, outcome.error);
        break;
      case DeliveryOutcome::State::kExpired:
        recorded = queue.MarkExpired(item.id, outcome.attempts, outcome.error);
        break;
    }
    // Not recorded: the row stays due and is sent again (at least once; the dedup key lets
    // the receiver drop the copy).
    if (!recorded.ok()) return recorded.WithContext("outbox");
  }
  return static_cast<int>(due.size());
}

std::map<std::string, ChannelCounters> DeliveryWorker::Counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

model::Notification MakeTestNotification(common::Timestamp now, const std::string& link) {
  model::Notification n;
  n.dedup_key = "pgvigil-test-" + common::FormatTimestamp(now);
  n.kind = model::NotificationKind::kTest;
  n.severity = model::Severity::kWarning;
  n.target = "pgvigil";
  n.check_id = "pgvigil.test";
  n.object = "test notification";
  n.message = "A test notification from pgvigil: this channel is configured correctly.";
  n.recommendation = model::Recommendation{"", "Nothing to do: this is only a test."};
  n.link = link;
  n.starts_at = now;
  return n;
}

common::Status SendTestNotification(Notifier& notifier, common::Timestamp now,
                                    const std::string& link) {
  return notifier.Send(MakeTestNotification(now, link));
}

}  // namespace pgvigil::alerts
