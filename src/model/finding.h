// SPDX-License-Identifier: Apache-2.0
// A Finding is one judgement of analysis about one object: what is wrong (or could not be
// judged), how bad, the measured value against the threshold it crossed, and what to do.
// Plain data, produced by analysis/ checks and consumed by alerts, the API and `pgvigil check`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pgvigil::model {

enum class Severity { kOk, kInfo, kWarning, kCritical };

struct Recommendation {
  std::string sql;  // the exact statement that fixes it, when there is one
  std::string why;  // one or two sentences: the reasoning, for a person
};

struct Finding {
  std::string id;  // stable "area.check": "table.vacuum_overdue"
  Severity severity = Severity::kInfo;
  std::string target;  // the monitored server
  std::string object;  // "app.public.orders", "pid 4242", "slot standby1", "queryid 123", …
  std::optional<double> value;      // the measured figure, in `unit`
  std::optional<double> threshold;  // the level it crossed (warning or critical), in `unit`
  std::string unit;                 // "seconds", "bytes", "ratio", "count", "transactions", …
  std::string message;              // one line, with the figures in words
  std::optional<Recommendation> recommendation;
  std::vector<std::string> evidence;  // what the judgement rests on, one fact a line
  bool insufficient_data = false;     // true: the check could not judge (too little traffic, …)
};

// The names used in JSON, metrics labels and reports: "ok", "info", "warning", "critical".
inline std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kOk:
      return "ok";
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "unknown";
}

// The same in capitals, for headings and notification titles: "CRITICAL", "WARNING", …
inline std::string_view SeverityHeading(Severity severity) {
  switch (severity) {
    case Severity::kCritical:
      return "CRITICAL";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kInfo:
      return "INFO";
    case Severity::kOk:
      return "OK";
  }
  return "UNKNOWN";
}

}  // namespace pgvigil::model
