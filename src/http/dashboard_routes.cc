// SPDX-License-Identifier: Apache-2.0
#include "http/dashboard_routes.h"

#include <algorithm>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace pgvigil::http {
namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

const DashboardAsset* Find(std::span<const DashboardAsset> assets, std::string_view name) {
  for (const DashboardAsset& asset : assets) {
    if (asset.name == name) return &asset;
  }
  return nullptr;
}

Response Serve(const DashboardAsset& asset, const Request& request) {
  const std::optional<std::string_view> accept = request.Header("accept-encoding");
  const bool gzip = accept && AcceptsGzip(*accept);
  // The two encodings are two representations, so each has its own strong ETag.
  std::string etag(asset.etag);
  if (gzip) etag.insert(etag.size() - 1, "-gz");
  Response r;
  r.content_type = std::string(ContentTypeFor(asset.name));
  r.headers = {{"Content-Security-Policy", std::string(kDashboardCsp)},
               {"X-Content-Type-Options", "nosniff"},
               {"Referrer-Policy", "no-referrer"},
               {"ETag", etag},
               // The names carry no hash, so clients revalidate each time; the ETag makes that
               // a 304 without a body.
               {"Cache-Control", "no-cache"},
               {"Vary", "Accept-Encoding"}};
  if (std::optional<std::string_view> match = request.Header("if-none-match");
      match && *match == etag) {
    r.status = 304;
    return r;
  }
  if (gzip) {
    r.headers.emplace_back("Content-Encoding", "gzip");
    r.body = std::string(asset.gzip);
  } else {
    r.body = std::string(asset.plain);
  }
  return r;
}

}  // namespace

std::string_view ContentTypeFor(std::string_view name) {
  if (EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(name, ".js")) return "text/javascript; charset=utf-8";
  if (EndsWith(name, ".css")) return "text/css; charset=utf-8";
  if (EndsWith(name, ".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

bool AcceptsGzip(std::string_view header) {
  // "gzip, deflate, br" · "gzip;q=0.5" · "*" · "gzip;q=0" (refused)
  while (!header.empty()) {
    const std::size_t comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const std::size_t semi = item.find(';');
    const std::string coding = Lower(Trim(item.substr(0, semi)));
    if (coding != "gzip" && coding != "*") continue;
    if (semi == std::string_view::npos) return true;
    std::string params = Lower(item.substr(semi + 1));
    params.erase(std::remove(params.begin(), params.end(), ' '), params.end());
    const std::size_t q = params.find("q=");
    if (q == std::string::npos) return true;
    const std::string value = params.substr(q + 2);
    // q=0, q=0.0, q=0.000 refuse; anything else admits.
    if (value.find_first_not_of("0.") == std::string::npos) return false;
    return true;
  }
  return false;
}

common::Status AddDashboardRoutes(Router& router, std::span<const DashboardAsset> assets) {
  const DashboardAsset* index = Find(assets, "index.html");
  if (index == nullptr) return common::InvalidArgumentError("the dashboard has no index.html");
  PGV_RETURN_IF_ERROR(router.Add("GET", "/", Role::kViewer, [index](const Request& request) {
    return Serve(*index, request);
  }));
  PGV_RETURN_IF_ERROR(
      router.Add("GET", "/assets/{file...}", Role::kViewer, [assets](const Request& request) {
        // Only a name in the embedded list answers, so "../x" or "a/b" can never reach a file.
        const std::string_view name = request.Param("file");
        const DashboardAsset* asset = Find(assets, name);
        if (asset == nullptr || name == "index.html") return NotFoundResponse(request.path);
        return Serve(*asset, request);
      }));
  return router.Add("GET", "/api/v1/whoami", Role::kViewer, [](const Request& request) {
    const nlohmann::json out = {{"name", request.principal.name},
                                {"role", RoleName(request.principal.role)}};
    return Response::Json(out.dump());
  });
}

}  // namespace pgvigil::http
