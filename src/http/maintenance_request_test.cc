// SPDX-License-Identifier: Apache-2.0
#include "http/maintenance_request.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace pgvigil::http {
namespace {

using model::OperationKind;
using ::testing::HasSubstr;

std::string ErrorOf(const common::Result<model::MaintenanceRequest>& r) {
  EXPECT_FALSE(r.has_value());
  if (r.has_value()) return "";
  EXPECT_EQ(r.error().code(), common::StatusCode::kInvalidArgument);
  return r.error().message();
}

TEST(ParseMaintenanceBody, ReadsEveryFieldOfTheContract) {
  auto r = ParseMaintenanceBody(R"({"target":"demo","database":"app","operation":"vacuum",
      "schema":"public","table":"orders","options":{"full":false,"freeze":true,"analyze":true,
      "verbose":true,"index_cleanup":"off"},"dry_run":true,"force":true,"reason":"incident 42"})");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->target, "demo");
  EXPECT_EQ(r->database, "app");
  EXPECT_EQ(r->kind, OperationKind::kVacuum);
  EXPECT_EQ(r->schema, "public");
  EXPECT_EQ(r->object, "orders");
  EXPECT_TRUE(r->options.freeze);
  EXPECT_TRUE(r->options.analyze);
  EXPECT_TRUE(r->options.verbose);
  EXPECT_EQ(r->options.index_cleanup, model::IndexCleanup::kOff);
  EXPECT_TRUE(r->dry_run);
  EXPECT_TRUE(r->force);
  EXPECT_EQ(r->reason, "incident 42");
  EXPECT_FALSE(IsBlocking(*r));

  auto reindex = ParseMaintenanceBody(
      R"({"target":"demo","operation":"reindex_index","index":"orders_pkey",
          "options":{"concurrently":false}})");
  ASSERT_TRUE(reindex.has_value());
  EXPECT_EQ(reindex->object, "orders_pkey");
  EXPECT_TRUE(IsBlocking(*reindex));

  auto finding = ParseMaintenanceBody(
      R"({"target":"demo","operation":"vacuum","finding":"table.vacuum_overdue"})");
  ASSERT_TRUE(finding.has_value());
  EXPECT_EQ(finding->finding, "table.vacuum_overdue");
  EXPECT_TRUE(finding->object.empty());
}

TEST(ParseMaintenanceBody, HostileNamesAreNamesNotErrors) {
  // The engine resolves names exactly and quotes what the server returns: these are legal.
  const std::vector<std::string> names = {R"(a\"; DROP TABLE victim; --)",
                                          R"(\"quoted\")",
                                          "select",
                                          "MiXeD",
                                          "tëst_ü",
                                          std::string(63, 'x')};
  for (const std::string& name : names) {
    auto r = ParseMaintenanceBody(R"({"target":"demo","operation":"analyze","table":")" + name +
                                  R"("})");
    ASSERT_TRUE(r.has_value()) << name << ": " << r.error().ToString();
  }
  auto r = ParseMaintenanceBody(R"({"target":"demo","operation":"analyze",
                                    "table":"a\"; DROP TABLE victim; --"})");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->object, R"(a"; DROP TABLE victim; --)");
}

