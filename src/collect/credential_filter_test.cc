// SPDX-License-Identifier: Apache-2.0
#include "collect/credential_filter.h"

#include <gtest/gtest.h>

namespace pgvigil::collect {
namespace {

TEST(CredentialFilter, WithholdsStatementsThatCarryCredentials) {
  for (const char* text : {"ALTER ROLE app PASSWORD 'x'", "create role a with encrypted PassWord 'y'",
                           "CREATE USER MAPPING FOR a SERVER s OPTIONS (user 'u', password 'p')",
                           "create user\n  mapping for a server s", "ALTER SERVER s OPTIONS(SET host 'h')",
                           "CREATE SUBSCRIPTION s CONNECTION 'host=h password=p' PUBLICATION p",
                           "COPY t FROM PROGRAM 'curl -u a:b http://x'", "select 'my secret'"}) {
    EXPECT_TRUE(MayHoldCredential(text)) << text;
    EXPECT_EQ(WithholdCredentials(text), kWithheldText) << text;
  }
}

TEST(CredentialFilter, KeepsOrdinaryStatements) {
  for (const char* text : {"select * from orders where id = $1", "update users set last_login = now()",
                           "select connections_used from stats", "select programme from tv",
                           "insert into user_mappings values ($1)"}) {
    EXPECT_FALSE(MayHoldCredential(text)) << text;
    EXPECT_EQ(WithholdCredentials(text), text);
  }
}

}  // namespace
}  // namespace pgvigil::collect
