// SPDX-License-Identifier: Apache-2.0
#include "http/json_error.h"

#include <nlohmann/json.hpp>

namespace pgvigil::http {

ApiError BadRequest(std::string message) { return {400, "bad_request", std::move(message)}; }
ApiError Unauthorized(std::string message) { return {401, "unauthorized", std::move(message)}; }
ApiError Forbidden(std::string message) { return {403, "forbidden", std::move(message)}; }
ApiError NotFound(std::string message) { return {404, "not_found", std::move(message)}; }
ApiError MethodNotAllowed(std::string message) {
  return {405, "method_not_allowed", std::move(message)};
}
ApiError Unavailable(std::string message) { return {503, "unavailable", std::move(message)}; }

std::string ErrorBody(const ApiError& error) {
  nlohmann::json body = {{"error", {{"code", error.code}, {"message", error.message}}}};
  // Replace invalid UTF-8 rather than throw: a message may quote what the client sent.
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pgvigil::http
