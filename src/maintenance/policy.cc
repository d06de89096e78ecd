// SPDX-License-Identifier: Apache-2.0
#include "maintenance/policy.h"

#include <array>
#include <cctype>
#include <charconv>
#include <string>

namespace pgvigil::maintenance {
namespace {

using common::Result;

constexpr std::array<std::string_view, 7> kDayNames = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int DayIndex(std::string_view name) {
  for (size_t i = 0; i < kDayNames.size(); ++i) {
    if (kDayNames[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// "mon", "mon-fri" (wrapping: "fri-mon" is fri, sat, sun, mon), "daily", comma lists.
Result<unsigned> ParseDays(std::string_view text) {
  if (text == "daily" || text == "*") return 0x7fu;
  unsigned days = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view part = text.substr(pos, comma - pos);
    const size_t dash = part.find('-');
    const int first = DayIndex(part.substr(0, dash));
    const int last = dash == std::string_view::npos ? first : DayIndex(part.substr(dash + 1));
    if (first < 0 || last < 0) {
      return common::InvalidArgumentError("unknown day \"" + std::string(part) +
                                          "\" (use daily, or sun mon tue wed thu fri sat, "
                                          "lists like sat,sun and ranges like mon-fri)");
    }
    for (int d = first;; d = (d + 1) % 7) {
      days |= 1u << d;
      if (d == last) break;
    }
    pos = comma + 1;
  }
  return days;
}

// "HH:MM" → minutes after midnight.
Result<int> ParseClock(std::string_view text) {
  int hours = -1;
  int minutes = -1;
  const size_t colon = text.find(':');
  auto number = [](std::string_view s, int& out) {
    if (s.size() != 2) return false;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size();
  };
  if (colon == std::string_view::npos || !number(text.substr(0, colon), hours) ||
      !number(text.substr(colon + 1), minutes) || hours > 23 || minutes > 59) {
    return common::InvalidArgumentError("bad time \"" + std::string(text) +
                                        "\" (use HH:MM, 00:00 to 23:59)");
  }
  return hours * 60 + minutes;
}

}  // namespace

Result<Window> ParseWindow(std::string_view text) {
  const std::string lowered = Lower(text);
  std::string_view t = lowered;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  const size_t space = t.find(' ');
  if (space == std::string_view::npos) {
    return common::InvalidArgumentError("maintenance window \"" + std::string(text) +
                                        "\": expected DAYS HH:MM-HH:MM, e.g. daily 01:00-05:00");
  }
  std::string_view times = t.substr(space + 1);
  while (!times.empty() && times.front() == ' ') times.remove_prefix(1);
  auto context = [&](const common::Status& s) {
    return common::InvalidArgumentError("maintenance window \"" + std::string(text) +
                                        "\": " + s.message());
  };
  auto days = ParseDays(t.substr(0, space));
  if (!days.has_value()) return context(days.error());
  const size_t dash = times.find('-');
  if (dash == std::string_view::npos) {
    return context(common::InvalidArgumentError("expected a time range HH:MM-HH:MM"));
  }
  auto start = ParseClock(times.substr(0, dash));
  if (!start.has_value()) return context(start.error());
  auto end = ParseClock(times.substr(dash + 1));
  if (!end.has_value()) return context(end.error());
  return Window{*days, *start, *end};
}

bool InsideAnyWindow(const std::vector<Window>& windows, common::Timestamp at) {
  const auto day_start = std::chrono::floor<std::chrono::days>(at);
  const int minute =
      static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(at - day_start).count());
  const unsigned today = std::chrono::weekday(day_start).c_encoding();  // 0 = Sunday
  const unsigned yesterday = (today + 6) % 7;
  for (const Window& w : windows) {
    const bool starts_today = (w.days & (1u << today)) != 0;
    const bool started_yesterday = (w.days & (1u << yesterday)) != 0;
    if (w.start_minute == w.end_minute) {
      if (starts_today) return true;
    } else if (w.start_minute < w.end_minute) {
      if (starts_today && minute >= w.start_minute && minute < w.end_minute) return true;
    } else {
      // Wraps past midnight: the evening part belongs to today's window, the early-morning
      // part to the one that started yesterday.
      if (starts_today && minute >= w.start_minute) return true;
      if (started_yesterday && minute < w.end_minute) return true;
    }
  }
  return false;
}

}  // namespace pgvigil::maintenance
