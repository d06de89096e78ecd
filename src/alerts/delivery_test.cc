// SPDX-License-Identifier: Apache-2.0
#include "alerts/delivery.h"

#include <deque>
#include <map>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "alerts/notifiers/notification_json.h"

namespace pgvigil::alerts {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

class ManualClock final : public common::Clock {
 public:
  common::Timestamp Now() const override { return now_; }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(now_.time_since_epoch());
  }
  void Advance(std::chrono::microseconds d) { now_ += d; }

 private:
  common::Timestamp now_{std::chrono::seconds(1'790'000'000)};
};

// A channel whose receiver is down for the first `failures` sends.
class FlakyNotifier final : public Notifier {
 public:
  FlakyNotifier(std::string name, int failures) : name_(std::move(name)), failures_(failures) {}
  const std::string& name() const override { return name_; }
  std::string_view kind() const override { return "webhook"; }
  common::Status Send(const model::Notification& n) override {
    ++sends;
    if (failures_-- > 0) return common::UnavailableError("connection refused");
    received.push_back(n.dedup_key);
    return common::Status::Ok();
  }
  int sends = 0;
  std::vector<std::string> received;

 private:
  std::string name_;
  int failures_;
};

class MemoryQueue final : public OutboxQueue {
 public:
  common::Result<std::vector<OutboxItem>> Due(common::Timestamp now, int limit) override {
    std::vector<OutboxItem> due;
    for (auto& [id, item] : items) {
      if (!item.delivered_at && !expired.count(id) && item.next_attempt_at <= now &&
          static_cast<int>(due.size()) < limit) {
        due.push_back(item);
      }
    }
    return due;
  }
  common::Status MarkDelivered(std::int64_t id, int attempts, common::Timestamp at) override {
    items[id].delivered_at = at;
    items[id].attempts = attempts;
    return common::Status::Ok();
  }
  common::Status MarkFailed(std::int64_t id, int attempts, common::Timestamp next,
                            const std::string& error) override {
    items[id].attempts = attempts;
    items[id].next_attempt_at = next;
    items[id].last_error = error;
    return common::Status::Ok();
  }
  common::Status MarkExpired(std::int64_t id, int attempts, const std::string& error) override {
    items[id].attempts = attempts;
    items[id].last_error = error;
    expired.insert(id);
    return common::Status::Ok();
  }
  std::map<std::int64_t, OutboxItem> items;
  std::set<std::int64_t> expired;
};

OutboxItem Item(std::int64_t id, const std::string& channel, common::Timestamp now,
                std::chrono::minutes ttl = std::chrono::minutes(60)) {
  model::Notification n = MakeTestNotification(now);
  n.alert_id = id;
  n.dedup_key = model::MakeDedupKey(id, model::NotificationKind::kFiring);
  OutboxItem item;
  item.id = id;
  item.alert_id = id;
  item.channel = channel;
  item.dedup_key = n.dedup_key;
  item.payload_json = NotificationToJson(n);
  item.created_at = now;
  item.next_attempt_at = now;
  item.expires_at = now + ttl;
  return item;
}

TEST(RetryDelay, DoublesFromFiveSecondsUpToTenMinutes) {
  const RetryPolicy policy;  // 5 s, 10 min, ±20 %
  EXPECT_EQ(RetryDelay(policy, 1, 0.5), seconds(5));
  EXPECT_EQ(RetryDelay(policy, 2, 0.5), seconds(10));
  EXPECT_EQ(RetryDelay(policy, 3, 0.5), seconds(20));
  EXPECT_EQ(RetryDelay(policy, 8, 0.5), seconds(600));  // 5·2^7 = 640 s, capped
  EXPECT_EQ(RetryDelay(policy, 1000, 0.5), seconds(600));
}

TEST(RetryDelay, JittersWithinTheConfiguredFraction) {
  const RetryPolicy policy;
  EXPECT_EQ(RetryDelay(policy, 1, 0.0), milliseconds(4000));
  EXPECT_EQ(RetryDelay(policy, 1, 1.0), milliseconds(6000));
  EXPECT_EQ(RetryDelay(policy, 2, 0.75), milliseconds(11000));
}

TEST(DeliveryWorker, RetriesWithBackoffUntilTheReceiverComesBack) {
  ManualClock clock;
  DeliveryWorker worker(clock, RetryPolicy{}, [] { return 0.5; });
  auto notifier = std::make_unique<FlakyNotifier>("hook", 3);
  FlakyNotifier* hook = notifier.get();
  worker.AddNotifier(std::move(notifier));
  MemoryQueue queue;
  queue.items[1] = Item(1, "hook", clock.Now());

  ASSERT_EQ(*worker.RunOnce(queue), 1);  // fails: next in 5 s
  EXPECT_EQ(queue.items[1].attempts, 1);
  EXPECT_EQ(queue.items[1].next_attempt_at, clock.Now() + seconds(5));
  EXPECT_THAT(queue.items[1].last_error, HasSubstr("connection refused"));

  clock.Advance(seconds(4));
  ASSERT_EQ(*worker.RunOnce(queue), 0);  // not due yet
  clock.Advance(seconds(1));
  ASSERT_EQ(*worker.RunOnce(queue), 1);  // fails: next in 10 s
  EXPECT_EQ(queue.items[1].next_attempt_at, clock.Now() + seconds(10));
  clock.Advance(seconds(10));
  ASSERT_EQ(*worker.RunOnce(queue), 1);  // fails: next in 20 s
  clock.Advance(seconds(20));
  ASSERT_EQ(*worker.RunOnce(queue), 1);  // the receiver is back
  EXPECT_EQ(queue.items[1].delivered_at, clock.Now());
  EXPECT_EQ(queue.items[1].attempts, 4);
  EXPECT_EQ(hook->received, std::vector<std::string>{"pgvigil-1-firing"});
  clock.Advance(minutes(30));
  ASSERT_EQ(*worker.RunOnce(queue), 0);  // delivered rows are not sent again
  EXPECT_EQ(hook->sends, 4);

  const auto counters = worker.Counters().at("hook");
  EXPECT_EQ(counters.delivered, 1);
  EXPECT_EQ(counters.failed, 3);
  EXPECT_EQ(counters.expired, 0);
}

TEST(DeliveryWorker, GivesUpWhenTheNextAttemptWouldBePastExpiry) {
  ManualClock clock;
  DeliveryWorker worker(clock, RetryPolicy{}, [] { return 0.5; });
  worker.AddNotifier(std::make_unique<FlakyNotifier>("hook", 1000));
  MemoryQueue queue;
  queue.items[1] = Item(1, "hook", clock.Now(), minutes(1));
  int passes = 0;
  while (queue.expired.empty() && passes < 100) {
    ASSERT_TRUE(worker.RunOnce(queue).has_value());
    clock.Advance(seconds(1));
    ++passes;
  }
  ASSERT_EQ(queue.expired.size(), 1u);
  // 5 + 10 + 20 = 35 s after the first try the fourth fails; 40 s more is past the minute.
  EXPECT_EQ(queue.items[1].attempts, 4);
  EXPECT_EQ(worker.Counters().at("hook").expired, 1);
  EXPECT_EQ(worker.Counters().at("hook").failed, 4);
}

TEST(DeliveryWorker, AnUnknownChannelIsRetriedAndNamed) {
  ManualClock clock;
  DeliveryWorker worker(clock, RetryPolicy{}, [] { return 0.5; });
  MemoryQueue queue;
  queue.items[7] = Item(7, "removed", clock.Now());
  ASSERT_EQ(*worker.RunOnce(queue), 1);
  EXPECT_TRUE(queue.expired.empty());
  EXPECT_THAT(queue.items[7].last_error, HasSubstr("no channel named 'removed'"));
}

TEST(DeliveryWorker, AnUnreadablePayloadExpiresAtOnce) {
  ManualClock clock;
  DeliveryWorker worker(clock, RetryPolicy{}, [] { return 0.5; });
  worker.AddNotifier(std::make_unique<FlakyNotifier>("hook", 0));
  MemoryQueue queue;
  queue.items[1] = Item(1, "hook", clock.Now());
  queue.items[1].payload_json = "{not json";
  ASSERT_EQ(*worker.RunOnce(queue), 1);
  EXPECT_EQ(queue.expired.count(1), 1u);
  EXPECT_THAT(queue.items[1].last_error, HasSubstr("outbox payload"));
}

TEST(DeliveryWorker, OneFailingChannelDoesNotHoldBackAnother) {
  ManualClock clock;
  DeliveryWorker worker(clock, RetryPolicy{}, [] { return 0.5; });
  worker.AddNotifier(std::make_unique<FlakyNotifier>("down", 1000));
  auto up = std::make_unique<FlakyNotifier>("up", 0);
  FlakyNotifier* up_ptr = up.get();
  worker.AddNotifier(std::move(up));
  MemoryQueue queue;
  queue.items[1] = Item(1, "down", clock.Now());
  queue.items[2] = Item(2, "up", clock.Now());
  ASSERT_EQ(*worker.RunOnce(queue), 2);
  EXPECT_EQ(up_ptr->received.size(), 1u);
  EXPECT_FALSE(queue.items[1].delivered_at.has_value());
}

TEST(SendTestNotification, SendsAKindTestNotification) {
  FlakyNotifier notifier("hook", 0);
  ManualClock clock;
  ASSERT_TRUE(SendTestNotification(notifier, clock.Now()).ok());
  ASSERT_EQ(notifier.received.size(), 1u);
  EXPECT_THAT(notifier.received[0], HasSubstr("pgvigil-test-"));
}

}  // namespace
}  // namespace pgvigil::alerts
