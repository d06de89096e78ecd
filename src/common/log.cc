// SPDX-License-Identifier: Apache-2.0
#include "common/log.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>

#include "common/clock.h"

namespace pgvigil::common {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kWarn};
std::atomic<LogFormat> g_format{LogFormat::kText};

std::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
    case LogLevel::kOff:
      return "off";
  }
  return "?";
}

// spdlog is the sink (thread-safe, one write per line; file or syslog sinks can be added
// here); the line itself is ours, so that text and JSON share one timestamp format with the
// rest of pgvigil (UTC, microseconds).
spdlog::logger& Logger() {
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto l = std::make_shared<spdlog::logger>("pgvigil",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
    l->set_pattern("%v");
    l->set_level(spdlog::level::trace);  // pgvigil filters by its own level first
    l->flush_on(spdlog::level::trace);
    return l;
  }();
  return *logger;
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level.store(level); }
LogLevel GetLogLevel() { return g_level.load(); }
void SetLogFormat(LogFormat format) { g_format.store(format); }

bool ParseLogLevel(std::string_view text, LogLevel* out) {
  for (LogLevel l :
       {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarn, LogLevel::kError, LogLevel::kOff}) {
    if (LevelName(l) == text) {
      *out = l;
      return true;
    }
  }
  return false;
}

bool ParseLogFormat(std::string_view text, LogFormat* out) {
  if (text == "text")
    *out = LogFormat::kText;
  else if (text == "json")
    *out = LogFormat::kJson;
  else
    return false;
  return true;
}

std::string FormatLogLine(LogFormat format, std::string_view timestamp, LogLevel level,
                          std::string_view subsystem, std::string_view message) {
  if (format == LogFormat::kText) {
    return fmt::format("{} {} subsystem={} {}", timestamp, LevelName(level), subsystem, message);
  }
  std::string line = "{\"ts\":";
  AppendJsonString(line, timestamp);
  line += ",\"level\":";
  AppendJsonString(line, LevelName(level));
  line += ",\"subsystem\":";
  AppendJsonString(line, subsystem);
  line += ",\"msg\":";
  AppendJsonString(line, message);
  line += '}';
  return line;
}

void LogLine(LogLevel level, std::string_view subsystem, std::string_view message) {
  const std::string line = FormatLogLine(
      g_format.load(), FormatTimestamp(SystemClock::Instance().Now()), level, subsystem, message);
  Logger().info("{}", line);
}

}  // namespace pgvigil::common
