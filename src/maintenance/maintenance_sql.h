// SPDX-License-Identifier: Apache-2.0
// The SQL of maintenance/sql/, embedded at build time.
#pragma once

#include <string_view>

namespace pgvigil::maintenance {

// The text of maintenance/sql/<name>; aborts on an unknown name (a build error in disguise).
std::string_view MaintenanceSql(std::string_view name);

}  // namespace pgvigil::maintenance
