// SPDX-License-Identifier: Apache-2.0
#include "config/channels_file.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

namespace pgvigil::config {
namespace {

class Reader {
 public:
  Reader(std::string name, EnvLookup env) : name_(std::move(name)), env_(std::move(env)) {}

  void Error(const YAML::Node& node, const std::string& reason) {
    out_.errors.push_back(fmt::format("{}:{}: {}", name_, node.Mark().line + 1, reason));
  }

  std::optional<std::string> Scalar(const YAML::Node& node, const std::string& what) {
    if (!node.IsScalar() || node.Scalar().empty()) {
      Error(node, what + " must be a non-empty string");
      return std::nullopt;
    }
    return node.Scalar();
  }

  // The secret named by `<key>_env` or `<key>_file` in `map`; the error never shows a value.
  std::optional<std::string> Secret(const YAML::Node& map, const std::string& key,
                                    const std::string& where) {
    const YAML::Node env = map[key + "_env"];
    const YAML::Node file = map[key + "_file"];
    if (env && file) {
      Error(map, fmt::format("{}: set {}_env or {}_file, not both", where, key, key));
      return std::nullopt;
    }
    if (env) {
      auto var = Scalar(env, where + "." + key + "_env");
      if (!var) return std::nullopt;
      std::optional<std::string> value = env_(*var);
      if (!value || value->empty()) {
        Error(env, fmt::format("{}: environment variable {} is not set", where, *var));
        return std::nullopt;
      }
      return value;
    }
    if (file) {
      auto path = Scalar(file, where + "." + key + "_file");
      if (!path) return std::nullopt;
      std::ifstream in(*path);
      std::stringstream buffer;
      if (!in || !(buffer << in.rdbuf())) {
        Error(file, fmt::format("{}: cannot read {}", where, *path));
        return std::nullopt;
      }
      std::string value = buffer.str();
      while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
      if (value.empty()) {
        Error(file, fmt::format("{}: {} is empty", where, *path));
        return std::nullopt;
      }
      return value;
    }
    return std::nullopt;
  }

  void CheckKeys(const YAML::Node& map, const std::set<std::string>& allowed,
                 const std::string& where) {
    for (const auto& entry : map) {
      const std::string key = entry.first.as<std::string>("");
      if (!allowed.count(key))
        Error(entry.first, fmt::format("unknown key '{}' in {}", key, where));
    }
  }

  static bool HasScheme(const std::string& url, std::initializer_list<const char*> schemes) {
    for (const char* scheme : schemes) {
      if (url.rfind(std::string(scheme) + "://", 0) == 0) return true;
    }
    return false;
  }

  static bool HasUserInfo(const std::string& url) {
    const size_t start = url.find("://");
    if (start == std::string::npos) return false;
    const size_t end = url.find_first_of("/?#", start + 3);
    return url.substr(start + 3, end == std::string::npos ? end : end - start - 3).find('@') !=
           std::string::npos;
  }

  void Channel(const YAML::Node& node) {
    if (!node.IsMap()) {
      Error(node, "a channel must be a map with name and type");
      return;
    }
    ChannelConfig c;
    c.file = name_;
    c.line = node.Mark().line + 1;
    if (auto n = node["name"] ? Scalar(node["name"], "channel name") : std::nullopt) c.name = *n;
    if (c.name.empty()) {
      if (!node["name"]) Error(node, "a channel needs a name");
      return;
    }
    const std::string where = "channel " + c.name;
    if (!names_.insert(c.name).second) Error(node["name"], where + " is defined twice");
    if (node["type"]) c.type = Scalar(node["type"], where + ".type").value_or("");
    static const std::set<std::string> kTypes = {"webhook", "slack", "email", "alertmanager"};
    if (!kTypes.count(c.type)) {
      Error(node["type"] ? node["type"] : node,
            where + ": type must be webhook, slack, email or alertmanager");
      return;
    }
    if (c.type == "email") {
      CheckKeys(node, {"name", "type", "smtp"}, where);
      Smtp(node["smtp"], node, where, &c.smtp);
    } else {
      std::set<std::string> allowed = {"name", "type", "url", "url_env", "url_file"};
      if (c.type == "webhook") allowed.insert({"hmac_secret_env", "hmac_secret_file"});
      CheckKeys(node, allowed, where);
      const int sources =
          (node["url"] ? 1 : 0) + (node["url_env"] ? 1 : 0) + (node["url_file"] ? 1 : 0);
      if (sources != 1) {
        Error(node, where + ": set exactly one of url, url_env, url_file");
      } else if (node["url"]) {
        if (c.type == "slack") {
          Error(node["url"], where + ": a Slack webhook URL is a secret: use url_env or url_file");
        } else if (auto url = Scalar(node["url"], where + ".url")) {
          if (HasUserInfo(*url)) {
            Error(node["url"], where +
                                   ": a URL with credentials is a secret: use url_env or "
                                   "url_file");
          }
          c.url = *url;
        }
      } else {
        c.url = Secret(node, "url", where).value_or("");
      }
      if (!c.url.empty() && !HasScheme(c.url, {"http", "https"})) {
        Error(node, where + ": the URL must start with http:// or https://");  // value not shown
      }
      if (c.type == "webhook") c.hmac_secret = Secret(node, "hmac_secret", where).value_or("");
    }
    out_.channels.push_back(std::move(c));
  }

