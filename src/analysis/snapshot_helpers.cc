// SPDX-License-Identifier: Apache-2.0
#include "analysis/snapshot_helpers.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

namespace pgvigil::analysis {

bool CountersComparable(const model::Snapshot& current, const model::Snapshot& previous,
                        std::string_view tier) {
  return current.server.postmaster_start_time == previous.server.postmaster_start_time &&
         model::CollectedAt(current, tier) > model::CollectedAt(previous, tier);
}

bool Collected(const model::Snapshot& s, std::string_view collector) {
  const model::CollectorOutcome* o = s.FindOutcome(collector);
  return o != nullptr && o->status == model::CollectorStatus::kOk;
}

double IntervalSeconds(const model::Snapshot& current, const model::Snapshot& previous,
                       std::string_view tier) {
  const double seconds = std::chrono::duration<double>(model::CollectedAt(current, tier) -
                                                       model::CollectedAt(previous, tier))
                             .count();
  return seconds > 0 ? seconds : 0;
}

std::optional<double> CounterDelta(double current, double previous) {
  if (current < previous) return std::nullopt;
  return current - previous;
}

std::optional<std::string> SettingText(const model::Snapshot& s, std::string_view name) {
  for (const model::Setting& setting : s.settings) {
    if (setting.name == name) return setting.setting;
  }
  return std::nullopt;
}

std::optional<double> SettingNumber(const model::Snapshot& s, std::string_view name) {
  const auto text = SettingText(s, name);
  if (!text) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

std::optional<double> UsableConnections(const model::Snapshot& s) {
  const auto max_connections = SettingNumber(s, "max_connections");
  if (!max_connections) return std::nullopt;
  const double usable = *max_connections -
                        SettingNumber(s, "superuser_reserved_connections").value_or(0) -
                        SettingNumber(s, "reserved_connections").value_or(0);
  if (usable <= 0) return std::nullopt;
  return usable;
}

namespace {
std::optional<std::string> SettingUnit(const model::Snapshot& s, std::string_view name) {
  for (const model::Setting& setting : s.settings) {
    if (setting.name == name) return setting.unit;
  }
  return std::nullopt;
}
}  // namespace

std::optional<double> SettingSeconds(const model::Snapshot& s, std::string_view name) {
  const auto value = SettingNumber(s, name);
  const auto unit = SettingUnit(s, name);
  if (!value || !unit) return std::nullopt;
  if (*unit == "ms") return *value / 1000.0;
  if (*unit == "s") return *value;
  if (*unit == "min") return *value * 60.0;
  return std::nullopt;
}

std::optional<double> SettingBytes(const model::Snapshot& s, std::string_view name) {
  const auto value = SettingNumber(s, name);
  const auto unit = SettingUnit(s, name);
  if (!value || !unit) return std::nullopt;
  // pg_settings units are a multiplier and a base: "8kB", "kB", "MB", "B".
  std::string_view u = *unit;
  double multiplier = 1;
  size_t digits = 0;
  while (digits < u.size() && std::isdigit(static_cast<unsigned char>(u[digits]))) ++digits;
  if (digits > 0) {
    std::from_chars(u.data(), u.data() + digits, multiplier);
    u.remove_prefix(digits);
  }
  double base = 0;
  if (u == "B")
    base = 1;
  else if (u == "kB")
    base = 1024;
  else if (u == "MB")
    base = 1024.0 * 1024;
  else if (u == "GB")
    base = 1024.0 * 1024 * 1024;
  else
    return std::nullopt;
  return *value * multiplier * base;
}

std::string QuoteIdent(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('"');
  for (char c : name) {
    if (c == '\0') continue;  // identifiers cannot hold NUL; never let one cut the text
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string QuoteQualified(std::string_view schema, std::string_view name) {
  return QuoteIdent(schema) + "." + QuoteIdent(name);
}

std::string QuoteStringLiteral(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 3);
  const bool escape = text.find('\\') != std::string_view::npos;
  if (escape) out += 'E';
  out += '\'';
  for (char c : text) {
    if (c == '\0') continue;  // PostgreSQL text cannot hold NUL
    if (c == '\'') out += '\'';
    if (c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string FormatBytes(double bytes) {
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  int u = 0;
  while (std::fabs(bytes) >= 1024 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  if (u == 0) return fmt::format("{:.0f} bytes", bytes);
  return bytes < 10 ? fmt::format("{:.1f} {}", bytes, units[u])
                    : fmt::format("{:.0f} {}", bytes, units[u]);
}

std::string FormatDuration(double seconds) {
  if (seconds < 1) return fmt::format("{:.0f} ms", seconds * 1000);
  if (seconds < 10) return fmt::format("{:.1f} s", seconds);
  if (seconds < 120) return fmt::format("{:.0f} s", seconds);
  if (seconds < 7200) return fmt::format("{:.0f} min", seconds / 60);
  if (seconds < 2 * 86400) {
    const int h = static_cast<int>(seconds / 3600);
    return fmt::format("{} h {} min", h, static_cast<int>((seconds - h * 3600.0) / 60));
  }
  return fmt::format("{:.1f} days", seconds / 86400);
}

std::string FormatPercent(double ratio) {
  const double pct = ratio * 100;
  return pct < 10 && pct != 0 ? fmt::format("{:.1f} %", pct) : fmt::format("{:.0f} %", pct);
}

std::string FormatCount(double count) {
  const double magnitude = std::fabs(count);
  if (magnitude < 1e6) return fmt::format("{:.0f}", count);
  const bool billions = magnitude >= 1e9;
  const double scaled = count / (billions ? 1e9 : 1e6);
  const char* word = billions ? "billion" : "million";
  return std::fabs(scaled) < 10 ? fmt::format("{:.1f} {}", scaled, word)
                                : fmt::format("{:.0f} {}", scaled, word);
}

}  // namespace pgvigil::analysis
