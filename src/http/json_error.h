// SPDX-License-Identifier: Apache-2.0
// The one shape of every error the API returns: {"error": {"code": "...", "message": "..."}},
// with the HTTP status that goes with it. Messages are written for the caller and never carry a
// secret (token, DSN password). Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace pgvigil::http {

struct ApiError {
  int status = 500;  // HTTP status: 400, 401, 403, 404, 405, 413, 429, 503, …
  std::string code;  // stable, machine-readable: "bad_request", "unauthorized", "not_found", …
  std::string message;
};

ApiError BadRequest(std::string message);
ApiError Unauthorized(std::string message);
ApiError Forbidden(std::string message);
ApiError NotFound(std::string message);
ApiError MethodNotAllowed(std::string message);
ApiError Unavailable(std::string message);

// {"error":{"code":…,"message":…}}
std::string ErrorBody(const ApiError& error);

}  // namespace pgvigil::http