  void Smtp(const YAML::Node& smtp, const YAML::Node& parent, const std::string& where,
            SmtpChannelConfig* out) {
    if (!smtp || !smtp.IsMap()) {
      Error(smtp ? smtp : parent, where + ": an email channel needs an smtp map");
      return;
    }
    CheckKeys(smtp, {"url", "from", "to", "username", "password_env", "password_file", "starttls"},
              where + ".smtp");
    if (smtp["url"]) out->url = Scalar(smtp["url"], where + ".smtp.url").value_or("");
    if (out->url.empty() || !HasScheme(out->url, {"smtp", "smtps"}) || HasUserInfo(out->url)) {
      Error(smtp, where +
                      ".smtp.url must be smtp://host:port or smtps://host:port "
                      "(credentials go in username and password_env/password_file)");
    }
    if (smtp["from"]) out->from = Scalar(smtp["from"], where + ".smtp.from").value_or("");
    if (out->from.empty()) Error(smtp, where + ".smtp.from is required");
    const YAML::Node to = smtp["to"];
    if (to && to.IsSequence()) {
      for (const auto& item : to) {
        if (auto address = Scalar(item, where + ".smtp.to[]")) out->to.push_back(*address);
      }
    } else if (to && to.IsScalar()) {
      out->to.push_back(to.Scalar());
    }
    if (out->to.empty()) Error(smtp, where + ".smtp.to needs at least one address");
    if (smtp["username"]) {
      out->username = Scalar(smtp["username"], where + ".smtp.username").value_or("");
      out->password = Secret(smtp, "password", where + ".smtp").value_or("");
      if (!smtp["password_env"] && !smtp["password_file"]) {
        Error(smtp, where + ".smtp: a username needs password_env or password_file");
      }
    }
    if (smtp["starttls"]) {
      bool value = true;
      if (!YAML::convert<bool>::decode(smtp["starttls"], value)) {
        Error(smtp["starttls"], where + ".smtp.starttls must be true or false");
      }
      out->starttls = value;
    }
  }

  void Route(const YAML::Node& node) {
    if (!node.IsMap()) {
      Error(node, "a route must be a map with match and channels");
      return;
    }
    RouteConfig r;
    r.file = name_;
    r.line = node.Mark().line + 1;
    CheckKeys(node, {"match", "channels"}, "route");
    if (const YAML::Node match = node["match"]; match) {
      if (!match.IsMap()) {
        Error(match, "route.match must be a map");
      } else {
        CheckKeys(match, {"severity_min", "targets", "labels"}, "route.match");
        if (match["severity_min"]) {
          r.severity_min = Scalar(match["severity_min"], "severity_min").value_or("");
          if (r.severity_min != "info" && r.severity_min != "warning" &&
              r.severity_min != "critical") {
            Error(match["severity_min"], "severity_min must be info, warning or critical");
          }
        }
        if (const YAML::Node targets = match["targets"]; targets) {
          if (targets.IsScalar()) {
            r.targets.push_back(targets.Scalar());
          } else if (targets.IsSequence()) {
            for (const auto& t : targets) {
              if (auto glob = Scalar(t, "route.match.targets[]")) r.targets.push_back(*glob);
            }
          } else {
            Error(targets, "route.match.targets must be a glob or a list of globs");
          }
        }
        if (const YAML::Node labels = match["labels"]; labels) {
          if (!labels.IsMap()) {
            Error(labels, "route.match.labels must be a map");
          } else {
            for (const auto& l : labels) {
              r.labels[l.first.as<std::string>("")] = l.second.as<std::string>("");
            }
          }
        }
      }
    }
    const YAML::Node channels = node["channels"];
    if (!channels || !channels.IsSequence() || channels.size() == 0) {
      Error(channels ? channels : node, "a route needs a non-empty list of channels");
    } else {
      for (const auto& c : channels) {
        if (auto name = Scalar(c, "route.channels[]")) {
          r.channels.push_back(*name);
          pending_refs_.push_back({*name, c});
        }
      }
    }
    out_.routes.push_back(std::move(r));
  }

  ChannelsFile Read(const std::string& text) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      out_.errors.push_back(fmt::format("{}:{}: {}", name_, e.mark.line + 1, e.msg));
      return std::move(out_);
    }
    if (!root.IsMap() || !root["alerts"] || !root["alerts"].IsMap()) return std::move(out_);
    const YAML::Node alerts = root["alerts"];
    if (const YAML::Node channels = alerts["channels"]; channels) {
      if (!channels.IsSequence()) {
        Error(channels, "alerts.channels must be a list");
      } else {
        for (const auto& c : channels) Channel(c);
      }
    }
    if (const YAML::Node routes = alerts["routes"]; routes) {
      if (!routes.IsSequence()) {
        Error(routes, "alerts.routes must be a list");
      } else {
        for (const auto& r : routes) Route(r);
      }
    }
    for (const auto& [channel, node] : pending_refs_) {
      if (!names_.count(channel)) Error(node, "route names unknown channel '" + channel + "'");
    }
    return std::move(out_);
  }

 private:
  std::string name_;
  EnvLookup env_;
  ChannelsFile out_;
  std::set<std::string> names_;
  std::vector<std::pair<std::string, YAML::Node>> pending_refs_;
};

std::optional<std::string> GetEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

}  // namespace

ChannelsFile ReadChannelsText(const std::string& text, const std::string& name,
                              const EnvLookup& env) {
  return Reader(name, env ? env : EnvLookup(GetEnv)).Read(text);
}

ChannelsFile ReadChannelsFile(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path);
  if (!in) return {{}, {}, {"cannot read " + path}};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ReadChannelsText(buffer.str(), path, env);
}

}  // namespace pgvigil::config
