// SPDX-License-Identifier: Apache-2.0
#include "http/auth.h"

#include <set>
#include <utility>

namespace pgvigil::http {
namespace {

// "Bearer <token>"; the scheme is case-insensitive (RFC 7235), surrounding spaces are ignored.
std::optional<std::string_view> BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer";
  if (header.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    char c = header[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return std::nullopt;
  }
  if (header[kScheme.size()] != ' ') return std::nullopt;
  std::string_view token = header.substr(kScheme.size() + 1);
  while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> ParseRole(std::string_view text) {
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    if (RoleName(r) == text) return r;
  }
  return std::nullopt;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Walk the client's bytes and compare each with the secret's byte at the same index modulo its
  // length, so the loop count and memory pattern never depend on the secret's length or content.
  unsigned diff = static_cast<unsigned>(a.size() ^ b.size());
  if (b.empty()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i % b.size()]);
  }
  return diff == 0;
}

Authenticator::Authenticator(AuthOptions options) : options_(std::move(options)) {}

common::Status Authenticator::Validate() const {
  std::set<std::string_view> names;
  std::set<std::string_view> secrets;
  for (const Token& token : options_.tokens) {
    if (token.name.empty()) return common::InvalidArgumentError("an API token has an empty name");
    if (token.secret.empty()) {
      return common::InvalidArgumentError("API token \"" + token.name + "\" has an empty secret");
    }
    if (!names.insert(token.name).second) {
      return common::InvalidArgumentError("API token name \"" + token.name + "\" is used twice");
    }
    if (!secrets.insert(token.secret).second) {
      return common::InvalidArgumentError("API token \"" + token.name +
                                          "\" has the same secret as another token");
    }
  }
  return common::Status::Ok();
}

bool Authenticator::IsPublic(std::string_view route_pattern) const {
  return (options_.public_healthz && route_pattern == "/healthz") ||
         (options_.public_metrics && route_pattern == "/metrics") ||
         (options_.public_dashboard &&
          (route_pattern == "/" || route_pattern == "/assets/{file...}"));
}

const Token* Authenticator::FindToken(std::string_view secret) const {
  // Compare with every token even after a match, so timing does not tell which one matched.
  const Token* found = nullptr;
  for (const Token& token : options_.tokens) {
    if (ConstantTimeEquals(secret, token.secret)) found = &token;
  }
  return found;
}

AuthDecision Authenticator::Authorize(std::string_view authorization,
                                      std::string_view route_pattern, Role required) const {
  AuthDecision decision;
  if (!has_tokens()) {
    // Without tokens the server listens on loopback only (Server::Start) and is read-only.
    if (required > Role::kViewer) {
      decision.error =
          Forbidden("this route needs the " + std::string(RoleName(required)) +
                    " role; configure API tokens to allow it (no tokens are configured)");
    }
    return decision;
  }
  const std::optional<std::string_view> secret = BearerToken(authorization);
  const Token* token = secret ? FindToken(*secret) : nullptr;
  if (token == nullptr) {
    // A public route answers anyone, even a client with a stale token.
    if (IsPublic(route_pattern)) return decision;
    decision.error = Unauthorized(secret ? "unknown bearer token"
                                         : "missing \"Authorization: Bearer <token>\" header");
    return decision;
  }
  decision.principal = {token->name, token->role};
  if (token->role < required && !IsPublic(route_pattern)) {
    decision.error =
        Forbidden("token \"" + token->name + "\" has role " + std::string(RoleName(token->role)) +
                  "; this route needs " + std::string(RoleName(required)));
  }
  return decision;
}

}  // namespace pgvigil::http
