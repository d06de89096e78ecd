// SPDX-License-Identifier: Apache-2.0
#include "http/router.h"

#include <algorithm>
#include <set>

namespace pgvigil::http {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const std::size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

}  // namespace

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::Query(std::string_view key) const {
  for (const auto& [k, v] : query) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::vector<std::string_view> Request::QueryAll(std::string_view key) const {
  std::vector<std::string_view> values;
  for (const auto& [k, v] : query) {
    if (k == key) values.push_back(v);
  }
  return values;
}

std::string_view Request::Param(std::string_view name) const {
  const auto it = params.find(name);
  return it == params.end() ? std::string_view() : std::string_view(it->second);
}

Response Response::Json(std::string body, int status) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::SharedJson(std::shared_ptr<const std::string> body, int status) {
  Response r;
  r.status = status;
  r.shared_body = std::move(body);
  return r;
}

Response Response::SharedText(std::shared_ptr<const std::string> body, std::string content_type,
                              int status) {
  Response r = SharedJson(std::move(body), status);
  r.content_type = std::move(content_type);
  return r;
}

Response Response::Error(const ApiError& error) { return Json(ErrorBody(error), error.status); }

Response Response::Text(std::string body, std::string content_type, int status) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::Stream(std::string content_type,
                          std::function<void(std::shared_ptr<StreamWriter>)> on_open) {
  Response r;
  r.content_type = std::move(content_type);
  r.stream = std::move(on_open);
  return r;
}

Response Response::Deferred(std::function<void(std::function<void(Response)>)> start) {
  Response r;
  r.deferred = std::move(start);
  return r;
}

Response Response::Pulled(std::string content_type, std::function<bool(std::string&)> pull) {
  Response r;
  r.content_type = std::move(content_type);
  r.pull = std::move(pull);
  return r;
}

common::Status Router::Add(std::string method, std::string pattern, Role min_role,
                           Handler handler) {
  auto invalid = [&](std::string_view why) {
    return common::InvalidArgumentError("route \"" + method + " " + pattern +
                                        "\": " + std::string(why));
  };
  if (pattern.empty() || pattern.front() != '/') return invalid("pattern must start with '/'");
  if (method.empty()) return invalid("empty method");
  std::transform(method.begin(), method.end(), method.begin(), [](char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
  });
  Compiled compiled;
  const std::vector<std::string_view> parts = SplitPath(pattern);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string_view part = parts[i];
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      std::string_view name = part.substr(1, part.size() - 2);
      Segment::Kind kind = Segment::Kind::kParam;
      if (name.size() > 3 && name.substr(name.size() - 3) == "...") {
        if (i + 1 != parts.size()) return invalid("a {name...} parameter must be last");
        name.remove_suffix(3);
        kind = Segment::Kind::kRest;
      }
      if (name.empty() || name.find_first_of("{}/") != std::string_view::npos) {
        return invalid("bad parameter name");
      }
      compiled.segments.push_back({kind, std::string(name)});
    } else if (part.find_first_of("{}") != std::string_view::npos) {
      return invalid("a parameter must be a whole segment");
    } else {
      compiled.segments.push_back({Segment::Kind::kLiteral, std::string(part)});
    }
  }
  for (const Route& route : routes_) {
    if (route.method == method && route.pattern == pattern) return invalid("registered twice");
  }
  routes_.push_back({std::move(method), std::move(pattern), min_role, std::move(handler)});
  compiled_.push_back(std::move(compiled));
  return common::Status::Ok();
}

std::optional<PathParams> Router::MatchSegments(const Compiled& compiled,
                                                const std::vector<std::string>& segments) {
  PathParams params;
  std::size_t i = 0;
  for (const Segment& segment : compiled.segments) {
    if (segment.kind == Segment::Kind::kRest) {
      std::string rest;
      for (std::size_t j = i; j < segments.size(); ++j) {
        if (j > i) rest.push_back('/');
        rest += segments[j];
      }
      params.emplace(segment.text, std::move(rest));
      return params;
    }
    if (i >= segments.size()) return std::nullopt;
    if (segment.kind == Segment::Kind::kLiteral) {
      if (segment.text != segments[i]) return std::nullopt;
    } else {
      if (segments[i].empty()) return std::nullopt;
      params.emplace(segment.text, segments[i]);
    }
    ++i;
  }
  if (i != segments.size()) return std::nullopt;
  return params;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  // Decode each segment after splitting, so an encoded '/' (%2F) stays inside its parameter.
  std::vector<std::string> segments;
  for (const std::string_view part : SplitPath(path)) {
    common::Result<std::string> decoded = PercentDecode(part, /*plus_is_space=*/false);
    segments.push_back(decoded.ok() ? std::move(decoded).value() : std::string(part));
  }
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;

  RouteMatch best;
  std::vector<int> best_rank;
  std::set<std::string> allowed;
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    std::optional<PathParams> params = MatchSegments(compiled_[r], segments);
    if (!params) continue;
    allowed.insert(routes_[r].method);
    if (routes_[r].method == "GET") allowed.insert("HEAD");
    if (routes_[r].method != wanted) continue;
    std::vector<int> rank;
    for (const Segment& s : compiled_[r].segments) rank.push_back(static_cast<int>(s.kind));
    if (best.route == nullptr || rank > best_rank) {
      best.kind = RouteMatch::Kind::kFound;
      best.route = &routes_[r];
      best.params = std::move(*params);
      best_rank = std::move(rank);
    }
  }
  if (best.route != nullptr || allowed.empty()) return best;
  best.kind = RouteMatch::Kind::kMethodNotAllowed;
  for (const std::string& m : allowed) {
    if (!best.allow.empty()) best.allow += ", ";
    best.allow += m;
  }
  return best;
}

Response NotFoundResponse(std::string_view path) {
  return Response::Error(NotFound("no route for path \"" + std::string(path) + "\""));
}

Response MethodNotAllowedResponse(std::string_view method, std::string_view allow) {
  Response r = Response::Error(MethodNotAllowed(
      "method " + std::string(method) + " is not allowed here; allowed: " + std::string(allow)));
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

}  // namespace pgvigil::http
