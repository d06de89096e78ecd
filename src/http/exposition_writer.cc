// SPDX-License-Identifier: Apache-2.0
#include "http/exposition_writer.h"

#include <cmath>

#include <fmt/format.h>

namespace pgvigil::http {
namespace {

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kUntyped:
      return "untyped";
    case MetricType::kGauge:
      break;
  }
  return "gauge";
}

// HELP text escapes backslash and newline only (the text format's rule for docstrings).
void AppendEscapedHelp(std::string& out, std::string_view help) {
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
}

}  // namespace

void ExpositionWriter::AppendEscapedLabelValue(std::string& out, std::string_view value) {
  // Most values need no escape: copy runs between special characters in one append.
  std::size_t start = 0;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out.append(value.data() + start, i - start);
    out += '\\';
    out += (c == '\n') ? 'n' : c;
    start = i + 1;
  }
  out.append(value.data() + start, value.size() - start);
}

void ExpositionWriter::AppendDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buffer[32];
    const auto end = fmt::format_to_n(buffer, sizeof buffer, "{}", value).out;
    out.append(buffer, end);
  }
}

void ExpositionWriter::BeginFamily(std::string_view name, MetricType type, std::string_view help) {
  name_ = name;
  type_ = type;
  help_ = help;
  header_pending_ = true;
}

void ExpositionWriter::WriteHeaderIfPending() {
  if (!header_pending_) return;
  header_pending_ = false;
  ++families_written_;
  *out_ += "# HELP ";
  *out_ += name_;
  *out_ += ' ';
  AppendEscapedHelp(*out_, help_);
  *out_ += "\n# TYPE ";
  *out_ += name_;
  *out_ += ' ';
  *out_ += TypeName(type_);
  *out_ += '\n';
}

void ExpositionWriter::Open() {
  WriteHeaderIfPending();
  *out_ += name_;
  has_labels_ = false;
}

void ExpositionWriter::Label(std::string_view name, std::string_view value) {
  *out_ += has_labels_ ? ',' : '{';
  has_labels_ = true;
  *out_ += name;
  *out_ += "=\"";
  AppendEscapedLabelValue(*out_, value);
  *out_ += '"';
}

void ExpositionWriter::RawLabels(std::string_view rendered) {
  if (rendered.empty()) return;
  *out_ += has_labels_ ? ',' : '{';
  has_labels_ = true;
  *out_ += rendered;
}

void ExpositionWriter::Close(double value) {
  *out_ += has_labels_ ? "} " : " ";
  AppendDouble(*out_, value);
  *out_ += '\n';
}

void ExpositionWriter::Close(std::int64_t value) {
  *out_ += has_labels_ ? "} " : " ";
  const fmt::format_int text(value);
  out_->append(text.data(), text.size());
  *out_ += '\n';
}

}  // namespace pgvigil::http
