// SPDX-License-Identifier: Apache-2.0
#include "cli/text_report.h"
#include "model/health_report.h"

#include <algorithm>

#include <fmt/format.h>

namespace pgvigil::cli {
namespace {

const char* Colour(model::Severity s, bool on) {
  if (!on) return "";
  switch (s) {
    case model::Severity::kCritical:
      return "\033[1;31m";
    case model::Severity::kWarning:
      return "\033[1;33m";
    case model::Severity::kInfo:
      return "\033[36m";
    case model::Severity::kOk:
      return "\033[32m";
  }
  return "";
}
const char* Reset(bool on) { return on ? "\033[0m" : ""; }

const char* StatusWord(model::HealthStatus s) {
  switch (s) {
    case model::HealthStatus::kHealthy:
      return "HEALTHY";
    case model::HealthStatus::kDegraded:
      return "DEGRADED";
    case model::HealthStatus::kUnhealthy:
      return "UNHEALTHY";
  }
  return "";
}

model::Severity StatusSeverity(model::HealthStatus s) {
  switch (s) {
    case model::HealthStatus::kHealthy:
      return model::Severity::kOk;
    case model::HealthStatus::kDegraded:
      return model::Severity::kWarning;
    case model::HealthStatus::kUnhealthy:
      return model::Severity::kCritical;
  }
  return model::Severity::kOk;
}

std::string WrapLine(const std::string& text, size_t width, size_t indent);

// Breaks `text` into lines of at most `width` columns, every line after the first indented;
// line breaks in the text (multi-statement SQL) are kept.
std::string Wrap(const std::string& text, size_t width, size_t indent) {
  std::string out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (start > 0) out += "\n" + std::string(indent, ' ');
    out += WrapLine(text.substr(start, end - start), width, indent);
    start = end + 1;
  }
  return out;
}

std::string WrapLine(const std::string& text, size_t width, size_t indent) {
  if (width <= indent + 20) return text;
  std::string out;
  size_t line = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t next = text.find(' ', pos);
    if (next == std::string::npos) next = text.size();
    const size_t word = next - pos;
    if (line > 0 && line + 1 + word > width - indent) {
      out += "\n" + std::string(indent, ' ');
      line = 0;
    } else if (line > 0) {
      out += ' ';
      ++line;
    }
    out.append(text, pos, word);
    line += word;
    pos = next + 1;
  }
  return out;
}

}  // namespace

std::string FormatTextReport(const model::HealthReport& report, const model::Snapshot& snapshot,
                             const TextReportOptions& o) {
  std::string out;
  const bool c = o.colour;
  out += fmt::format(
      "{}: {}{}{}, score {}/100 (PostgreSQL {})\n", report.target,
      Colour(StatusSeverity(report.status), c), StatusWord(report.status), Reset(c), report.score,
      snapshot.server.server_version.substr(0, snapshot.server.server_version.find(' ')));
  for (const std::string& reason : report.reasons) {
    out += "  " + Wrap(reason, static_cast<size_t>(o.width), 4) + "\n";
  }
  size_t id_width = 0;
  size_t object_width = 0;
  for (const model::Finding& f : report.findings) {
    id_width = std::max(id_width, f.id.size());
    object_width = std::max(object_width, std::min<size_t>(f.object.size(), 40));
  }
  // Message beside id and object when that leaves it room; otherwise on its own lines below.
  const size_t beside = 2 + id_width + 2 + object_width + 2;
  const bool below = beside > static_cast<size_t>(o.width) / 2;
  const size_t indent = below ? 6 : beside;
  for (model::Severity s :
       {model::Severity::kCritical, model::Severity::kWarning, model::Severity::kInfo}) {
    const auto count = std::count_if(report.findings.begin(), report.findings.end(),
                                     [&](const model::Finding& f) { return f.severity == s; });
    if (count == 0) continue;
    out += fmt::format("\n{}{} ({}){}\n", Colour(s, c), model::SeverityHeading(s), count, Reset(c));
    for (const model::Finding& f : report.findings) {
      if (f.severity != s) continue;
      const std::string object =
          !below && f.object.size() > 40 ? f.object.substr(0, 39) + "…" : f.object;
      if (below) {
        out += fmt::format("  {}  {}\n{}{}\n", f.id, object, std::string(indent, ' '),
                           Wrap(f.message, static_cast<size_t>(o.width), indent));
      } else {
        out += fmt::format("  {:<{}}  {:<{}}  {}\n", f.id, id_width, object, object_width,
                           Wrap(f.message, static_cast<size_t>(o.width), indent));
      }
      if (f.recommendation && !f.recommendation->sql.empty()) {
        out += std::string(indent, ' ') +
               "fix: " + Wrap(f.recommendation->sql, static_cast<size_t>(o.width), indent + 5) +
               "\n";
      }
    }
  }
  int ok = 0;
  std::string problems;
  for (const model::CollectorOutcome& outcome : snapshot.outcomes) {
    if (outcome.status == model::CollectorStatus::kOk) {
      ++ok;
      continue;
    }
    problems += fmt::format(
        "\n  {} {}: {}", outcome.collector,
        outcome.status == model::CollectorStatus::kSkipped ? "skipped" : "failed", outcome.message);
  }
  out += fmt::format("\ncollectors: {} ok{}\n", ok, problems);
  return out;
}

}  // namespace pgvigil::cli
