// SPDX-License-Identifier: Apache-2.0
// A file embedded into the binary at build time by cmake/EmbedFiles.cmake.
#pragma once

#include <string_view>

namespace pgvigil::common {

struct EmbeddedFile {
  std::string_view name;      // the file name without its folder: "stat_activity.pg14.sql"
  std::string_view contents;  // the bytes of the file
};

}  // namespace pgvigil::common
