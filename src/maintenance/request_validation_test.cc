// SPDX-License-Identifier: Apache-2.0
#include "maintenance/request_validation.h"

#include <gtest/gtest.h>

namespace pgvigil::maintenance {
namespace {

using model::IndexCleanup;
using model::MaintenanceRequest;
using model::OperationKind;

MaintenanceRequest Request(OperationKind kind, std::string object) {
  MaintenanceRequest r;
  r.kind = kind;
  r.object = std::move(object);
  return r;
}

TEST(ValidateName, AcceptsAnyBytesUpTo63) {
  EXPECT_TRUE(ValidateName("table", "a\"; DROP TABLE victim; --").ok());
  EXPECT_TRUE(ValidateName("table", "\"quoted\"").ok());
  EXPECT_TRUE(ValidateName("table", "select").ok());
  EXPECT_TRUE(ValidateName("table", "MiXeD").ok());
  EXPECT_TRUE(ValidateName("table", "täble_✓").ok());
  EXPECT_TRUE(ValidateName("table", std::string(63, 'x')).ok());
}

TEST(ValidateName, RefusesEmptyTooLongAndNul) {
  EXPECT_EQ(ValidateName("table", "").code(), common::StatusCode::kInvalidArgument);
  const common::Status long_name = ValidateName("table", std::string(64, 'x'));
  EXPECT_EQ(long_name.code(), common::StatusCode::kInvalidArgument);
  EXPECT_NE(long_name.message().find("64 bytes"), std::string::npos) << long_name.message();
  // 32 two-byte characters: 64 bytes although 32 characters.
  std::string wide;
  for (int i = 0; i < 32; ++i) wide += "\xc3\xa4";
  EXPECT_FALSE(ValidateName("table", wide).ok());
  EXPECT_FALSE(ValidateName("table", std::string("a\0b", 3)).ok());
}

TEST(ValidateRequest, ChecksTheSchemaToo) {
  MaintenanceRequest r = Request(OperationKind::kVacuum, "t");
  r.schema = std::string(64, 's');
  const common::Status s = ValidateRequest(r);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("schema"), std::string::npos);
}

TEST(ValidateRequest, OptionsMustFitTheKind) {
  MaintenanceRequest analyze = Request(OperationKind::kAnalyze, "t");
  analyze.options.full = true;
  EXPECT_FALSE(ValidateRequest(analyze).ok());
  MaintenanceRequest reindex = Request(OperationKind::kReindexTable, "t");
  reindex.options.index_cleanup = IndexCleanup::kOff;
  EXPECT_FALSE(ValidateRequest(reindex).ok());
  reindex.options.index_cleanup = IndexCleanup::kAuto;
  reindex.options.freeze = true;
  EXPECT_FALSE(ValidateRequest(reindex).ok());
  MaintenanceRequest vacuum = Request(OperationKind::kVacuum, "t");
  vacuum.options.concurrently = false;
  EXPECT_FALSE(ValidateRequest(vacuum).ok());
  vacuum.options.concurrently = true;  // the default: says nothing for a vacuum
  vacuum.options.full = true;
  vacuum.options.freeze = true;
  vacuum.options.analyze = true;
  vacuum.options.verbose = true;
  vacuum.options.index_cleanup = IndexCleanup::kOn;
  EXPECT_TRUE(ValidateRequest(vacuum).ok());
  MaintenanceRequest index = Request(OperationKind::kReindexIndex, "i");
  index.options.concurrently = false;
  index.options.verbose = true;
  EXPECT_TRUE(ValidateRequest(index).ok());
  EXPECT_FALSE(ValidateRequest(Request(OperationKind::kRecovery, "t")).ok());
}

TEST(ValidateRequest, ForceNeedsAReason) {
  MaintenanceRequest r = Request(OperationKind::kVacuum, "t");
  r.options.full = true;
  r.force = true;
  EXPECT_FALSE(ValidateRequest(r).ok());
  r.reason = "   ";
  EXPECT_FALSE(ValidateRequest(r).ok());
  r.reason = "bloat after the migration, ticket 42";
  EXPECT_TRUE(ValidateRequest(r).ok());
}

TEST(IsBlocking, IsVacuumFullAndPlainReindex) {
  model::MaintenanceOptions o;
  EXPECT_FALSE(IsBlocking(OperationKind::kVacuum, o));
  EXPECT_FALSE(IsBlocking(OperationKind::kReindexIndex, o));
  EXPECT_FALSE(IsBlocking(OperationKind::kAnalyze, o));
  o.full = true;
  EXPECT_TRUE(IsBlocking(OperationKind::kVacuum, o));
  o.concurrently = false;
  EXPECT_TRUE(IsBlocking(OperationKind::kReindexTable, o));
  EXPECT_TRUE(IsBlocking(OperationKind::kReindexIndex, o));
}

}  // namespace
}  // namespace pgvigil::maintenance
