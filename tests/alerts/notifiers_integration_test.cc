// SPDX-License-Identifier: Apache-2.0
// Every notifier against a real receiver on loopback: tests/alerts/http_sink.py for the webhook
// and Slack (it checks the HMAC signature with Python's own hmac), python3-aiosmtpd for e-mail,
// Debian's prometheus-alertmanager verified through its own API; and the delivery worker
// retrying a receiver that starts late.
#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "alerts/delivery.h"
#include "alerts/notifiers/alertmanager_notifier.h"
#include "alerts/notifiers/email_notifier.h"
#include "alerts/notifiers/notification_json.h"
#include "alerts/notifiers/slack_notifier.h"
#include "alerts/notifiers/webhook_notifier.h"

namespace pgvigil::alerts {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

fs::path TempDir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("pgvigil-alerts-" + name + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// A child process, stopped (SIGTERM, then waited for) when this goes out of scope.
class Child {
 public:
  // Starts argv; when `ready_line` is set, waits until the child prints it on stdout.
  Child(std::vector<std::string> argv, bool wait_ready) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    if (wait_ready) {
      FILE* f = fdopen(out[0], "r");
      char line[256];
      ready_ = f != nullptr && fgets(line, sizeof line, f) != nullptr &&
               std::string(line).starts_with("ready");
      // The FILE stays open (and leaks) on purpose: closing it would SIGPIPE a chatty child.
    }
  }
  ~Child() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ready() const { return ready_; }

 private:
  pid_t pid_ = -1;
  bool ready_ = false;
};

std::unique_ptr<Child> StartHttpSink(int port, const fs::path& log, const std::string& secret) {
  return std::make_unique<Child>(
      std::vector<std::string>{
          PGVIGIL_SYSTEM_PYTHON, std::string(PGVIGIL_ALERTS_TEST_DIR) + "/http_sink.py", "--port",
          std::to_string(port), "--log", log.string(), "--hmac-secret", secret},
      true);
}

std::vector<nlohmann::json> ReadLog(const fs::path& log) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// A plain GET for reading Alertmanager's API; empty on failure.
std::string HttpGet(const std::string& url) {
  CURL* curl = curl_easy_init();
  std::string body;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 2000L);
  long status = 0;  // NOLINT(runtime/int)
  if (curl_easy_perform(curl) != CURLE_OK) body.clear();
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return status == 200 ? body : "";
}

model::Notification Blocking(common::Timestamp now) {
  model::Notification n;
  n.alert_id = 7;
  n.kind = model::NotificationKind::kFiring;
  n.dedup_key = model::MakeDedupKey(7, n.kind);
  n.severity = model::Severity::kCritical;
  n.target = "main";
  n.check_id = "locks.blocking";
  n.object = "pid 4242";
  n.value = 42.5;
  n.unit = "seconds";
  n.message = "pid 4242 has blocked 3 sessions for 42.5 s";
  n.recommendation = model::Recommendation{"SELECT pg_cancel_backend(4242);",
                                           "The blocker is idle in transaction."};
  n.link = "http://127.0.0.1:8080/#/alerts/7";
  n.starts_at = std::chrono::time_point_cast<std::chrono::microseconds>(now);
  n.labels = {{"region", "eu-west"}};
  return n;
}

common::Timestamp Now() { return common::SystemClock::Instance().Now(); }

TEST(WebhookNotifier, PostsSignedJsonThatTheReceiverVerifies) {
  const fs::path dir = TempDir("webhook");
  const int port = FreePort();
  auto sink = StartHttpSink(port, dir / "log.jsonl", "hmac-shared-secret");
  ASSERT_TRUE(sink->ready());
  WebhookOptions options;
  options.name = "hook";
  options.url = "http://127.0.0.1:" + std::to_string(port) + "/hooks/URL-TOKEN";
  options.hmac_secret = "hmac-shared-secret";
  WebhookNotifier notifier(options);
  ASSERT_TRUE(notifier.Send(Blocking(Now())).ok());

  const auto log = ReadLog(dir / "log.jsonl");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["path"], "/hooks/URL-TOKEN");
  EXPECT_EQ(log[0]["signature_ok"], true);
  EXPECT_EQ(log[0]["headers"]["X-Pgvigil-Dedup-Key"], "pgvigil-7-firing");
  const auto body = nlohmann::json::parse(log[0]["body"].get<std::string>());
  EXPECT_EQ(body["check_id"], "locks.blocking");
  EXPECT_EQ(body["severity"], "critical");
  EXPECT_EQ(body["recommendation"]["sql"], "SELECT pg_cancel_backend(4242);");
  EXPECT_THAT(log[0]["body"].get<std::string>(), Not(HasSubstr("hmac-shared-secret")));
}

