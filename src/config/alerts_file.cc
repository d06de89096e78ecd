// SPDX-License-Identifier: Apache-2.0
#include "config/alerts_file.h"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "common/units.h"

namespace pgvigil::config {
namespace {

class Reader {
 public:
  explicit Reader(std::string name) : name_(std::move(name)) {}

  void Error(const YAML::Mark& mark, const std::string& reason) {
    errors_.push_back(fmt::format("{}:{}: {}", name_, mark.line + 1, reason));
  }
  void Error(const YAML::Node& node, const std::string& reason) { Error(node.Mark(), reason); }

  std::optional<std::chrono::microseconds> Duration(const YAML::Node& node,
                                                    const std::string& what) {
    if (!node.IsScalar()) {
      Error(node, what + " must be a duration (\"30s\", \"5min\", \"4h\")");
      return std::nullopt;
    }
    auto q = common::ParseQuantity(node.Scalar());
    if (!q.has_value()) {
      Error(node, what + ": " + q.error().message());
      return std::nullopt;
    }
    // A plain number is seconds, as everywhere in the file.
    if ((q->kind != common::QuantityKind::kSeconds && q->kind != common::QuantityKind::kNumber) ||
        q->value < 0 || !std::isfinite(q->value)) {
      Error(node, fmt::format("{}: '{}' is not a duration of zero or more", what, node.Scalar()));
      return std::nullopt;
    }
    return std::chrono::microseconds(static_cast<std::int64_t>(std::llround(q->value * 1e6)));
  }

  // Reads one rule (or, with `is_defaults`, the defaults, which take no patterns).
  void Rule(const YAML::Node& map, AlertRuleConfig& rule, bool is_defaults) {
    const std::string what = is_defaults ? "alerts.defaults" : "alert rule";
    if (!map.IsMap()) {
      Error(map, what + " must be a map");
      return;
    }
    rule.file = name_;
    rule.line = map.Mark().line + 1;
    for (const auto& entry : map) {
      const std::string field = entry.first.as<std::string>("");
      const YAML::Node& v = entry.second;
      if (!is_defaults && (field == "check" || field == "target" || field == "object")) {
        if (!v.IsScalar() || v.Scalar().empty()) {
          Error(v, fmt::format("{}.{} must be a non-empty glob", what, field));
          continue;
        }
        (field == "check"    ? rule.check_pattern
         : field == "target" ? rule.target_pattern
                             : rule.object_pattern) = v.Scalar();
      } else if (!is_defaults && field == "enabled") {
        bool b = false;
        if (!v.IsScalar() || !YAML::convert<bool>::decode(v, b)) {
          Error(v, what + ".enabled must be true or false");
          continue;
        }
        rule.enabled = b;
      } else if (field == "min_severity") {
        if (!v.IsScalar() || (v.Scalar() != "warning" && v.Scalar() != "critical")) {
          Error(v, what + ".min_severity must be warning or critical");
          continue;
        }
        rule.min_severity = v.Scalar();
      } else if (field == "for") {
        rule.for_duration = Duration(v, what + ".for");
      } else if (field == "resolve_after") {
        rule.resolve_after = Duration(v, what + ".resolve_after");
      } else if (field == "renotify_interval") {
        rule.renotify_interval = Duration(v, what + ".renotify_interval");
      } else {
        Error(entry.first,
              fmt::format("unknown key '{}' in {} (expected {}min_severity, for, resolve_after, "
                          "renotify_interval)",
                          field, what, is_defaults ? "" : "check, target, object, enabled, "));
      }
    }
  }

  void Alerts(const YAML::Node& alerts) {
    if (alerts.IsNull()) return;
    if (!alerts.IsMap()) {
      Error(alerts, "alerts must be a map (defaults, rules, channels, routes)");
      return;
    }
    for (const auto& entry : alerts) {
      const std::string key = entry.first.as<std::string>("");
      if (key == "defaults") {
        if (!entry.second.IsNull()) Rule(entry.second, defaults_, /*is_defaults=*/true);
      } else if (key == "rules") {
        if (entry.second.IsNull()) continue;
        if (!entry.second.IsSequence()) {
          Error(entry.second, "alerts.rules must be a list");
          continue;
        }
        for (const auto& item : entry.second) {
          AlertRuleConfig rule;
          Rule(item, rule, /*is_defaults=*/false);
          if (item.IsMap()) rules_.push_back(std::move(rule));
        }
      } else if (key == "channels" || key == "routes") {
        // Notification channels and routing belong to the notifiers' reader, which sits beside
        // this one and reads the same section; this reader only lets them through.
      } else {
        Error(entry.first, fmt::format("unknown key '{}' in alerts (expected defaults, rules, "
                                       "channels, routes)",
                                       key));
      }
    }
  }

  void Document(const YAML::Node& root) {
    if (root.IsNull()) return;
    if (!root.IsMap()) {
      Error(root, "expected a map at the top level");
      return;
    }
    // Other top-level keys are settings_file.cc's to judge.
    for (const auto& entry : root) {
      if (entry.first.as<std::string>("") == "alerts") Alerts(entry.second);
    }
  }

  AlertsFile Finish() {
    defaults_.file = name_;
    return {std::move(defaults_), std::move(rules_), std::move(errors_)};
  }

 private:
  std::string name_;
  AlertRuleConfig defaults_;
  std::vector<AlertRuleConfig> rules_;
  std::vector<std::string> errors_;
};

}  // namespace

AlertsFile ReadAlertsText(const std::string& text, const std::string& name) {
  Reader reader(name);
  try {
    reader.Document(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    reader.Error(e.mark, e.msg);
  }
  return reader.Finish();
}

AlertsFile ReadAlertsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    AlertsFile f;
    f.errors.push_back("cannot read " + path);
    return f;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ReadAlertsText(buffer.str(), path);
}

}  // namespace pgvigil::config
