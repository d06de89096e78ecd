// SPDX-License-Identifier: Apache-2.0
// Percent-decoding and query-string parsing (application/x-www-form-urlencoded, as browsers and
// curl send it). Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace pgvigil::http {

// Ordered key/value pairs; a key may repeat ("?severity=warning&severity=critical").
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, as in a query string).
// kInvalidArgument on a truncated or non-hex escape.
common::Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// "a=1&b=x%20y&a=2" → {a,1} {b,"x y"} {a,2}. Empty pieces are skipped; "flag" alone gives
// {flag,""}. kInvalidArgument on a malformed escape.
common::Result<QueryParams> ParseQuery(std::string_view query);

}  // namespace pgvigil::http
