// SPDX-License-Identifier: Apache-2.0
// Status is pgvigil's one error value: a code and a message. For a monitor, failure is normal
// input (a server that is down, a missing extension, a role without privileges), so failures
// are values that travel into snapshots, metrics and findings, not exceptions. Thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <utility>

namespace pgvigil::common {

enum class StatusCode {
  kOk,
  kInvalidArgument,   // the caller or the user gave something malformed
  kNotFound,          // a named thing does not exist
  kUnavailable,       // the server cannot be reached or the connection was lost
  kPermissionDenied,  // the role lacks a privilege (SQLSTATE 42501, 28P01, …)
  kUnsupported,       // the server version or an extension does not provide this
  kTimeout,           // a deadline passed (statement_timeout, lock_timeout, client deadline)
  kInternal,          // pgvigil's own expectation about a result did not hold
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string sqlstate = {})
      : code_(code), message_(std::move(message)), sqlstate_(std::move(sqlstate)) {}

  static Status Ok() { return {}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // The five-character SQLSTATE when the error came from PostgreSQL, else empty.
  const std::string& sqlstate() const { return sqlstate_; }

  // "unavailable: connection refused" (with " [SQLSTATE 57014]" when there is one).
  std::string ToString() const;

  // Returns a copy whose message is prefixed with `context`: "collect tables: …".
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string sqlstate_;
};

inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status PermissionDeniedError(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status UnsupportedError(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status TimeoutError(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

}  // namespace pgvigil::common

#define PGV_RETURN_IF_ERROR(expr)                       \
  do {                                                  \
    ::pgvigil::common::Status pgv_status_ = (expr);     \
    if (!pgv_status_.ok()) return pgv_status_;          \
  } while (false)
