// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/index_invalid_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::IndexStats Invalid(std::string name, bool ready = true) {
  model::IndexStats i;
  i.datname = "app";
  i.indexrelid = 16500;
  i.schemaname = "public";
  i.relname = "orders";
  i.indexrelname = std::move(name);
  i.access_method = "btree";
  i.indisvalid = false;
  i.indisready = ready;
  i.estimated_size_bytes = 3 * 1024 * 1024;
  return i;
}

model::Snapshot Sample(std::vector<model::IndexStats> indexes,
                       std::vector<model::Backend> activity = {}) {
  model::Snapshot s;
  s.outcomes = {testing::OkOutcome("stat_user_indexes"), testing::OkOutcome("stat_activity")};
  s.indexes = std::move(indexes);
  s.activity = std::move(activity);
  return s;
}

model::Backend Running(int pid, std::string query) {
  model::Backend b;
  b.pid = pid;
  b.state = "active";
  b.backend_type = "client backend";
  b.query = std::move(query);
  return b;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(IndexInvalidCheck(), s, nullptr, t);
}

TEST(IndexInvalidCheck, WarnsAboutTheLeftoverOfAFailedConcurrentBuild) {
  const auto findings = Evaluate(Sample({Invalid("orders_email_idx")}));
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.id, "index.invalid");
  EXPECT_EQ(f.object, "app.public.orders_email_idx");
  EXPECT_EQ(f.severity, model::Severity::kWarning);
  EXPECT_EQ(*f.threshold, 0);
  EXPECT_NE(f.message.find("failed CREATE INDEX CONCURRENTLY or REINDEX CONCURRENTLY"),
            std::string::npos);
  EXPECT_NE(f.message.find("every write still maintains it"), std::string::npos);
  ASSERT_TRUE(f.recommendation.has_value());
  EXPECT_NE(f.recommendation->sql.find("pg_get_indexdef(16500)"), std::string::npos);
  EXPECT_NE(f.recommendation->sql.find("DROP INDEX CONCURRENTLY \"public\".\"orders_email_idx\";"),
            std::string::npos);
}

TEST(IndexInvalidCheck, SaysWhenWritesNoLongerMaintainIt) {
  const auto findings = Evaluate(Sample({Invalid("i", /*ready=*/false)}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_NE(findings[0].message.find("no longer maintain it"), std::string::npos);
}

TEST(IndexInvalidCheck, SaysAnInvalidUniqueIndexStillRejectsDuplicates) {
  model::IndexStats i = Invalid("orders_code_key");
  i.indisunique = true;
  const auto findings = Evaluate(Sample({i}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_NE(findings[0].evidence.back().find("rejects duplicate keys"), std::string::npos);
}

TEST(IndexInvalidCheck, FollowsTheDocumentedRecoveryForReindexLeftovers) {
  const auto findings =
      Evaluate(Sample({Invalid("orders_pkey_ccnew"), Invalid("orders_a_ccold1")}));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].recommendation->sql,
            "DROP INDEX CONCURRENTLY \"public\".\"orders_pkey_ccnew\";");
  EXPECT_NE(findings[0].recommendation->why.find("REINDEX CONCURRENTLY again"), std::string::npos);
  EXPECT_EQ(findings[1].recommendation->sql,
            "DROP INDEX CONCURRENTLY \"public\".\"orders_a_ccold1\";");
  EXPECT_NE(findings[1].recommendation->why.find("all that is left"), std::string::npos);
}

TEST(IndexInvalidCheck, ABuildInProgressIsOnlyInfo) {
  const auto findings =
      Evaluate(Sample({Invalid("orders_email_idx"), Invalid("orders_pkey_ccnew")},
                      {Running(77, "CREATE INDEX CONCURRENTLY orders_email_idx ON orders (email)"),
                       Running(78, "reindex index concurrently public.orders_pkey")}));
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].severity, model::Severity::kInfo);
  EXPECT_NE(findings[0].message.find("pid 77"), std::string::npos);
  EXPECT_FALSE(findings[0].recommendation.has_value());
  EXPECT_EQ(findings[1].severity, model::Severity::kInfo);
  EXPECT_NE(findings[1].message.find("pid 78"), std::string::npos);
}

TEST(IndexInvalidCheck, AnUnrelatedConcurrentBuildDoesNotHideIt) {
  const auto findings =
      Evaluate(Sample({Invalid("orders_email_idx")},
                      {Running(77, "CREATE INDEX CONCURRENTLY orders_email_idx2 ON orders (email)"),
                       Running(78, "REINDEX TABLE CONCURRENTLY orders_archive")}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
}

TEST(IndexInvalidCheck, IgnoresValidIndexesAndAMissingPart) {
  model::IndexStats valid = Invalid("ok");
  valid.indisvalid = true;
  EXPECT_TRUE(Evaluate(Sample({valid})).empty());
  model::Snapshot s = Sample({Invalid("i")});
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(IndexInvalidCheck, AnOverrideCanIgnoreSmallLeftoversOfOneSchema) {
  ThresholdOverride o;
  o.key = "index.invalid";
  o.object_pattern = "app.public.*";
  o.level.warning = 4.0 * 1024 * 1024;
  EXPECT_TRUE(Evaluate(Sample({Invalid("i")}), Thresholds({o})).empty());
}

TEST(IndexInvalidCheck, QuotesAHostileName) {
  model::IndexStats i = Invalid("we\"ird_ccold");
  const auto findings = Evaluate(Sample({i}));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql,
            "DROP INDEX CONCURRENTLY \"public\".\"we\"\"ird_ccold\";");
}

}  // namespace
}  // namespace pgvigil::analysis
