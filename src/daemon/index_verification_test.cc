// SPDX-License-Identifier: Apache-2.0
#include "daemon/index_verification.h"

#include <gtest/gtest.h>

namespace pgvigil::daemon {
namespace {

model::Finding SeqScanFinding(std::string object) {
  model::Finding f;
  f.id = "table.seq_scan_heavy";
  f.object = std::move(object);
  f.message = "100 % of the scans of orders are sequential";
  return f;
}

model::IndexCandidate Candidate(std::string object) {
  model::IndexCandidate c;
  c.object = std::move(object);
  c.datname = "app";
  c.schemaname = "public";
  c.relname = "orders";
  c.columns = {"customer_id", "created_at"};
  c.queryid = 42;
  return c;
}

TEST(AmendSeqScanFindings, AVerifiedCandidateGetsItsCostsAndTheCreateIndex) {
  std::vector<model::Finding> findings = {SeqScanFinding("app.public.orders")};
  const std::vector<model::IndexCandidate> candidates = {Candidate("app.public.orders")};
  model::IndexVerification v;
  v.object = "app.public.orders";
  v.cost_before = 2553.2;
  v.cost_after = 8.44;
  v.uses_index = true;
  v.index_name = "<1>btree_orders_customer_id_created_at";
  AmendSeqScanFindings(findings, candidates, std::vector{v});
  const model::Finding& f = findings[0];
  EXPECT_EQ(f.evidence.back(),
            "hypopg: the planner uses a hypothetical index on orders (customer_id, created_at) "
            "for queryid 42: estimated cost 2553.20 → 8.44 (generic plan, before → after)");
  EXPECT_NE(f.message.find("; hypopg-verified candidate index (customer_id, created_at): "
                           "estimated cost 2553.20 → 8.44 for queryid 42"),
            std::string::npos)
      << f.message;
  ASSERT_TRUE(f.recommendation.has_value());
  EXPECT_EQ(
      f.recommendation->sql,
      "CREATE INDEX CONCURRENTLY ON \"public\".\"orders\" (\"customer_id\", \"created_at\");");
}

TEST(AmendSeqScanFindings, ACandidateThePlannerWouldNotUseIsFlaggedWithoutSql) {
  std::vector<model::Finding> findings = {SeqScanFinding("app.public.orders")};
  const std::vector<model::IndexCandidate> candidates = {Candidate("app.public.orders")};
  model::IndexVerification v;
  v.object = "app.public.orders";
  v.cost_before = 100;
  v.cost_after = 100;
  AmendSeqScanFindings(findings, candidates, std::vector{v});
  EXPECT_NE(findings[0].message.find("not verified: the planner would not use it"),
            std::string::npos);
  EXPECT_FALSE(findings[0].recommendation.has_value());
}

TEST(AmendSeqScanFindings, SaysWhyACandidateWasNotTriedAndLeavesOthersAlone) {
  std::vector<model::Finding> findings = {SeqScanFinding("app.public.orders"),
                                          SeqScanFinding("app.public.other")};
  const std::vector<model::IndexCandidate> candidates = {Candidate("app.public.orders")};
  model::IndexVerification v;
  v.object = "app.public.orders";
  v.skipped = "hypopg is not installed in database app (CREATE EXTENSION hypopg)";
  AmendSeqScanFindings(findings, candidates, std::vector{v});
  EXPECT_EQ(findings[0].evidence.back(),
            "hypopg: candidate index on orders (customer_id, created_at) not verified: hypopg is "
            "not installed in database app (CREATE EXTENSION hypopg)");
  EXPECT_TRUE(findings[1].evidence.empty());
  std::vector<model::Finding> again = {SeqScanFinding("app.public.orders")};
  AmendSeqScanFindings(again, candidates, {}, "not connected");
  EXPECT_EQ(again[0].evidence.back(), "--verify-indexes: not connected");
}

}  // namespace
}  // namespace pgvigil::daemon
