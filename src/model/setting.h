// SPDX-License-Identifier: Apache-2.0
// A server setting from pg_settings. Only the settings analysis needs are read, and none that
// may hold a secret: archive_command and restore_command are reported as "set" or "" (or
// "(disabled)", which archive_command shows while archive_mode is off).
#pragma once

#include <string>

namespace pgvigil::model {

struct Setting {
  std::string name;
  std::string setting;  // in the setting's unit (below), as pg_settings reports it
  std::string unit;     // "8kB", "ms", "s", … or empty
  std::string vartype;  // "bool", "integer", "real", "string", "enum"
  std::string source;   // "default", "configuration file", …
  bool pending_restart = false;
};

}  // namespace pgvigil::model