TEST(WebhookNotifier, AWrongSecretFailsTheReceiversCheck) {
  const fs::path dir = TempDir("webhook-bad");
  const int port = FreePort();
  auto sink = StartHttpSink(port, dir / "log.jsonl", "the-receivers-secret");
  ASSERT_TRUE(sink->ready());
  WebhookOptions options;
  options.name = "hook";
  options.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  options.hmac_secret = "another-secret";
  ASSERT_TRUE(WebhookNotifier(options).Send(Blocking(Now())).ok());
  const auto log = ReadLog(dir / "log.jsonl");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["signature_ok"], false);
}

TEST(SlackNotifier, PostsBlocksWithTheRecommendationAndNoSecret) {
  const fs::path dir = TempDir("slack");
  const int port = FreePort();
  auto sink = StartHttpSink(port, dir / "log.jsonl", "");
  ASSERT_TRUE(sink->ready());
  SlackOptions options;
  options.name = "oncall";
  options.url = "http://127.0.0.1:" + std::to_string(port) + "/services/T000/B000/XXXXSECRET";
  ASSERT_TRUE(SlackNotifier(options).Send(Blocking(Now())).ok());
  const auto log = ReadLog(dir / "log.jsonl");
  ASSERT_EQ(log.size(), 1u);
  const std::string raw = log[0]["body"];
  const auto body = nlohmann::json::parse(raw);
  EXPECT_EQ(body["blocks"][0]["text"]["text"], "CRITICAL main: locks.blocking");
  EXPECT_THAT(raw, HasSubstr("SELECT pg_cancel_backend(4242);"));
  EXPECT_THAT(raw, HasSubstr("pid 4242"));
  EXPECT_THAT(raw, Not(HasSubstr("XXXXSECRET")));
}

TEST(SlackNotifier, AnErrorAnswerIsReportedWithoutTheWebhookUrl) {
  const fs::path dir = TempDir("slack-404");
  const int port = FreePort();
  auto sink = std::make_unique<Child>(
      std::vector<std::string>{
          PGVIGIL_SYSTEM_PYTHON, std::string(PGVIGIL_ALERTS_TEST_DIR) + "/http_sink.py", "--port",
          std::to_string(port), "--log", (dir / "log.jsonl").string(), "--status", "404"},
      true);
  ASSERT_TRUE(sink->ready());
  SlackOptions options;
  options.name = "oncall";
  options.url = "http://127.0.0.1:" + std::to_string(port) + "/services/T000/B000/XXXXSECRET";
  const common::Status status = SlackNotifier(options).Send(Blocking(Now()));
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("HTTP 404"));
  EXPECT_THAT(status.message(), Not(HasSubstr("XXXXSECRET")));
}

