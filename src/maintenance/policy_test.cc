// SPDX-License-Identifier: Apache-2.0
#include "maintenance/policy.h"

#include <gtest/gtest.h>

namespace pgvigil::maintenance {
namespace {

using namespace std::chrono;

// 2026-11-22 is a Sunday.
common::Timestamp At(int day_of_november, int hour, int minute) {
  return common::Timestamp(sys_days(year(2026) / November / day_of_november) + hours(hour) +
                           minutes(minute));
}

Window Parse(std::string_view text) {
  auto w = ParseWindow(text);
  EXPECT_TRUE(w.has_value()) << text << ": " << w.error().message();
  return w.value_or(Window{});
}

TEST(ParseWindow, ReadsDaysListsAndRanges) {
  Window daily = Parse("daily 01:00-05:00");
  EXPECT_EQ(daily.days, 0x7fu);
  EXPECT_EQ(daily.start_minute, 60);
  EXPECT_EQ(daily.end_minute, 300);
  EXPECT_EQ(Parse("sat,sun 00:00-06:00").days, (1u << 6) | 1u);
  EXPECT_EQ(Parse("mon-fri 22:00-02:00").days, 0b0111110u);
  EXPECT_EQ(Parse("fri-mon 10:00-11:30").days, (1u << 5) | (1u << 6) | 1u | (1u << 1));
  EXPECT_EQ(Parse("  Daily   23:59-00:00 ").end_minute, 0);
}

TEST(ParseWindow, NamesTheBadPart) {
  auto bad_day = ParseWindow("moon 01:00-02:00");
  ASSERT_FALSE(bad_day.has_value());
  EXPECT_NE(bad_day.error().message().find("\"moon\""), std::string::npos);
  auto bad_time = ParseWindow("daily 25:00-02:00");
  ASSERT_FALSE(bad_time.has_value());
  EXPECT_NE(bad_time.error().message().find("\"25:00\""), std::string::npos);
  EXPECT_FALSE(ParseWindow("daily").has_value());
  EXPECT_FALSE(ParseWindow("daily 01:00").has_value());
  EXPECT_FALSE(ParseWindow("daily 1:00-2:00").has_value());
  EXPECT_FALSE(ParseWindow("daily 01:00-02:0x").has_value());
  EXPECT_FALSE(ParseWindow("").has_value());
}

TEST(InsideAnyWindow, ChecksDayAndTimeWithAnExclusiveEnd) {
  const std::vector<Window> w = {Parse("daily 01:00-05:00")};
  EXPECT_FALSE(InsideAnyWindow(w, At(22, 0, 59)));
  EXPECT_TRUE(InsideAnyWindow(w, At(22, 1, 0)));
  EXPECT_TRUE(InsideAnyWindow(w, At(22, 4, 59)));
  EXPECT_FALSE(InsideAnyWindow(w, At(22, 5, 0)));
  EXPECT_FALSE(InsideAnyWindow({}, At(22, 2, 0)));  // no windows: never inside
}

TEST(InsideAnyWindow, AWindowPastMidnightBelongsToTheDayItStarts) {
  const std::vector<Window> w = {Parse("mon-fri 22:00-02:00")};
  EXPECT_FALSE(InsideAnyWindow(w, At(22, 23, 0)));  // Sunday evening: not a start day
  EXPECT_FALSE(InsideAnyWindow(w, At(23, 1, 0)));   // Monday 01:00: Sunday's window, none
  EXPECT_TRUE(InsideAnyWindow(w, At(23, 22, 0)));   // Monday evening
  EXPECT_TRUE(InsideAnyWindow(w, At(24, 1, 59)));   // Tuesday early: Monday's window
  EXPECT_TRUE(InsideAnyWindow(w, At(28, 1, 0)));    // Saturday early: Friday's window
  EXPECT_FALSE(InsideAnyWindow(w, At(28, 22, 0)));  // Saturday evening
}

TEST(InsideAnyWindow, EqualStartAndEndIsTheWholeDay) {
  const std::vector<Window> w = {Parse("sun 00:00-00:00")};
  EXPECT_TRUE(InsideAnyWindow(w, At(22, 0, 0)));
  EXPECT_TRUE(InsideAnyWindow(w, At(22, 23, 59)));
  EXPECT_FALSE(InsideAnyWindow(w, At(23, 0, 0)));
}

}  // namespace
}  // namespace pgvigil::maintenance
