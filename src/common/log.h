// SPDX-License-Identifier: Apache-2.0
// Structured logging to stderr through spdlog, one line per event, as text
// ("2026-11-22T07:03:36.123456Z warn subsystem=collect msg") or JSON lines
// ({"ts":…,"level":…,"subsystem":…,"msg":…}) for log shippers.
// Callers must never pass secrets: DSNs go through pg::RedactDsn first. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace pgvigil::common {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };
enum class LogFormat { kText, kJson };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warn", "error", "off"; false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* out);
void SetLogFormat(LogFormat format);
// Parses "text" or "json"; false on anything else.
bool ParseLogFormat(std::string_view text, LogFormat* out);
// One line without its newline (exposed for tests).
std::string FormatLogLine(LogFormat format, std::string_view timestamp, LogLevel level,
                          std::string_view subsystem, std::string_view message);
void LogLine(LogLevel level, std::string_view subsystem, std::string_view message);

template <typename... Args>
void Log(LogLevel level, std::string_view subsystem, fmt::format_string<Args...> format,
         Args&&... args) {
  if (level < GetLogLevel()) return;
  LogLine(level, subsystem, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace pgvigil::common
