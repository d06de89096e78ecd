// SPDX-License-Identifier: Apache-2.0
// The one wrapper around libcurl (STYLE.md §8): an HTTP POST and an SMTP send, each on its own
// easy handle with bounded timeouts, errors as Status values. Receiver URLs and passwords are
// secrets (a Slack webhook URL *is* its credential), so no message this file returns contains
// a URL's path, query or user info, nor any string listed in `secrets`. Thread-safe: each call
// uses its own handle (curl_global_init runs once, on first use).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/status.h"

namespace pgvigil::alerts {

struct CurlTimeouts {
  std::chrono::milliseconds connect{5000};
  std::chrono::milliseconds total{10000};
};

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;  // "Content-Type: application/json", …
  std::string body;
  std::vector<std::string> secrets;  // strings scrubbed from every error message
  CurlTimeouts timeouts;
};

struct HttpResponse {
  long status = 0;  // NOLINT(runtime/int): curl's type
  std::string body;
};

// POSTs the request. kUnavailable when the receiver cannot be reached or answers 5xx or 429,
// kInvalidArgument on another 4xx (a wrong URL or token: retrying will not help, but the
// delivery worker retries anyway until the item expires), kTimeout past the deadline.
common::Result<HttpResponse> HttpPost(const HttpRequest& request);

struct SmtpRequest {
  std::string url;                    // smtp://host:port or smtps://host:port
  bool require_starttls = false;      // CURLUSESSL_ALL on smtp://: fail unless STARTTLS succeeds
  bool insecure_skip_verify = false;  // tests only: accept any server certificate
  std::string username;               // empty: no AUTH
  std::string password;
  std::string from;
  std::vector<std::string> to;
  std::string message;  // the whole RFC 5322 message, CRLF line ends
  CurlTimeouts timeouts;
};

common::Status SmtpSend(const SmtpRequest& request);

// "https://hooks.slack.com/…": scheme and host[:port] only, for messages and logs.
std::string RedactUrl(const std::string& url);
// `text` with every non-empty string of `secrets` replaced by "[redacted]".
std::string Scrub(std::string text, const std::vector<std::string>& secrets);

}  // namespace pgvigil::alerts
