// SPDX-License-Identifier: Apache-2.0
// E-mail over SMTP through libcurl: smtp:// (optionally upgraded with STARTTLS, which
// `require_starttls` makes mandatory) or smtps://, AUTH when a username is set. The message is
// multipart/alternative with a text/plain and a text/html part; the subject reads
// "[pgvigil] CRITICAL main: locks.blocking pid 4242". The password is never in a message.
#pragma once

#include <string>
#include <vector>

#include "alerts/notifiers/curl_client.h"
#include "alerts/notifiers/notifier.h"

namespace pgvigil::alerts {

struct EmailOptions {
  std::string name;
  std::string url;  // smtp://mail.example.com:587 or smtps://mail.example.com:465
  std::string from;
  std::vector<std::string> to;
  std::string username;  // empty: no AUTH
  std::string password;  // a secret
  bool require_starttls = false;
  bool insecure_skip_verify = false;  // tests only
  CurlTimeouts timeouts;
};

// The whole RFC 5322 message (CRLF line ends). `now` is the Date header; the Message-ID is
// derived from the dedup key, so a retried send carries the same one.
std::string BuildEmail(const model::Notification& notification, const EmailOptions& options,
                       common::Timestamp now);
// "[pgvigil] CRITICAL main: locks.blocking pid 4242".
std::string EmailSubject(const model::Notification& notification);

class EmailNotifier final : public Notifier {
 public:
  explicit EmailNotifier(EmailOptions options,
                         const common::Clock& clock = common::SystemClock::Instance())
      : options_(std::move(options)), clock_(clock) {}
  const std::string& name() const override { return options_.name; }
  std::string_view kind() const override { return "email"; }
  common::Status Send(const model::Notification& notification) override;

 private:
  EmailOptions options_;
  const common::Clock& clock_;
};

}  // namespace pgvigil::alerts
