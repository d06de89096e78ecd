// SPDX-License-Identifier: Apache-2.0
#include "pg/sql_state.h"

namespace pgvigil::pg {

using common::StatusCode;

StatusCode StatusCodeForSqlState(std::string_view s) {
  if (s == "57014" || s == "55P03") return StatusCode::kTimeout;
  if (s.substr(0, 2) == "28" || s == "42501") return StatusCode::kPermissionDenied;
  // 55000: a prerequisite is missing ("pg_stat_statements must be loaded via
  // shared_preload_libraries", "recovery is in progress"): the feature is not there.
  if (s == "42P01" || s == "42883" || s == "42703" || s == "0A000" || s == "55000") {
    return StatusCode::kUnsupported;
  }
  if (s == "3D000") return StatusCode::kNotFound;
  if (s.substr(0, 2) == "08" || s.substr(0, 4) == "57P0") return StatusCode::kUnavailable;
  return StatusCode::kInternal;
}

}  // namespace pgvigil::pg
