// SPDX-License-Identifier: Apache-2.0
// Shell-style globs over names (targets, objects, check ids, databases): '*' any run of
// characters, '?' one character, everything else literal. Pure, thread-safe.
#pragma once

#include <string_view>

namespace pgvigil::common {

bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace pgvigil::common
