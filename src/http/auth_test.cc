// SPDX-License-Identifier: Apache-2.0
#include "http/auth.h"

#include <gtest/gtest.h>

namespace pgvigil::http {
namespace {

AuthOptions ThreeTokens() {
  AuthOptions options;
  options.tokens = {{"grafana", "viewer-secret-0123456789", Role::kViewer},
                    {"oncall", "operator-secret-0123456789", Role::kOperator},
                    {"root", "admin-secret-0123456789", Role::kAdmin}};
  return options;
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secre", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secretsecret", "secret"));  // wraps around: still unequal
  EXPECT_FALSE(ConstantTimeEquals("", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("x", ""));
}

TEST(Authenticator, MissingTokenIsUnauthorized) {
  const Authenticator auth(ThreeTokens());
  const AuthDecision d = auth.Authorize("", "/api/v1/targets", Role::kViewer);
  ASSERT_TRUE(d.error.has_value());
  EXPECT_EQ(d.error->status, 401);
}

TEST(Authenticator, UnknownTokenIsUnauthorizedAndNotEchoed) {
  const Authenticator auth(ThreeTokens());
  const AuthDecision d = auth.Authorize("Bearer guessed-secret", "/api/v1/targets", Role::kViewer);
  ASSERT_TRUE(d.error.has_value());
  EXPECT_EQ(d.error->status, 401);
  EXPECT_EQ(d.error->message.find("guessed"), std::string::npos);
}

TEST(Authenticator, AcceptsAnyCaseOfTheSchemeAndNamesThePrincipal) {
  const Authenticator auth(ThreeTokens());
  const AuthDecision d =
      auth.Authorize("bearer  operator-secret-0123456789 ", "/api/v1/alerts/{id}", Role::kOperator);
  EXPECT_FALSE(d.error.has_value());
  EXPECT_EQ(d.principal.name, "oncall");
  EXPECT_EQ(d.principal.role, Role::kOperator);
}

TEST(Authenticator, RoleBelowTheRoutesIsForbidden) {
  const Authenticator auth(ThreeTokens());
  const AuthDecision d =
      auth.Authorize("Bearer viewer-secret-0123456789", "/api/v1/maintenance", Role::kOperator);
  ASSERT_TRUE(d.error.has_value());
  EXPECT_EQ(d.error->status, 403);
  EXPECT_EQ(d.error->message.find("viewer-secret"), std::string::npos);
  EXPECT_FALSE(
      auth.Authorize("Bearer admin-secret-0123456789", "/api/v1/maintenance", Role::kOperator)
          .error.has_value());
}

TEST(Authenticator, PublicRoutesOnlyWhenConfigured) {
  AuthOptions options = ThreeTokens();
  EXPECT_TRUE(Authenticator(options).Authorize("", "/healthz", Role::kViewer).error.has_value());
  options.public_healthz = true;
  const Authenticator auth(options);
  EXPECT_FALSE(auth.Authorize("", "/healthz", Role::kViewer).error.has_value());
  EXPECT_FALSE(auth.Authorize("Bearer stale", "/healthz", Role::kViewer).error.has_value());
  EXPECT_TRUE(auth.Authorize("", "/metrics", Role::kViewer).error.has_value());
}

TEST(Authenticator, WithoutTokensReadsAreAllowedAndMutationsForbidden) {
  const Authenticator auth(AuthOptions{});
  const AuthDecision read = auth.Authorize("", "/api/v1/targets", Role::kViewer);
  EXPECT_FALSE(read.error.has_value());
  EXPECT_EQ(read.principal.name, "anonymous");
  const AuthDecision write = auth.Authorize("Bearer x", "/api/v1/maintenance", Role::kOperator);
  ASSERT_TRUE(write.error.has_value());
  EXPECT_EQ(write.error->status, 403);
  EXPECT_NE(write.error->message.find("tokens"), std::string::npos);
}

TEST(Authenticator, ValidateRejectsEmptyAndDuplicateTokensWithoutNamingTheSecret) {
  AuthOptions options = ThreeTokens();
  EXPECT_TRUE(Authenticator(options).Validate().ok());
  options.tokens.push_back({"copy", "admin-secret-0123456789", Role::kViewer});
  const common::Status status = Authenticator(options).Validate();
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.message().find("admin-secret"), std::string::npos);
  EXPECT_FALSE(Authenticator(AuthOptions{{{"x", "", Role::kViewer}}}).Validate().ok());
  EXPECT_FALSE(Authenticator(AuthOptions{{{"", "s", Role::kViewer}}}).Validate().ok());
}

TEST(Roles, ParseAndNameRoundTrip) {
  for (Role r : {Role::kViewer, Role::kOperator, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_FALSE(ParseRole("root").has_value());
  EXPECT_LT(Role::kViewer, Role::kOperator);
  EXPECT_LT(Role::kOperator, Role::kAdmin);
}

TEST(Authenticator, DashboardPageIsPublicButItsDataIsNot) {
  const Authenticator auth(ThreeTokens());
  EXPECT_FALSE(auth.Authorize("", "/", Role::kViewer).error.has_value());
  EXPECT_FALSE(auth.Authorize("", "/assets/{file...}", Role::kViewer).error.has_value());
  ASSERT_TRUE(auth.Authorize("", "/api/v1/whoami", Role::kViewer).error.has_value());
  AuthOptions closed = ThreeTokens();
  closed.public_dashboard = false;
  const AuthDecision d = Authenticator(closed).Authorize("", "/", Role::kViewer);
  ASSERT_TRUE(d.error.has_value());
  EXPECT_EQ(d.error->status, 401);
}

}  // namespace
}  // namespace pgvigil::http
