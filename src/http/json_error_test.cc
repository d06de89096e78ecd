// SPDX-License-Identifier: Apache-2.0
#include "http/json_error.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pgvigil::http {
namespace {

TEST(ErrorBody, CarriesCodeAndMessage) {
  const auto body = nlohmann::json::parse(ErrorBody(NotFound("no target \"x\"")));
  EXPECT_EQ(body["error"]["code"], "not_found");
  EXPECT_EQ(body["error"]["message"], "no target \"x\"");
}

TEST(ErrorBody, SurvivesInvalidUtf8FromTheClient) {
  const std::string body = ErrorBody(BadRequest(std::string("bad \xff value")));
  const auto parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(parsed.is_discarded());
  EXPECT_EQ(parsed["error"]["code"], "bad_request");
}

TEST(ApiErrors, HaveTheirHttpStatus) {
  EXPECT_EQ(BadRequest("").status, 400);
  EXPECT_EQ(Unauthorized("").status, 401);
  EXPECT_EQ(Forbidden("").status, 403);
  EXPECT_EQ(MethodNotAllowed("").status, 405);
  EXPECT_EQ(Unavailable("").status, 503);
}

}  // namespace
}  // namespace pgvigil::http
