// SPDX-License-Identifier: Apache-2.0
// Reads the daemon's YAML file into config::Settings: scalars through the settings table,
// targets, auth tokens (literal, from an environment variable or from a file) and the
// thresholds section. Every problem is reported with file and line, all at once; a file with
// any error yields no usable Settings. Secrets read here are never put into error messages.
//
//   listen: "127.0.0.1:8787"
//   store: { path: "var/pgvigil.db" }
//   schedule: { fast: 1s, standard: 15s, slow: 5min }
//   auth:
//     tokens:
//       - { name: ops, token_env: PGVIGIL_OPS_TOKEN, role: operator }
//   targets:
//     - name: main
//       dsn: "host=db1 dbname=app user=pgvigil_monitor"
//       password_file: /etc/pgvigil/main.password
//       region: eu-west
//       labels: { env: prod }
//       databases: { include: ["*"], exclude: ["scratch_*"] }
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"

namespace pgvigil::config {

struct SettingsFile {
  Settings settings;
  std::vector<std::string> errors;  // "file:line: reason"; empty when the file is usable
};

// The top-level sections a pgvigil file may have ("listen", "store", "targets", …).
bool IsKnownSection(std::string_view key);

SettingsFile ReadSettingsFile(const std::string& path);
// The same from text; `name` stands for the file in messages. `environment` looks up
// token_env / password_env (tests pass their own; the daemon passes getenv).
SettingsFile ReadSettingsText(const std::string& text, const std::string& name,
                              const char* (*environment)(const char*) = nullptr);

}  // namespace pgvigil::config
