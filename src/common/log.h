// SPDX-License-Identifier: Apache-2.0
// Minimal structured logging to stderr: "2026-11-22T07:03:36.123Z warn subsystem=collect msg".
// Callers must never pass secrets: DSNs go through pg::RedactDsn first. Thread-safe.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace pgvigil::common {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Parses "debug", "info", "warn", "error", "off"; false on anything else.
bool ParseLogLevel(std::string_view text, LogLevel* out);
void LogLine(LogLevel level, std::string_view subsystem, std::string_view message);

template <typename... Args>
void Log(LogLevel level, std::string_view subsystem, fmt::format_string<Args...> format,
         Args&&... args) {
  if (level < GetLogLevel()) return;
  LogLine(level, subsystem, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace pgvigil::common
