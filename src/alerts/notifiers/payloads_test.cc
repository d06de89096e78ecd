// SPDX-License-Identifier: Apache-2.0
// What each channel sends, built without a network: JSON round trip, Slack blocks,
// Alertmanager alerts, the e-mail message; and the redaction of secrets from messages.
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alerts/notifiers/alertmanager_notifier.h"
#include "alerts/notifiers/curl_client.h"
#include "alerts/notifiers/email_notifier.h"
#include "alerts/notifiers/notification_json.h"
#include "alerts/notifiers/slack_notifier.h"
#include "alerts/notifiers/webhook_notifier.h"

namespace pgvigil::alerts {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

common::Timestamp At(int seconds) {
  return common::Timestamp(std::chrono::seconds(1'790'000'000 + seconds));
}

model::Notification Blocking() {
  model::Notification n;
  n.alert_id = 42;
  n.kind = model::NotificationKind::kFiring;
  n.dedup_key = model::MakeDedupKey(42, n.kind);
  n.severity = model::Severity::kCritical;
  n.target = "main";
  n.check_id = "locks.blocking";
  n.object = "pid 4242";
  n.value = 42.5;
  n.unit = "seconds";
  n.message = "pid 4242 has blocked 3 sessions for 42.5 s";
  n.recommendation = model::Recommendation{"SELECT pg_cancel_backend(4242);",
                                           "The blocker is idle in transaction."};
  n.link = "http://pgvigil.example:8080/#/alerts/42";
  n.starts_at = At(0) + std::chrono::microseconds(123456);
  n.labels = {{"region", "eu-west"}};
  return n;
}

TEST(MakeDedupKey, IsStablePerAlertAndKind) {
  EXPECT_EQ(model::MakeDedupKey(42, model::NotificationKind::kFiring), "pgvigil-42-firing");
  EXPECT_EQ(model::MakeDedupKey(42, model::NotificationKind::kRenotify, 3),
            "pgvigil-42-renotify-3");
}

TEST(NotificationJson, RoundTripsEveryField) {
  model::Notification n = Blocking();
  n.kind = model::NotificationKind::kResolved;
  n.ends_at = At(90);
  auto back = NotificationFromJson(NotificationToJson(n));
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->dedup_key, n.dedup_key);
  EXPECT_EQ(back->alert_id, 42);
  EXPECT_EQ(back->kind, model::NotificationKind::kResolved);
  EXPECT_EQ(back->severity, model::Severity::kCritical);
  EXPECT_EQ(back->object, "pid 4242");
  EXPECT_EQ(back->value, 42.5);
  EXPECT_EQ(back->recommendation->sql, "SELECT pg_cancel_backend(4242);");
  EXPECT_EQ(back->starts_at, n.starts_at);
  EXPECT_EQ(back->ends_at, n.ends_at);
  EXPECT_EQ(back->labels.at("region"), "eu-west");
}

TEST(NotificationJson, RejectsAnUnknownKind) {
  std::string json = NotificationToJson(Blocking());
  json.replace(json.find("\"firing\""), 8, "\"exploded\"");
  EXPECT_FALSE(NotificationFromJson(json).has_value());
  EXPECT_FALSE(NotificationFromJson("{").has_value());
}

TEST(SlackPayload, CarriesSeverityTargetObjectValueRecommendationAndLink) {
  const std::string body = SlackPayload(Blocking());
  const auto j = nlohmann::json::parse(body);
  EXPECT_EQ(j["blocks"][0]["type"], "header");
  EXPECT_EQ(j["blocks"][0]["text"]["text"], "CRITICAL main: locks.blocking");
  EXPECT_THAT(body, HasSubstr("pid 4242"));
  EXPECT_THAT(body, HasSubstr("42.5 seconds"));
  EXPECT_THAT(body, HasSubstr("SELECT pg_cancel_backend(4242);"));
  EXPECT_THAT(body, HasSubstr("idle in transaction"));
  EXPECT_THAT(body, HasSubstr("<http://pgvigil.example:8080/#/alerts/42|"));
  EXPECT_THAT(j["text"].get<std::string>(), HasSubstr("CRITICAL main: locks.blocking"));
}

TEST(SlackPayload, SaysResolved) {
  model::Notification n = Blocking();
  n.kind = model::NotificationKind::kResolved;
  const auto j = nlohmann::json::parse(SlackPayload(n));
  EXPECT_EQ(j["blocks"][0]["text"]["text"], "RESOLVED main: locks.blocking");
  EXPECT_THAT(j.dump(), HasSubstr("*Resolved*"));
}

TEST(SlackPayload, EscapesMrkdwnControlCharacters) {
  model::Notification n = Blocking();
  n.message = "a <b> & c";
  EXPECT_THAT(SlackPayload(n), HasSubstr("a &lt;b&gt; &amp; c"));
}

TEST(AlertmanagerPayload, HasLabelsAnnotationsAndNoEndsAtWhileFiring) {
  const auto j = nlohmann::json::parse(AlertmanagerPayload({Blocking()}, At(10)));
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  const auto& a = j[0];
  EXPECT_EQ(a["labels"]["alertname"], "locks.blocking");
  EXPECT_EQ(a["labels"]["target"], "main");
  EXPECT_EQ(a["labels"]["object"], "pid 4242");
  EXPECT_EQ(a["labels"]["severity"], "critical");
  EXPECT_EQ(a["labels"]["region"], "eu-west");
  EXPECT_EQ(a["annotations"]["recommendation_sql"], "SELECT pg_cancel_backend(4242);");
  EXPECT_EQ(a["startsAt"], "2026-09-21T14:13:20.123456Z");
  EXPECT_FALSE(a.contains("endsAt"));
  EXPECT_EQ(a["generatorURL"], "http://pgvigil.example:8080/#/alerts/42");
}

TEST(AlertmanagerPayload, SetsEndsAtOnResolve) {
  model::Notification n = Blocking();
  n.kind = model::NotificationKind::kResolved;
  const auto j = nlohmann::json::parse(AlertmanagerPayload({n}, At(10)));
  EXPECT_EQ(j[0]["endsAt"], "2026-09-21T14:13:30.000000Z");
  // The labels identify the alert in Alertmanager: they must not change with the kind.
  const auto firing = nlohmann::json::parse(AlertmanagerPayload({Blocking()}, At(10)));
  EXPECT_EQ(j[0]["labels"], firing[0]["labels"]);
}

TEST(BuildEmail, IsMultipartAlternativeWithBothPartsAndHeaders) {
  EmailOptions options;
  options.from = "pgvigil@example.org";
  options.to = {"a@example.org", "b@example.org"};
  options.username = "u";
  options.password = "hunter2-secret";
  const std::string m = BuildEmail(Blocking(), options, At(0));
  EXPECT_THAT(m, HasSubstr("Subject: [pgvigil] CRITICAL main: locks.blocking pid 4242\r\n"));
  EXPECT_THAT(m, HasSubstr("Date: Mon, 21 Sep 2026 14:13:20 +0000\r\n"));
  EXPECT_THAT(m, HasSubstr("Message-ID: <pgvigil-42-firing@pgvigil>\r\n"));
  EXPECT_THAT(m, HasSubstr("To: a@example.org, b@example.org\r\n"));
  EXPECT_THAT(m, HasSubstr("Content-Type: multipart/alternative;"));
  EXPECT_THAT(m, HasSubstr("Content-Type: text/plain; charset=utf-8"));
  EXPECT_THAT(m, HasSubstr("Content-Type: text/html; charset=utf-8"));
  EXPECT_THAT(m, HasSubstr("SELECT pg_cancel_backend(4242);"));
  EXPECT_THAT(m, Not(HasSubstr("hunter2-secret")));
}

TEST(EmailSubject, KeepsHeadersOnOneLine) {
  model::Notification n = Blocking();
  n.object = "evil\r\nBcc: victim@example.org";
  EXPECT_THAT(EmailSubject(n), Not(HasSubstr("\n")));
  n.kind = model::NotificationKind::kResolved;
  EXPECT_THAT(EmailSubject(n), HasSubstr("[pgvigil] RESOLVED main: locks.blocking"));
}

TEST(RedactUrl, KeepsSchemeAndHostOnly) {
  EXPECT_EQ(RedactUrl("https://hooks.slack.com/services/T0/B0/XXXX"), "https://hooks.slack.com/…");
  EXPECT_EQ(RedactUrl("https://user:pw@example.org:8443?token=abc"), "https://example.org:8443/…");
  EXPECT_EQ(RedactUrl("http://127.0.0.1:9093"), "http://127.0.0.1:9093");
  EXPECT_EQ(RedactUrl("not a url with secret"), "[redacted url]");
}

TEST(Scrub, ReplacesEverySecretOccurrence) {
  EXPECT_EQ(Scrub("a s3cr3t b s3cr3t", {"s3cr3t", ""}), "a [redacted] b [redacted]");
}

TEST(WebhookNotifier, ReportsAnUnreachableReceiverWithoutItsUrl) {
  // Port 9 (discard) on loopback: nothing listens in the test environment, so the connect is
  // refused at once.
  WebhookOptions options;
  options.name = "hook";
  options.url = "http://127.0.0.1:9/hooks/T0KEN-SECRET?sig=abc";
  options.hmac_secret = "hmac-key";
  WebhookNotifier notifier(options);
  const common::Status status = notifier.Send(Blocking());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), common::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("webhook hook"));
  EXPECT_THAT(status.message(), HasSubstr("http://127.0.0.1:9/…"));
  EXPECT_THAT(status.message(), Not(HasSubstr("T0KEN-SECRET")));
  EXPECT_THAT(status.message(), Not(HasSubstr("hmac-key")));
}

}  // namespace
}  // namespace pgvigil::alerts
