// SPDX-License-Identifier: Apache-2.0
// The SQL of pg/sql/, embedded at build time.
#pragma once

#include <string_view>

namespace pgvigil::pg {

// The text of pg/sql/<name>; aborts on an unknown name (a build error in disguise).
std::string_view EmbeddedSql(std::string_view name);

}  // namespace pgvigil::pg
