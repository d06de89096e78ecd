// SPDX-License-Identifier: Apache-2.0
#include "pg/dsn.h"

#include <gtest/gtest.h>

namespace pgvigil::pg {
namespace {

TEST(RedactDsn, HidesThePasswordInUriUserinfo) {
  EXPECT_EQ(RedactDsn("postgresql://alice:s3cret@db.example:5432/app"),
            "postgresql://alice:***@db.example:5432/app");
  EXPECT_EQ(RedactDsn("postgres://alice:s3cret@db/app?sslmode=require"),
            "postgres://alice:***@db/app?sslmode=require");
}

TEST(RedactDsn, HidesAPasswordThatContainsAnAtSign) {
  EXPECT_EQ(RedactDsn("postgresql://alice:p@ss@db/app"), "postgresql://alice:***@db/app");
}

TEST(RedactDsn, KeepsAUriWithoutPasswordAsItIs) {
  EXPECT_EQ(RedactDsn("postgresql://alice@db/app"), "postgresql://alice@db/app");
  EXPECT_EQ(RedactDsn("postgresql:///app?host=/tmp"), "postgresql:///app?host=/tmp");
}

TEST(RedactDsn, HidesThePasswordInUriQueryParameters) {
  EXPECT_EQ(RedactDsn("postgresql://db/app?user=bob&password=s3cret&sslmode=require"),
            "postgresql://db/app?user=bob&password=***&sslmode=require");
  EXPECT_EQ(RedactDsn("postgresql://db/app?PASSWORD=s3cret"), "postgresql://db/app?PASSWORD=***");
}

TEST(RedactDsn, HidesPlainAndQuotedKeyValuePasswords) {
  EXPECT_EQ(RedactDsn("host=db user=bob password=s3cret dbname=app"),
            "host=db user=bob password=*** dbname=app");
  EXPECT_EQ(RedactDsn("host=db password = 'with space\\'s' dbname=app"),
            "host=db password=*** dbname=app");
  EXPECT_EQ(RedactDsn("password=last"), "password=***");
}

TEST(RedactDsn, DoesNotTouchWordsThatOnlyContainPassword) {
  EXPECT_EQ(RedactDsn("host=db passwordfile=x"), "host=db passwordfile=x");
  EXPECT_EQ(RedactDsn("user=mypassword"), "user=mypassword");
}

TEST(RedactDsn, RedactsUrisInsideLongerText) {
  EXPECT_EQ(RedactDsn("cannot connect to \"postgresql://u:pw@h/db\": refused"),
            "cannot connect to \"postgresql://u:***@h/db\": refused");
}

TEST(RedactSecrets, ReplacesEveryOccurrence) {
  EXPECT_EQ(RedactSecrets("a s3 b s3", {"s3", ""}), "a *** b ***");
}

TEST(ParseDsn, AcceptsUriAndKeyValue) {
  auto uri = ParseDsn("postgresql://alice:pw@db:6432/app?sslmode=disable");
  ASSERT_TRUE(uri.has_value());
  EXPECT_EQ(uri->at("user"), "alice");
  EXPECT_EQ(uri->at("port"), "6432");
  EXPECT_EQ(uri->at("dbname"), "app");
  auto kv = ParseDsn("host=db port=5433 dbname=x");
  ASSERT_TRUE(kv.has_value());
  EXPECT_EQ(kv->at("host"), "db");
  EXPECT_FALSE(kv->contains("user"));
}

TEST(ParseDsn, RejectsMalformedTextWithoutEchoingThePassword) {
  auto bad = ParseDsn("host=db password='s3cret");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message().find("s3cret"), std::string::npos);
  auto unknown = ParseDsn("hots=db");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message().find("hots"), std::string::npos);
}

TEST(DescribeDsn, NamesUserHostPortAndDatabaseOnly) {
  EXPECT_EQ(DescribeDsn("postgresql://alice:pw@db:6432/app"), "alice@db:6432/app");
  EXPECT_EQ(DescribeDsn("dbname=app"), "localhost/app");
  EXPECT_EQ(DescribeDsn("password='broken"), "(invalid connection string)");
}

TEST(HostNameToResolve, NamesOnlyASingleHostName) {
  auto host = [](std::string_view dsn, const char* env_host = nullptr,
                 const char* env_hostaddr = nullptr) {
    auto kv = ParseDsn(dsn);
    return kv.has_value() ? HostNameToResolve(*kv, env_host, env_hostaddr) : "(invalid)";
  };
  EXPECT_EQ(host("host=db.example port=5432"), "db.example");
  EXPECT_EQ(host("postgresql://u:pw@localhost:5432/app"), "localhost");
  EXPECT_EQ(host("host=127.0.0.1"), "");
  EXPECT_EQ(host("postgresql://[::1]:5432/app"), "");
  EXPECT_EQ(host("host=/var/run/postgresql"), "");
  EXPECT_EQ(host("host=db hostaddr=10.0.0.1"), "");
  EXPECT_EQ(host("host=a,b"), "");
  EXPECT_EQ(host("dbname=app"), "");
  EXPECT_EQ(host("dbname=app", "envhost"), "envhost");
  EXPECT_EQ(host("dbname=app", "envhost", "10.0.0.2"), "");
  EXPECT_EQ(host("host=db", "/tmp"), "db");  // the DSN wins over $PGHOST
}

TEST(DsnForDatabase, ReplacesTheDatabaseAndKeepsEverythingElse) {
  auto dsn = DsnForDatabase("host=db port=5433 dbname=app user=mon password='p w'", "reports");
  ASSERT_TRUE(dsn.has_value()) << dsn.error().message();
  EXPECT_NE(dsn->find("dbname='reports'"), std::string::npos);
  EXPECT_NE(dsn->find("password='p w'"), std::string::npos);
  EXPECT_NE(dsn->find("port='5433'"), std::string::npos);
  auto uri = DsnForDatabase("postgresql://mon@db:5433/app?sslmode=disable", "it's");
  ASSERT_TRUE(uri.has_value());
  EXPECT_NE(uri->find(R"(dbname='it\'s')"), std::string::npos);
  EXPECT_NE(uri->find("sslmode='disable'"), std::string::npos);
  EXPECT_FALSE(DsnForDatabase("host='unterminated", "x").has_value());
}

}  // namespace
}  // namespace pgvigil::pg
