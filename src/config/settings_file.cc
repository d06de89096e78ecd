// SPDX-License-Identifier: Apache-2.0
#include "config/settings_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "common/log.h"
#include "config/settings_table.h"

namespace pgvigil::config {
namespace {

constexpr std::array<std::string_view, 13> kSections = {
    "listen",   "store", "schedule", "collect", "http",       "auth",       "metrics",
    "analysis", "log",   "targets",  "alerts",  "thresholds", "maintenance"};

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

// Prometheus label names: [a-zA-Z_][a-zA-Z0-9_]*, and not reserved (__*).
bool ValidLabelName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9') || name.starts_with("__")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// A libpq key=value value, quoted: 'it''s' → 'it\'s'.
std::string ConninfoValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

class Reader {
 public:
  Reader(std::string name, const char* (*environment)(const char*))
      : name_(std::move(name)), environment_(environment) {}

  void Error(const YAML::Mark& mark, const std::string& reason) {
    errors_.push_back(fmt::format("{}:{}: {}", name_, mark.line + 1, reason));
  }
  void Error(const YAML::Node& node, const std::string& reason) { Error(node.Mark(), reason); }

  void Document(const YAML::Node& root) {
    if (root.IsNull()) return;
    if (!root.IsMap()) return Error(root, "expected a map at the top level");
    for (const auto& entry : root) {
      const std::string key = entry.first.as<std::string>("");
      if (!IsKnownSection(key)) {
        Error(entry.first, fmt::format("unknown top-level key '{}'", key));
      } else if (key == "targets") {
        Targets(entry.second);
      } else if (key == "thresholds" || key == "alerts") {
        // thresholds: config/thresholds_file.cc; alerts: read by the alerts' own reader.
      } else {
        Scalars(key, entry.second);
      }
    }
  }

  // A scalar (listen: …) or a nested map of scalars (schedule: {fast: 1s}), flattened to dotted
  // keys and looked up in the settings table. auth.tokens is the one list among them.
  void Scalars(const std::string& key, const YAML::Node& node) {
    if (key == "auth.tokens") return Tokens(node);
    if (auto* list = MaintenanceList(key); list != nullptr) {
      if (key == "maintenance.windows")
        settings_.maintenance_windows_where = {name_, node.Mark().line + 1};
      *list = Strings(node, key);
      return;
    }
    if (node.IsMap()) {
      for (const auto& entry : node)
        Scalars(key + "." + entry.first.as<std::string>(""), entry.second);
      return;
    }
    const auto table = SettingsTable();
    const auto row =
        std::find_if(table.begin(), table.end(), [&](const SettingRow& r) { return r.key == key; });
    if (row == table.end()) return Error(node, fmt::format("unknown setting '{}'", key));
    if (!node.IsScalar()) return Error(node, fmt::format("{} must be a single value", key));
    if (common::Status s = ApplySetting(*row, node.Scalar(), settings_); !s.ok()) {
      Error(node, s.message());
    }
    common::LogLevel level;
    common::LogFormat format;
    if (key == "log.level" && !common::ParseLogLevel(node.Scalar(), &level)) {
      Error(node,
            fmt::format("log.level: '{}' is not debug, info, warn, error or off", node.Scalar()));
    }
    if (key == "log.format" && !common::ParseLogFormat(node.Scalar(), &format)) {
      Error(node, fmt::format("log.format: '{}' is not text or json", node.Scalar()));
    }
  }

  // The list settings of maintenance: (strings kept as written), or null for another key.
  std::vector<std::string>* MaintenanceList(const std::string& key) {
    if (key == "maintenance.windows") return &settings_.maintenance_windows;
    if (key == "maintenance.trusted_owners") return &settings_.maintenance_trusted_owners;
    if (key == "maintenance.protected_roles") return &settings_.maintenance_protected_roles;
    if (key == "maintenance.protected_applications") {
      return &settings_.maintenance_protected_applications;
    }
    return nullptr;
  }

  // The secret of `what` from exactly one of `<prefix>`, `<prefix>_env`, `<prefix>_file`.
  std::optional<std::string> Secret(const YAML::Node& map, const std::string& prefix,
                                    const std::string& what, bool required) {
    int given = 0;
    std::optional<std::string> secret;
    for (const auto& entry : map) {
      const std::string field = entry.first.as<std::string>("");
      if (field != prefix && field != prefix + "_env" && field != prefix + "_file") continue;
      ++given;
      if (!entry.second.IsScalar() || entry.second.Scalar().empty()) {
        Error(entry.second, fmt::format("{}: {} must be a non-empty string", what, field));
        continue;
      }
      const std::string& value = entry.second.Scalar();
      if (field == prefix) {
        secret = value;
      } else if (field == prefix + "_env") {
        const char* found = environment_ != nullptr ? environment_(value.c_str()) : nullptr;
        if (found == nullptr || *found == '\0') {
          Error(entry.second, fmt::format("{}: environment variable {} is not set", what, value));
        } else {
          secret = std::string(found);
        }
      } else {
        std::ifstream in(value);
        std::stringstream text;
        if (in) text << in.rdbuf();
        if (!in) {
          Error(entry.second, fmt::format("{}: cannot read {}", what, value));
        } else {
          secret = Trimmed(text.str());
          if (secret->empty()) Error(entry.second, fmt::format("{}: {} is empty", what, value));
        }
      }
    }
    if (given > 1) {
      Error(map, fmt::format("{0}: give only one of {1}, {1}_env, {1}_file", what, prefix));
    }
    if (given == 0 && required) {
      Error(map, fmt::format("{}: needs {}, {}_env or {}_file", what, prefix, prefix, prefix));
    }
    return secret;
  }

