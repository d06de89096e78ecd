// SPDX-License-Identifier: Apache-2.0
// The dashboard's files, embedded into the binary at build time from web/ by
// cmake/DashboardAssets.cmake (the generated dashboard_assets.cc is never committed).
#pragma once

#include <span>
#include <string_view>

namespace pgvigil::http {

struct DashboardAsset {
  std::string_view name;   // the file name without its folder: "app.js", "uPlot.esm.js"
  std::string_view etag;   // quoted, as sent in ETag: "\"3f2a…\"" (a prefix of the SHA-256)
  std::string_view plain;  // the bytes of the file
  std::string_view gzip;   // the same, gzip -9
};

std::span<const DashboardAsset> DashboardAssets();

}  // namespace pgvigil::http
