// SPDX-License-Identifier: Apache-2.0
// What a monitoring session learned about its server when it connected: version, role,
// privileges, extensions. Read once per connection (pg/sql/server_info.sql). Plain data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace pgvigil::pg {

struct Extension {
  std::string name;
  std::string version;  // extversion: "1.10"
  std::string schema;   // where its objects live; quote it before use
};

struct ServerInfo {
  int server_version_num = 0;  // 150018
  std::string server_version;  // "15.18 (Debian 15.18-0+deb12u1)"
  bool is_in_recovery = false;
  std::string current_database;
  std::string current_user;
  bool is_superuser = false;
  bool has_pg_monitor = false;      // member of pg_monitor (or superuser)
  bool has_read_all_stats = false;  // member of pg_read_all_stats (pg_monitor implies it)
  int block_size = 8192;
  common::Timestamp postmaster_start_time{};
  std::vector<Extension> extensions;  // installed in current_database

  int major() const { return server_version_num / 10000; }
  const Extension* FindExtension(std::string_view name) const {
    for (const Extension& e : extensions) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }
};

}  // namespace pgvigil::pg