TEST(EmailNotifier, SendsAMultipartMessageWithAuthAndNoPassword) {
  const fs::path dir = TempDir("smtp");
  const int port = FreePort();
  Child sink({PGVIGIL_SYSTEM_PYTHON, std::string(PGVIGIL_ALERTS_TEST_DIR) + "/smtp_sink.py",
              "--port", std::to_string(port), "--dir", dir.string(), "--username", "pgvigil",
              "--password", "smtp-Pa55word"},
             true);
  ASSERT_TRUE(sink.ready());
  EmailOptions options;
  options.name = "ops-mail";
  options.url = "smtp://127.0.0.1:" + std::to_string(port);
  options.from = "pgvigil@example.org";
  options.to = {"oncall@example.org", "dba@example.org"};
  options.username = "pgvigil";
  options.password = "smtp-Pa55word";
  ASSERT_TRUE(EmailNotifier(options).Send(Blocking(Now())).ok());

  const std::string message = ReadFile(dir / "1.eml");
  const auto envelope = nlohmann::json::parse(ReadFile(dir / "1.json"));
  EXPECT_EQ(envelope["authenticated"], true);
  EXPECT_EQ(envelope["mail_from"], "pgvigil@example.org");
  EXPECT_EQ(envelope["rcpt_tos"].size(), 2u);
  EXPECT_THAT(message, HasSubstr("Subject: [pgvigil] CRITICAL main: locks.blocking pid 4242"));
  EXPECT_THAT(message, HasSubstr("Content-Type: multipart/alternative"));
  EXPECT_THAT(message, HasSubstr("Content-Type: text/plain"));
  EXPECT_THAT(message, HasSubstr("Content-Type: text/html"));
  EXPECT_THAT(message, HasSubstr("SELECT pg_cancel_backend(4242);"));
  EXPECT_THAT(message, HasSubstr("idle in transaction"));
  EXPECT_THAT(message, Not(HasSubstr("smtp-Pa55word")));
}

TEST(EmailNotifier, AWrongPasswordFailsWithoutShowingIt) {
  const fs::path dir = TempDir("smtp-denied");
  const int port = FreePort();
  Child sink({PGVIGIL_SYSTEM_PYTHON, std::string(PGVIGIL_ALERTS_TEST_DIR) + "/smtp_sink.py",
              "--port", std::to_string(port), "--dir", dir.string(), "--username", "pgvigil",
              "--password", "right-password"},
             true);
  ASSERT_TRUE(sink.ready());
  EmailOptions options;
  options.name = "ops-mail";
  options.url = "smtp://127.0.0.1:" + std::to_string(port);
  options.from = "pgvigil@example.org";
  options.to = {"oncall@example.org"};
  options.username = "pgvigil";
  options.password = "wrong-Pa55word";
  const common::Status status = EmailNotifier(options).Send(Blocking(Now()));
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr("email ops-mail"));
  EXPECT_THAT(status.message(), Not(HasSubstr("wrong-Pa55word")));
  EXPECT_FALSE(fs::exists(dir / "1.eml"));
}

TEST(AlertmanagerNotifier, AlertmanagerShowsTheAlertThenItsResolution) {
  const fs::path dir = TempDir("alertmanager");
  std::ofstream(dir / "alertmanager.yml") << "route: {receiver: blackhole}\n"
                                             "receivers: [{name: blackhole}]\n";
  const int port = FreePort();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  Child am({PGVIGIL_ALERTMANAGER, "--config.file=" + (dir / "alertmanager.yml").string(),
            "--storage.path=" + (dir / "data").string(),
            "--web.listen-address=127.0.0.1:" + std::to_string(port),
            "--cluster.listen-address=", "--log.level=warn"},
           false);
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    ready = !HttpGet(base + "/-/ready").empty();
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(ready) << "alertmanager did not become ready on " << base;

  AlertmanagerOptions options;
  options.name = "am";
  options.url = base + "/";
  AlertmanagerNotifier notifier(options);
  model::Notification firing = Blocking(Now() - std::chrono::seconds(30));
  ASSERT_TRUE(notifier.Send(firing).ok());
  auto alerts = nlohmann::json::parse(HttpGet(base + "/api/v2/alerts"));
  ASSERT_EQ(alerts.size(), 1u) << alerts.dump();
  EXPECT_EQ(alerts[0]["labels"]["alertname"], "locks.blocking");
  EXPECT_EQ(alerts[0]["labels"]["target"], "main");
  EXPECT_EQ(alerts[0]["labels"]["object"], "pid 4242");
  EXPECT_EQ(alerts[0]["labels"]["severity"], "critical");
  EXPECT_EQ(alerts[0]["labels"]["region"], "eu-west");
  EXPECT_EQ(alerts[0]["annotations"]["recommendation_sql"], "SELECT pg_cancel_backend(4242);");
  EXPECT_EQ(alerts[0]["status"]["state"], "active");
  EXPECT_EQ(alerts[0]["generatorURL"], "http://127.0.0.1:8080/#/alerts/7");

  model::Notification resolved = firing;
  resolved.kind = model::NotificationKind::kResolved;
  resolved.dedup_key = model::MakeDedupKey(7, resolved.kind);
  resolved.ends_at =
      std::chrono::time_point_cast<std::chrono::microseconds>(Now() - std::chrono::seconds(1));
  ASSERT_TRUE(notifier.Send(resolved).ok());
  // Alertmanager's API leaves out alerts whose endsAt has passed: resolved means gone.
  alerts = nlohmann::json::parse(HttpGet(base + "/api/v2/alerts"));
  EXPECT_TRUE(alerts.empty()) << alerts.dump();
}

