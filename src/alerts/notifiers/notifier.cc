// SPDX-License-Identifier: Apache-2.0
#include "alerts/notifiers/notifier.h"

#include <fmt/format.h>

namespace pgvigil::alerts {

std::string_view SeverityLabel(model::Severity severity) {
  return model::SeverityHeading(severity);
}

std::string FormatValue(const model::Notification& n) {
  if (!n.value.has_value()) return "";
  std::string text = fmt::format("{:g}", *n.value);
  if (!n.unit.empty()) text += " " + n.unit;
  return text;
}

std::string Summary(const model::Notification& n) {
  std::string text = n.check_id + " on " + n.target;
  if (!n.object.empty()) text += " (" + n.object + ")";
  if (const std::string value = FormatValue(n); !value.empty()) text += ": " + value;
  return text;
}

}  // namespace pgvigil::alerts
