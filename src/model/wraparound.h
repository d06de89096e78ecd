// SPDX-License-Identifier: Apache-2.0
// Transaction-id and multixact ages per database, and prepared transactions (which hold back
// the xmin horizon until committed or rolled back). Per-table ages live in TableStats.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pgvigil::model {

struct DatabaseAge {
  std::string datname;
  std::int64_t datfrozenxid_age = 0;  // age(datfrozenxid)
  std::int64_t datminmxid_age = 0;    // mxid_age(datminmxid)
  bool datallowconn = true;
};

struct PreparedTransaction {
  std::string gid;
  std::string owner;
  std::string datname;
  double prepared_age_seconds = 0;
  std::int64_t xid_age = 0;  // age(transaction)
};

}  // namespace pgvigil::model
