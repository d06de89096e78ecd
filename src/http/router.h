// SPDX-License-Identifier: Apache-2.0
// The Router maps a method and a path to a handler. Patterns are literal segments and
// parameters: "/api/v1/alerts/{id}" (one segment) or "/assets/{path...}" (the rest, last only).
// A literal segment beats a parameter when two patterns match. GET routes answer HEAD as well.
// Each route declares the minimum Role it needs; the Server authenticates before calling it.
// Build the router before Server::Start; afterwards it is read-only and thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "http/auth.h"
#include "http/json_error.h"
#include "http/query_string.h"
#include "http/stream_writer.h"

namespace pgvigil::http {

inline constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

using PathParams = std::map<std::string, std::string, std::less<>>;

// One request as a handler sees it. Everything is decoded; header names are lower case.
struct Request {
  std::string method;  // "GET", "POST", … ("HEAD" reaches the GET handler)
  std::string path;    // raw path, without the query string
  std::string route;   // the matched pattern: "/api/v1/alerts/{id}"
  PathParams params;   // {"id": "42"}, percent-decoded
  QueryParams query;   // in order, repeated keys kept
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  Principal principal;         // who is asking (token name + role, or "anonymous")
  std::string remote_address;  // "127.0.0.1:51234", "[::1]:51234"

  // Case-insensitive; the first header of that name.
  std::optional<std::string_view> Header(std::string_view name) const;
  // The first value of `key`, or nullopt.
  std::optional<std::string_view> Query(std::string_view key) const;
  // Every value of `key`, in order.
  std::vector<std::string_view> QueryAll(std::string_view key) const;
  // A path parameter; empty when the pattern has none of that name.
  std::string_view Param(std::string_view name) const;
};

// What a handler returns: a whole response, or (when `stream` is set) a streaming one: the
// server then sends 200 with `content_type` and the extra headers, and calls `stream` with the
// connection.
struct Response {
  int status = 200;
  std::string content_type{kJsonContentType};
  std::string body;
  // Instead of `body`: a body shared with a cache (rendered_bodies.h), sent without a copy — a
  // health body is copied per request otherwise, the largest part of a cached read's cost.
  std::shared_ptr<const std::string> shared_body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra, e.g. {"Location", "…"}
  std::function<void(std::shared_ptr<StreamWriter>)> stream;
  // A response the handler cannot give on the loop without blocking it (it needs another
  // thread, e.g. a database round trip): the server calls `deferred` with a `respond` function
  // that may be called once, from any thread; the answer is written on the loop. The connection
  // reads nothing meanwhile; if the server stops first, the connection closes and the late
  // answer is dropped.
  std::function<void(std::function<void(Response)> respond)> deferred;
  // Instead of `body`: a body made piece by piece while it is sent (chunked transfer coding),
  // so that a large one is never whole in memory. The server calls `pull` on the loop with an
  // empty string each time the previous piece has been written: it appends the next piece and
  // returns true, or returns false when the body has ended (what that call appended is the
  // last piece). Not called for HEAD. An HTTP/1.0 client, which knows no chunks, gets the
  // pieces gathered into one body.
  std::function<bool(std::string& piece)> pull;

  static Response Json(std::string body, int status = 200);
  static Response SharedJson(std::shared_ptr<const std::string> body, int status = 200);
  static Response SharedText(std::shared_ptr<const std::string> body, std::string content_type,
                             int status = 200);
  // The JSON error shape (json_error.h) with the error's status.
  static Response Error(const ApiError& error);
  static Response Text(std::string body, std::string content_type, int status = 200);
  static Response Stream(std::string content_type,
                         std::function<void(std::shared_ptr<StreamWriter>)> on_open);
  static Response Deferred(std::function<void(std::function<void(Response)>)> start);
  static Response Pulled(std::string content_type, std::function<bool(std::string&)> pull);

  // The body to send: `shared_body` when set, else `body`.
  std::string_view Body() const { return shared_body != nullptr ? *shared_body : body; }
};

using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string method;   // upper case
  std::string pattern;  // "/api/v1/alerts/{id}"
  Role min_role = Role::kViewer;
  Handler handler;
};

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;  // kFound
  PathParams params;             // kFound
  std::string allow;             // kMethodNotAllowed: "GET, HEAD, PATCH"
};

class Router {
 public:
  // kInvalidArgument on a malformed pattern (not starting with '/', an empty or unclosed
  // parameter, "{x...}" not last) or a method + pattern registered twice.
  common::Status Add(std::string method, std::string pattern, Role min_role, Handler handler);

  RouteMatch Match(std::string_view method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    enum class Kind { kRest = 0, kParam = 1, kLiteral = 2 };
    Kind kind;
    std::string text;  // literal text or parameter name
  };
  struct Compiled {
    std::vector<Segment> segments;
  };
  // The parameters when `compiled` matches the decoded `segments`.
  static std::optional<PathParams> MatchSegments(const Compiled& compiled,
                                                 const std::vector<std::string>& segments);

  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;  // parallel to routes_
};

// The 404 and 405 answers the server sends (JSON error shape; 405 carries "Allow").
Response NotFoundResponse(std::string_view path);
Response MethodNotAllowedResponse(std::string_view method, std::string_view allow);

}  // namespace pgvigil::http
