// SPDX-License-Identifier: Apache-2.0
// ExpositionWriter appends Prometheus text exposition format 0.0.4 to a caller's string: one
// `# HELP` / `# TYPE` pair per family (written with the family's first sample, so a family
// without samples leaves no trace), samples with escaped label values, and numbers as
// Prometheus parses them (`+Inf`, `-Inf`, `NaN`). It allocates nothing of its own: label text is
// escaped straight into the output. Not thread-safe; one writer per render.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace pgvigil::http {

enum class MetricType { kGauge, kCounter, kUntyped };

class ExpositionWriter {
 public:
  explicit ExpositionWriter(std::string& out) : out_(&out) {}

  // Later output goes to `out`, for an exposition written in pieces. A family begun earlier
  // stays begun: its samples (and its header, if still pending) continue in `out`.
  void SetOutput(std::string& out) { out_ = &out; }

  // Starts a family. Its HELP and TYPE lines are written before its first sample.
  void BeginFamily(std::string_view name, MetricType type, std::string_view help);

  // One sample: Open(), any number of Label()/RawLabels(), then Close(value). Close() without a
  // label gives `name value`. Every sample belongs to the family begun last.
  void Open();
  void Label(std::string_view name, std::string_view value);
  // Labels already rendered as `name="escaped",…` (no leading comma), e.g. a target's prefix.
  void RawLabels(std::string_view rendered);
  void Close(double value);
  void Close(std::int64_t value);

  // Appends `value` with backslash, double quote and newline escaped (label value rules).
  static void AppendEscapedLabelValue(std::string& out, std::string_view value);
  // Appends a number the way the text format spells it: shortest round-trip, +Inf/-Inf/NaN.
  static void AppendDouble(std::string& out, double value);

  std::size_t families_written() const { return families_written_; }

 private:
  void WriteHeaderIfPending();

  std::string* out_;
  std::string_view name_;
  std::string_view help_;
  MetricType type_ = MetricType::kGauge;
  bool header_pending_ = false;
  bool has_labels_ = false;
  std::size_t families_written_ = 0;
};

}  // namespace pgvigil::http
