// SPDX-License-Identifier: Apache-2.0
#include "store/labels.h"

#include <algorithm>

namespace pgvigil::store {
namespace {

void AppendEscaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
}

}  // namespace

std::string CanonicalLabels(model::MetricLabels labels) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i + 1 < labels.size() && labels[i + 1].first == labels[i].first) continue;
    if (!out.empty()) out += ',';
    AppendEscaped(out, labels[i].first);
    out += '=';
    AppendEscaped(out, labels[i].second);
  }
  return out;
}

common::Result<model::MetricLabels> ParseLabels(std::string_view text) {
  model::MetricLabels out;
  if (text.empty()) return out;
  std::string key;
  std::string value;
  bool in_value = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (++i == text.size()) break;
      (in_value ? value : key) += text[i];
    } else if (c == '=' && !in_value) {
      in_value = true;
    } else if (c == ',') {
      if (!in_value) break;
      out.emplace_back(std::move(key), std::move(value));
      key.clear();
      value.clear();
      in_value = false;
    } else {
      (in_value ? value : key) += c;
    }
  }
  if (!in_value) {
    return common::InvalidArgumentError("malformed label set: " + std::string(text));
  }
  out.emplace_back(std::move(key), std::move(value));
  return out;
}

bool LabelsMatch(const model::MetricLabels& labels, const model::MetricLabels& filter) {
  return std::all_of(filter.begin(), filter.end(), [&](const auto& want) {
    return std::find(labels.begin(), labels.end(), want) != labels.end();
  });
}

}  // namespace pgvigil::store
