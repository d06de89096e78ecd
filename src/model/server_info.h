// SPDX-License-Identifier: Apache-2.0
// The monitored server as the snapshot records it: version, role, privileges, extensions,
// and how long connecting took. Plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"

namespace pgvigil::model {

struct ExtensionInfo {
  std::string name;
  std::string version;
  std::string schema;
};

struct ServerInfo {
  int server_version_num = 0;
  std::string server_version;
  bool is_in_recovery = false;
  std::string current_database;
  std::string current_user;
  bool is_superuser = false;
  bool has_pg_monitor = false;
  bool has_read_all_stats = false;
  int block_size = 8192;
  common::Timestamp postmaster_start_time{};
  std::vector<ExtensionInfo> extensions;
  double connect_seconds = 0;     // TCP + TLS + authentication
  double round_trip_seconds = 0;  // the session set-up query: one round trip, trivial server work
};

}  // namespace pgvigil::model