TEST(ParseMaintenanceBody, EveryMalformedBodyIsRefusedWithItsReason) {
  const std::pair<std::string, std::string> cases[] = {
      {"not json", "not JSON"},
      {"[1]", "must be a JSON object"},
      {R"({"operation":"vacuum","table":"t","bogus":1})", "unknown field 'bogus'"},
      {R"({"table":"t"})", "'operation' is required"},
      {R"({"operation":"truncate","table":"t"})", "'operation' must be vacuum"},
      {R"({"operation":"recovery","table":"t"})", "its own route"},
      {R"({"operation":7,"table":"t"})", "'operation' is required"},
      {R"({"operation":"vacuum"})", "exactly one of 'table' or 'finding'"},
      {R"({"operation":"vacuum","table":"t","finding":"table.bloat"})", "exactly one of"},
      {R"({"operation":"reindex_index","table":"t"})", "takes 'index', not 'table'"},
      {R"({"operation":"vacuum","index":"i"})", "takes 'table', not 'index'"},
      {R"({"operation":"vacuum","table":""})", "'table' must not be empty"},
      {R"({"operation":"vacuum","table":42})", "'table' must be a string"},
      {R"({"operation":"vacuum","table":")" + std::string(64, 'x') + R"("})",
       "longer than 63 bytes"},
      {R"({"operation":"vacuum","table":"a\u0000b"})", "NUL"},
      {R"({"operation":"vacuum","schema":["public"],"table":"t"})", "'schema' must be a string"},
      {R"({"operation":"vacuum","finding":"DROP TABLE x"})", "must be a check id"},
      {R"({"operation":"vacuum","finding":"table"})", "must be a check id"},
      {R"({"operation":"vacuum","table":"t","options":[]})", "'options' must be an object"},
      {R"({"operation":"vacuum","table":"t","options":{"parallel":4}})",
       "unknown field 'parallel' in options"},
      {R"({"operation":"vacuum","table":"t","options":{"index_cleanup":"on; DROP TABLE x"}})",
       "'index_cleanup' must be"},
      {R"({"operation":"vacuum","table":"t","options":{"full":"yes"}})",
       "'full' must be true or false"},
      {R"({"operation":"vacuum","table":"t","options":{"concurrently":true}})",
       "option 'concurrently' does not apply to vacuum"},
      {R"({"operation":"analyze","table":"t","options":{"full":true}})",
       "option 'full' does not apply to analyze"},
      {R"({"operation":"reindex_table","table":"t","options":{"freeze":true}})",
       "option 'freeze' does not apply"},
      {R"({"operation":"vacuum","table":"t","dry_run":"true"})", "'dry_run' must be true"},
      {R"({"operation":"vacuum","table":"t","force":true})", "'force' needs a 'reason'"},
      {R"({"operation":"vacuum","table":"t","reason":7})", "'reason' must be a string"},
      {R"({"operation":"vacuum","table":"t","reason":")" + std::string(1001, 'r') + R"("})",
       "longer than 1000 bytes"},
      {R"({"operation":"vacuum","table":"t","target":{}})", "'target' must be a string"},
  };
  for (const auto& [body, reason] : cases) {
    EXPECT_THAT(ErrorOf(ParseMaintenanceBody(body)), HasSubstr(reason)) << body;
  }
}

