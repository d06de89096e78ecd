// SPDX-License-Identifier: Apache-2.0
#include "config/thresholds_file.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "config/settings_file.h"

namespace pgvigil::config {
namespace {

class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  void Error(const YAML::Node& node, const std::string& reason) {
    errors_.push_back(fmt::format("{}:{}: {}", name_, node.Mark().line + 1, reason));
  }
  void Error(const YAML::Mark& mark, const std::string& reason) {
    errors_.push_back(fmt::format("{}:{}: {}", name_, mark.line + 1, reason));
  }

  std::optional<common::Quantity> Value(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar()) {
      Error(node, what + " must be a number with an optional unit");
      return std::nullopt;
    }
    auto q = common::ParseQuantity(node.Scalar());
    if (!q.has_value()) {
      Error(node, what + ": " + q.error().message());
      return std::nullopt;
    }
    return *q;
  }

  // Reads warning/critical (and, when `allow_overrides`, target/object patterns) of one map.
  void Levels(const std::string& key, const YAML::Node& map, ThresholdRule rule, bool is_override) {
    if (!map.IsMap()) {
      Error(map, fmt::format("{}: expected a map with warning and/or critical", key));
      return;
    }
    rule.where = {name_, map.Mark().line + 1};
    bool any_level = false;
    std::vector<YAML::Node> overrides;  // read after the global level, to keep file order
    for (const auto& entry : map) {
      const std::string field = entry.first.as<std::string>("");
      if (field == "warning") {
        rule.warning = Value(entry.second, key + ".warning");
        any_level = true;
      } else if (field == "critical") {
        rule.critical = Value(entry.second, key + ".critical");
        any_level = true;
      } else if (is_override && (field == "target" || field == "object")) {
        if (!entry.second.IsScalar() || entry.second.Scalar().empty()) {
          Error(entry.second, fmt::format("{}.{} must be a non-empty glob", key, field));
          continue;
        }
        (field == "target" ? rule.target_pattern : rule.object_pattern) = entry.second.Scalar();
      } else if (!is_override && field == "overrides") {
        if (!entry.second.IsSequence()) {
          Error(entry.second, key + ".overrides must be a list");
          continue;
        }
        for (const auto& item : entry.second) overrides.push_back(item);
      } else {
        Error(entry.first, fmt::format("unknown key '{}' in threshold {} (expected warning, "
                                       "critical{})",
                                       field, key, is_override ? ", target, object" : ", overrides"));
      }
    }
    if (is_override && rule.target_pattern == "*" && rule.object_pattern == "*") {
      Error(map, key + ": an override needs a target or an object pattern");
    }
    if (any_level) rules_.push_back(std::move(rule));
    for (const YAML::Node& item : overrides) {
      ThresholdRule o;
      o.key = key;
      Levels(key, item, o, /*is_override=*/true);
    }
  }

  void Document(const YAML::Node& root) {
    if (root.IsNull()) return;
    if (!root.IsMap()) {
      Error(root, "expected a map at the top level");
      return;
    }
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>("");
      if (key != "thresholds") {
        // The daemon's sections are read by settings_file.cc, which also reports unknown keys;
        // a file read for its thresholds alone (`check --config`) gets the same verdict.
        if (!IsKnownSection(key)) Error(entry.first, fmt::format("unknown top-level key '{}'", key));
        continue;
      }
      if (entry.second.IsNull()) continue;
      if (!entry.second.IsMap()) {
        Error(entry.second, "thresholds must be a map of threshold keys");
        continue;
      }
      for (const auto& t : entry.second) {
        ThresholdRule rule;
        rule.key = t.first.as<std::string>("");
        Levels(rule.key, t.second, rule, /*is_override=*/false);
      }
    }
  }

  ThresholdsFile Finish() { return {std::move(rules_), std::move(errors_)}; }

 private:
  std::string name_;
  std::vector<ThresholdRule> rules_;
  std::vector<std::string> errors_;
};

}  // namespace

ThresholdsFile ReadThresholdsText(const std::string& text, const std::string& name) {
  Reader reader(name);
  try {
    reader.Document(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    reader.Error(e.mark, e.msg);
  }
  return reader.Finish();
}

ThresholdsFile ReadThresholdsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {{}, {"cannot read " + path}};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ReadThresholdsText(buffer.str(), path);
}

}  // namespace pgvigil::config
