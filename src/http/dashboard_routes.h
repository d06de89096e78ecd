// SPDX-License-Identifier: Apache-2.0
// The web dashboard's routes: GET / (index.html) and GET /assets/{file} (the embedded files of
// web/, dashboard_assets.h). The page holds no data, so these routes are public (auth.h); the
// data it shows comes from the API routes, with the token the user enters. Every answer carries
// a strict Content-Security-Policy (scripts and styles from this origin only, no inline script,
// connections to this origin only), an ETag (304 on If-None-Match) and, to a client that
// accepts it, the pre-compressed gzip body. Also GET /api/v1/whoami (viewer): the caller's token
// name and role, so the page can show only the controls the role may use.
#pragma once

#include <span>
#include <string_view>

#include "common/status.h"
#include "http/dashboard_assets.h"
#include "http/router.h"

namespace pgvigil::http {

inline constexpr std::string_view kDashboardCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

// Adds "/", "/assets/{file...}" serving `assets`, and "/api/v1/whoami".
common::Status AddDashboardRoutes(Router& router, std::span<const DashboardAsset> assets);

// "text/javascript; charset=utf-8" for "app.js", …; "application/octet-stream" when unknown.
std::string_view ContentTypeFor(std::string_view file_name);

// True when an Accept-Encoding header value admits gzip (a "gzip" coding whose q is not 0).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace pgvigil::http