  void Tokens(const YAML::Node& node) {
    if (!node.IsSequence()) return Error(node, "auth.tokens must be a list");
    std::set<std::string> names;
    for (const auto& item : node) {
      if (!item.IsMap()) {
        Error(item, "a token is a map: {name, token | token_env | token_file, role}");
        continue;
      }
      TokenSetting token;
      token.where = {name_, item.Mark().line + 1};
      bool has_role = false;
      for (const auto& entry : item) {
        const std::string field = entry.first.as<std::string>("");
        const std::string value = entry.second.IsScalar() ? entry.second.Scalar() : "";
        if (field == "name") {
          token.name = value;
        } else if (field == "role") {
          has_role = true;
          if (value == "viewer")
            token.role = Role::kViewer;
          else if (value == "operator")
            token.role = Role::kOperator;
          else if (value == "admin")
            token.role = Role::kAdmin;
          else
            Error(entry.second, fmt::format("role '{}' is not viewer, operator or admin", value));
        } else if (field != "token" && field != "token_env" && field != "token_file") {
          Error(entry.first, fmt::format("unknown key '{}' in a token (expected name, token, "
                                         "token_env, token_file, role)",
                                         field));
        }
      }
      if (!ValidName(token.name)) {
        Error(item, "a token needs a name of letters, digits, '_', '-' or '.'");
      } else if (!names.insert(token.name).second) {
        Error(item, fmt::format("token name '{}' is used twice", token.name));
      }
      if (!has_role) Error(item, fmt::format("token {}: needs a role", token.name));
      auto secret = Secret(item, "token", "token " + token.name, /*required=*/true);
      if (secret.has_value()) {
        // Short tokens can be guessed; the check is on length only, never on the value's text.
        if (secret->size() < 8)
          Error(item, fmt::format("token {}: shorter than 8 characters", token.name));
        token.secret = std::move(*secret);
      }
      settings_.tokens.push_back(std::move(token));
    }
  }

  std::vector<std::string> Strings(const YAML::Node& node, const std::string& what) {
    std::vector<std::string> out;
    if (!node.IsSequence()) {
      Error(node, what + " must be a list of strings");
      return out;
    }
    for (const auto& item : node) {
      if (!item.IsScalar() || item.Scalar().empty()) {
        Error(item, what + ": each entry must be a non-empty string");
        continue;
      }
      out.push_back(item.Scalar());
    }
    return out;
  }

  void Databases(const YAML::Node& node, TargetSetting& target) {
    const std::string what = "target " + target.name + ": databases";
    if (node.IsSequence()) {
      target.databases = Strings(node, what);
      return;
    }
    if (!node.IsMap()) return Error(node, what + " must be a list or {include, exclude}");
    for (const auto& entry : node) {
      const std::string field = entry.first.as<std::string>("");
      if (field == "include")
        target.include_patterns = Strings(entry.second, what + ".include");
      else if (field == "exclude")
        target.exclude_patterns = Strings(entry.second, what + ".exclude");
      else
        Error(entry.first,
              fmt::format("unknown key '{}' in {} (expected include, exclude)", field, what));
    }
    if (target.include_patterns.empty()) target.include_patterns.push_back("*");
  }

