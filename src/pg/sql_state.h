// SPDX-License-Identifier: Apache-2.0
// PostgreSQL's SQLSTATE codes as pgvigil status codes. Pure function, thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"

namespace pgvigil::pg {

// The StatusCode for a PostgreSQL SQLSTATE: 57014/55P03 → kTimeout, class 28 and 42501 →
// kPermissionDenied, 42P01/42883/42703/0A000/55000 → kUnsupported, 3D000 → kNotFound, class 08 and
// 57P0x → kUnavailable, anything else kInternal.
common::StatusCode StatusCodeForSqlState(std::string_view sqlstate);

}  // namespace pgvigil::pg
