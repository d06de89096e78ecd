// SPDX-License-Identifier: Apache-2.0
// The catalog of collector SQL (collect/sql/*.sql, embedded at build time). A query has
// variants per PostgreSQL major side by side: "stat_bgwriter.sql" works on the oldest
// supported major, "stat_bgwriter.pg17.sql" takes over from 17 on. Find() picks the highest
// variant whose version is ≤ the one asked for. Immutable after construction; thread-safe.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/embedded_file.h"
#include "common/result.h"

namespace pgvigil::collect {

inline constexpr int kOldestSupportedMajor = 13;

class QueryCatalog {
 public:
  // The catalog of the embedded collect/sql files.
  static const QueryCatalog& Builtin();

  explicit QueryCatalog(std::span<const common::EmbeddedFile> files);

  // The SQL of `name` for `version` (a PostgreSQL major, or for extension queries the major
  // that shipped that extension version). kUnsupported when every variant is newer, kNotFound
  // for an unknown name.
  common::Result<std::string_view> Find(std::string_view name, int version) const;

  // Every query name, with the versions of its variants (0 = the base file).
  const std::map<std::string, std::map<int, std::string_view>, std::less<>>& entries() const {
    return entries_;
  }

 private:
  std::map<std::string, std::map<int, std::string_view>, std::less<>> entries_;
};

// Replaces each "{{key}}" in `sql` by its value. Values are inserted as they are: quote them
// (pg::QuoteIdentifier) before.
std::string SubstitutePlaceholders(std::string_view sql,
                                   const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace pgvigil::collect
