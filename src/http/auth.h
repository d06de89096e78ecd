// SPDX-License-Identifier: Apache-2.0
// Bearer-token authentication and role checks for the HTTP API. An Authenticator holds the
// configured tokens (name, secret, role) and decides, for one request to one route, who the caller
// is or which error to answer. Secrets are compared in constant time and are never logged, echoed
// or put in an error message. Immutable after construction, so thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "http/json_error.h"

namespace pgvigil::http {

// Ordered: a route that needs kOperator admits kOperator and kAdmin.
enum class Role { kViewer = 0, kOperator = 1, kAdmin = 2 };

std::string_view RoleName(Role role);  // "viewer" | "operator" | "admin"
// Parses "viewer", "operator", "admin"; nullopt on anything else.
std::optional<Role> ParseRole(std::string_view text);

struct Token {
  std::string name;    // shown in logs and in Request::principal; never the secret
  std::string secret;  // what the client sends as "Authorization: Bearer <secret>"
  Role role = Role::kViewer;
};

struct AuthOptions {
  std::vector<Token> tokens;    // none: loopback only, reads as viewer, no mutations
  bool public_healthz = false;  // GET /healthz without a token
  bool public_metrics = false;  // GET /metrics without a token
  // GET / and GET /assets/… (the dashboard's page and files, which hold no data) without a token:
  // a browser cannot send one when it loads a page. The data routes keep their roles.
  bool public_dashboard = true;
};

// Who made a request. `name` is the token's name, or "anonymous" when none was needed.
struct Principal {
  std::string name = "anonymous";
  Role role = Role::kViewer;
};

inline constexpr std::string_view kAnonymous = "anonymous";

// The outcome of Authorize: a principal, or the error to answer (401 or 403). A 401 must be sent
// with "WWW-Authenticate: Bearer".
struct AuthDecision {
  Principal principal;
  std::optional<ApiError> error;
};

class Authenticator {
 public:
  explicit Authenticator(AuthOptions options);

  // Names and secrets non-empty, names and secrets unique. The message names the token, never
  // its secret.
  common::Status Validate() const;
  bool has_tokens() const { return !options_.tokens.empty(); }

  // `authorization` is the raw Authorization header (empty when absent), `route_pattern` the
  // matched route ("/healthz"), `required` the route's minimum role.
  AuthDecision Authorize(std::string_view authorization, std::string_view route_pattern,
                         Role required) const;

 private:
  bool IsPublic(std::string_view route_pattern) const;
  // The token whose secret equals `secret`, compared against every token in constant time.
  const Token* FindToken(std::string_view secret) const;

  AuthOptions options_;
};

// True when a == b. Takes time that depends on the length of `a` (what the client sent) only:
// no early exit on the first differing byte, and the length of `b` (the secret) does not leak.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace pgvigil::http