TEST(ParseSeedBodies, MapTheSeedFieldsOntoTheRequest) {
  auto vacuum = ParseSeedMaintenanceBody(
      R"({"operationType":"vacuum","tableName":"orders","analyze":true,"verbose":true})");
  ASSERT_TRUE(vacuum.has_value()) << vacuum.error().ToString();
  EXPECT_EQ(vacuum->kind, OperationKind::kVacuum);
  EXPECT_TRUE(vacuum->options.analyze);
  EXPECT_TRUE(vacuum->options.verbose);
  auto reindex = ParseSeedMaintenanceBody(
      R"({"operationType":"reindex","indexName":"orders_pkey","concurrent":false,"target":"d"})");
  ASSERT_TRUE(reindex.has_value());
  EXPECT_EQ(reindex->kind, OperationKind::kReindexIndex);
  EXPECT_FALSE(reindex->options.concurrently);
  EXPECT_EQ(reindex->target, "d");
  auto reindex_table =
      ParseSeedMaintenanceBody(R"({"operationType":"reindex","tableName":"orders"})");
  ASSERT_TRUE(reindex_table.has_value());
  EXPECT_EQ(reindex_table->kind, OperationKind::kReindexTable);
  EXPECT_TRUE(reindex_table->options.concurrently);

  EXPECT_THAT(ErrorOf(ParseSeedMaintenanceBody(R"({"operationType":"cluster","tableName":"t"})")),
              HasSubstr("vacuum, analyze or reindex"));
  EXPECT_THAT(ErrorOf(ParseSeedMaintenanceBody(R"({"operationType":"vacuum"})")),
              HasSubstr("'tableName'"));
  EXPECT_THAT(
      ErrorOf(ParseSeedMaintenanceBody(R"({"operationType":"vacuum","tableName":"t","x":1})")),
      HasSubstr("unknown field 'x'"));
  EXPECT_THAT(ErrorOf(ParseSeedMaintenanceBody(
                  R"({"operationType":"analyze","tableName":"t","concurrent":true})")),
              HasSubstr("'concurrent' applies to reindex only"));

  const std::pair<const char*, OperationKind> actions[] = {
      {"analyze_table", OperationKind::kAnalyze},
      {"update_statistics", OperationKind::kAnalyze},
      {"reindex_table", OperationKind::kReindexTable},
      {"vacuum_analyze", OperationKind::kVacuum}};
  for (const auto& [action, kind] : actions) {
    auto r =
        ParseOptimizeBody(std::string(R"({"action":")") + action + R"(","table_name":"orders"})");
    ASSERT_TRUE(r.has_value()) << action;
    EXPECT_EQ(r->kind, kind) << action;
    EXPECT_EQ(r->object, "orders");
  }
  EXPECT_TRUE(
      ParseOptimizeBody(R"({"action":"vacuum_analyze","table_name":"t"})")->options.analyze);
  EXPECT_THAT(ErrorOf(ParseOptimizeBody(R"({"action":"drop_table","table_name":"t"})")),
              HasSubstr("'action' is required"));
  EXPECT_THAT(ErrorOf(ParseOptimizeBody(R"({"action":"analyze_table"})")),
              HasSubstr("'table_name' is required"));
}

TEST(ParseRecoveryBody, ReadsThresholdsAndConfirmationsAndRangeChecksThem) {
  auto r = ParseRecoveryBody(R"({"target":"demo","cancel_running_longer_than_s":30,
      "terminate_idle_in_transaction_longer_than_s":60.5,"dry_run":false,
      "confirm":[{"pid":123,"backend_start":"2026-11-22 10:00:00.123456+00"}]})");
  ASSERT_TRUE(r.has_value()) << r.error().ToString();
  EXPECT_EQ(r->cancel_running_longer_than_s, 30);
  EXPECT_FALSE(r->terminate_idle_longer_than_s.has_value());
  EXPECT_EQ(r->terminate_idle_in_transaction_longer_than_s, 60.5);
  EXPECT_FALSE(r->dry_run);
  ASSERT_EQ(r->confirm.size(), 1u);
  EXPECT_EQ(r->confirm[0].pid, 123);

  auto dry = ParseRecoveryBody(R"({"target":"demo","terminate_idle_longer_than_s":0})");
  ASSERT_TRUE(dry.has_value());
  EXPECT_TRUE(dry->dry_run);  // the default

  const std::pair<std::string, std::string> cases[] = {
      {R"({"target":"demo"})", "give at least one of"},
      {R"({"target":"demo","cancel_running_longer_than_s":-1})", "between 0 and"},
      {R"({"target":"demo","cancel_running_longer_than_s":1e12})", "between 0 and"},
      {R"({"target":"demo","cancel_running_longer_than_s":"30; SELECT 1"})", "number of seconds"},
      {R"({"target":"demo","cancel_running_longer_than_s":1,"kill_all":true})",
       "unknown field 'kill_all'"},
      {R"({"target":"demo","cancel_running_longer_than_s":1,"dry_run":false,"confirm":{}})",
       "list of {pid, backend_start}"},
      {R"({"target":"demo","cancel_running_longer_than_s":1,"dry_run":false,
           "confirm":[{"pid":-4,"backend_start":"x"}]})",
       "'pid' must be a positive integer"},
      {R"({"target":"demo","cancel_running_longer_than_s":1,"dry_run":false,
           "confirm":[{"pid":4}]})",
       "'backend_start' is required"},
      {R"({"target":"demo","cancel_running_longer_than_s":1,"dry_run":false,
           "confirm":[{"pid":4,"backend_start":"x","user":"y"}]})",
       "unknown field 'user' in a confirm entry"},
      {R"({"target":"demo","cancel_running_longer_than_s":1,
           "confirm":[{"pid":4,"backend_start":"x"}]})",
       "needs \"dry_run\": false"},
  };
  for (const auto& [body, reason] : cases) {
    auto parsed = ParseRecoveryBody(body);
    ASSERT_FALSE(parsed.has_value()) << body;
    EXPECT_THAT(parsed.error().message(), HasSubstr(reason)) << body;
  }
}

TEST(LooksLikeCheckId, AcceptsDottedLowerCaseWordsOnly) {
  EXPECT_TRUE(LooksLikeCheckId("table.vacuum_overdue"));
  EXPECT_TRUE(LooksLikeCheckId("index.bloat2.x"));
  EXPECT_FALSE(LooksLikeCheckId("table"));
  EXPECT_FALSE(LooksLikeCheckId("table."));
  EXPECT_FALSE(LooksLikeCheckId(".table.x"));
  EXPECT_FALSE(LooksLikeCheckId("Table.X"));
  EXPECT_FALSE(LooksLikeCheckId("table.x;drop"));
}

}  // namespace
}  // namespace pgvigil::http
