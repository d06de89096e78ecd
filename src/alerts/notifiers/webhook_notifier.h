// SPDX-License-Identifier: Apache-2.0
// A generic webhook: POSTs the Notification as JSON (notification_json.h) to a URL. With a
// secret, the body is signed: `X-Pgvigil-Signature: sha256=<hex HMAC-SHA256 of the body>`, so
// the receiver can check that pgvigil sent it. `X-Pgvigil-Dedup-Key` repeats the dedup key for
// receivers that drop duplicates without parsing the body.
#pragma once

#include <string>

#include "alerts/notifiers/curl_client.h"
#include "alerts/notifiers/notifier.h"

namespace pgvigil::alerts {

struct WebhookOptions {
  std::string name;
  std::string url;          // a secret: may carry a token
  std::string hmac_secret;  // empty: unsigned
  CurlTimeouts timeouts;
};

class WebhookNotifier final : public Notifier {
 public:
  explicit WebhookNotifier(WebhookOptions options) : options_(std::move(options)) {}
  const std::string& name() const override { return options_.name; }
  std::string_view kind() const override { return "webhook"; }
  common::Status Send(const model::Notification& notification) override;

 private:
  WebhookOptions options_;
};

}  // namespace pgvigil::alerts