// The outbox in memory; the store-backed one belongs to the daemon.
class MemoryQueue final : public OutboxQueue {
 public:
  common::Result<std::vector<OutboxItem>> Due(common::Timestamp now, int) override {
    std::vector<OutboxItem> due;
    if (!item.delivered_at && item.next_attempt_at <= now) due.push_back(item);
    return due;
  }
  common::Status MarkDelivered(std::int64_t, int attempts, common::Timestamp at) override {
    item.delivered_at = at;
    item.attempts = attempts;
    return common::Status::Ok();
  }
  common::Status MarkFailed(std::int64_t, int attempts, common::Timestamp next,
                            const std::string& error) override {
    item.attempts = attempts;
    item.next_attempt_at = next;
    item.last_error = error;
    return common::Status::Ok();
  }
  common::Status MarkExpired(std::int64_t, int, const std::string& error) override {
    item.last_error = "expired: " + error;
    return common::Status::Ok();
  }
  OutboxItem item;
};

TEST(DeliveryWorker, DeliversAfterTheReceiverComesBack) {
  const fs::path dir = TempDir("late");
  const int port = FreePort();
  RetryPolicy policy;
  policy.initial = std::chrono::milliseconds(200);
  policy.max = std::chrono::milliseconds(800);
  DeliveryWorker worker(common::SystemClock::Instance(), policy);
  WebhookOptions options;
  options.name = "hook";
  options.url = "http://127.0.0.1:" + std::to_string(port) + "/late";
  options.hmac_secret = "k";
  worker.AddNotifier(std::make_unique<WebhookNotifier>(options));
  MemoryQueue queue;
  const model::Notification n = Blocking(Now());
  queue.item = {.id = 1,
                .alert_id = 7,
                .channel = "hook",
                .dedup_key = n.dedup_key,
                .payload_json = NotificationToJson(n),
                .created_at = Now(),
                .next_attempt_at = Now(),
                .attempts = 0,
                .last_error = {},
                .delivered_at = std::nullopt,
                .expires_at = Now() + std::chrono::minutes(5)};

  // The receiver is down: the attempt fails and is rescheduled.
  ASSERT_EQ(*worker.RunOnce(queue), 1);
  EXPECT_EQ(queue.item.attempts, 1);
  EXPECT_FALSE(queue.item.delivered_at.has_value());
  EXPECT_THAT(queue.item.last_error, HasSubstr("http://127.0.0.1:"));
  EXPECT_THAT(queue.item.last_error, Not(HasSubstr("/late")));

  auto sink = StartHttpSink(port, dir / "log.jsonl", "k");
  ASSERT_TRUE(sink->ready());
  for (int i = 0; i < 100 && !queue.item.delivered_at.has_value(); ++i) {
    ASSERT_TRUE(worker.RunOnce(queue).has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(queue.item.delivered_at.has_value()) << queue.item.last_error;
  EXPECT_GE(queue.item.attempts, 2);
  const auto log = ReadLog(dir / "log.jsonl");
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["signature_ok"], true);
  EXPECT_EQ(worker.Counters().at("hook").delivered, 1);
  EXPECT_GE(worker.Counters().at("hook").failed, 1);
}

}  // namespace
}  // namespace pgvigil::alerts
