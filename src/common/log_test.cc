// SPDX-License-Identifier: Apache-2.0
#include "common/log.h"

#include <gtest/gtest.h>

namespace pgvigil::common {
namespace {

TEST(FormatLogLine, TextIsTimestampLevelSubsystemMessage) {
  EXPECT_EQ(FormatLogLine(LogFormat::kText, "2026-11-22T07:03:36.123456Z", LogLevel::kWarn,
                          "collect", "stat_statements skipped"),
            "2026-11-22T07:03:36.123456Z warn subsystem=collect stat_statements skipped");
}

TEST(FormatLogLine, JsonEscapesEverythingAMessageCanCarry) {
  EXPECT_EQ(FormatLogLine(LogFormat::kJson, "2026-11-22T07:03:36Z", LogLevel::kError, "daemon",
                          "target \"a\\b\"\nline two\x01"),
            R"({"ts":"2026-11-22T07:03:36Z","level":"error","subsystem":"daemon",)"
            R"("msg":"target \"a\\b\"\nline two\u0001"})");
}

TEST(ParseLogFormat, AcceptsTextAndJsonOnly) {
  LogFormat f = LogFormat::kText;
  EXPECT_TRUE(ParseLogFormat("json", &f));
  EXPECT_EQ(f, LogFormat::kJson);
  EXPECT_FALSE(ParseLogFormat("xml", &f));
}

}  // namespace
}  // namespace pgvigil::common