  void Targets(const YAML::Node& node) {
    if (!node.IsSequence()) return Error(node, "targets must be a list");
    std::set<std::string> names;
    for (const auto& item : node) {
      if (!item.IsMap()) {
        Error(item, "a target is a map: {name, dsn, region, labels, databases, ...}");
        continue;
      }
      TargetSetting target;
      target.where = {name_, item.Mark().line + 1};
      for (const auto& entry : item) {
        const std::string field = entry.first.as<std::string>("");
        const YAML::Node& value = entry.second;
        const auto scalar = [&]() -> std::string {
          if (value.IsScalar()) return value.Scalar();
          Error(value, fmt::format("target {}: {} must be a single value", target.name, field));
          return "";
        };
        if (field == "name")
          target.name = scalar();
        else if (field == "dsn")
          target.dsn = scalar();
        else if (field == "region")
          target.region = scalar();
        else if (field == "pgbouncer_dsn")
          target.pgbouncer_dsn = scalar();
        else if (field == "maintenance_dsn")
          target.maintenance_dsn = scalar();
        else if (field == "storage_limit") {
          auto q = common::ParseQuantity(scalar());
          if (!q.has_value() ||
              (q->kind != common::QuantityKind::kBytes &&
               q->kind != common::QuantityKind::kNumber) ||
              q->value <= 0) {
            Error(value,
                  fmt::format("target {}: storage_limit must be a size (100GB)", target.name));
          } else {
            target.storage_limit_bytes = q->value;
          }
        } else if (field == "labels") {
          if (!value.IsMap()) {
            Error(value, fmt::format("target {}: labels must be a map", target.name));
            continue;
          }
          for (const auto& label : value) {
            const std::string key = label.first.as<std::string>("");
            if (!ValidLabelName(key) || key == "target" || key == "region" || key == "datname") {
              Error(label.first, fmt::format("target {}: '{}' cannot be a label name (letters, "
                                             "digits, '_'; not target, region, datname)",
                                             target.name, key));
            } else if (!label.second.IsScalar()) {
              Error(label.second,
                    fmt::format("target {}: label {} must be a string", target.name, key));
            } else {
              target.labels[key] = label.second.Scalar();
            }
          }
        } else if (field == "databases") {
          Databases(value, target);
        } else if (field != "password" && field != "password_env" && field != "password_file" &&
                   field != "maintenance_password" && field != "maintenance_password_env" &&
                   field != "maintenance_password_file") {
          Error(entry.first, fmt::format("unknown key '{}' in target {} (expected name, dsn, "
                                         "password_env, password_file, region, labels, "
                                         "databases, pgbouncer_dsn, storage_limit, "
                                         "maintenance_dsn, maintenance_password_env, "
                                         "maintenance_password_file)",
                                         field, target.name));
        }
      }
      if (!ValidName(target.name)) {
        Error(item, "a target needs a name of letters, digits, '_', '-' or '.'");
      } else if (!names.insert(target.name).second) {
        Error(item, fmt::format("target name '{}' is used twice", target.name));
      }
      if (target.dsn.empty()) Error(item, fmt::format("target {}: needs a dsn", target.name));
      auto password = Secret(item, "password", "target " + target.name, /*required=*/false);
      if (password.has_value() && !target.dsn.empty()) {
        // key=value DSNs take another pair; a URI takes it as a parameter.
        const bool is_uri =
            target.dsn.starts_with("postgres://") || target.dsn.starts_with("postgresql://");
        if (is_uri) {
          Error(item, fmt::format("target {}: password_env/password_file need a key=value dsn "
                                  "(host=… dbname=…), not a URI",
                                  target.name));
        } else {
          target.dsn += " password=" + ConninfoValue(*password);
        }
      }
      auto maintenance_password =
          Secret(item, "maintenance_password", "target " + target.name + " (maintenance)",
                 /*required=*/false);
      if (maintenance_password.has_value()) {
        if (target.maintenance_dsn.empty()) {
          Error(item, fmt::format("target {}: maintenance_password needs a maintenance_dsn",
                                  target.name));
        } else if (target.maintenance_dsn.starts_with("postgres://") ||
                   target.maintenance_dsn.starts_with("postgresql://")) {
          Error(item, fmt::format("target {}: maintenance_password_env/_file need a key=value "
                                  "maintenance_dsn, not a URI",
                                  target.name));
        } else {
          target.maintenance_dsn += " password=" + ConninfoValue(*maintenance_password);
        }
      }
      settings_.targets.push_back(std::move(target));
    }
  }

  SettingsFile Finish() { return {std::move(settings_), std::move(errors_)}; }

 private:
  std::string name_;
  const char* (*environment_)(const char*);
  Settings settings_ = DefaultSettings();
  std::vector<std::string> errors_;
};

}  // namespace

bool IsKnownSection(std::string_view key) {
  return std::find(kSections.begin(), kSections.end(), key) != kSections.end();
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "?";
}

SettingsFile ReadSettingsText(const std::string& text, const std::string& name,
                              const char* (*environment)(const char*)) {
  Reader reader(name, environment);
  try {
    reader.Document(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    reader.Error(e.mark, e.msg);
  }
  SettingsFile file = reader.Finish();
  file.settings.thresholds = ReadThresholdsText(text, name);
  file.settings.alerts = ReadAlertsText(text, name);
  EnvLookup env = nullptr;
  if (environment != nullptr) {
    env = [environment](const std::string& n) -> std::optional<std::string> {
      const char* v = environment(n.c_str());
      if (v == nullptr) return std::nullopt;
      return std::string(v);
    };
  } else {
    env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  }
  file.settings.channels = ReadChannelsText(text, name, env);
  // Every reader sees the whole file: a YAML syntax error is reported once, not several times.
  for (const auto* errors : {&file.settings.thresholds.errors, &file.settings.alerts.errors,
                             &file.settings.channels.errors}) {
    for (const std::string& e : *errors) {
      if (std::find(file.errors.begin(), file.errors.end(), e) == file.errors.end()) {
        file.errors.push_back(e);
      }
    }
  }
  return file;
}

SettingsFile ReadSettingsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {DefaultSettings(), {"cannot read " + path}};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ReadSettingsText(buffer.str(), path,
                          [](const char* n) -> const char* { return std::getenv(n); });
}

}  // namespace pgvigil::config
