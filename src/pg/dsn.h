// SPDX-License-Identifier: Apache-2.0
// Connection strings: validation and redaction. A DSN is anything libpq accepts, a URI
// (postgresql://user:pw@host:5432/db?sslmode=require) or key=value pairs; PG* environment
// variables and ~/.pgpass fill the gaps when connecting, as in psql.
//
// Redaction is applied wherever a DSN, or text that may contain one, leaves the process:
// log lines, error messages, JSON. Pure functions, thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace pgvigil::pg {

// The DSN's explicit keywords (as libpq parses them, URI or key=value), without defaults.
// kInvalidArgument with libpq's reason, redacted, when the text is not a valid DSN.
common::Result<std::map<std::string, std::string>> ParseDsn(std::string_view dsn);

// Returns `text` with every password in it replaced by "***": URI userinfo
// ("postgresql://u:pw@h" → "postgresql://u:***@h"), URI query parameters ("?password=pw"),
// and key=value pairs ("password=pw", "password = 'p w'"). Text without a password is
// returned unchanged.
std::string RedactDsn(std::string_view text);

// Replaces each occurrence of any of `secrets` (non-empty ones) in `text` with "***". Used on
// server and libpq messages as a second line of defence after RedactDsn.
std::string RedactSecrets(std::string_view text, const std::vector<std::string>& secrets);

// A short description for logs and JSON: "user@host:port/dbname", from the DSN's explicit
// keywords (missing parts are left out); never contains a password.
std::string DescribeDsn(std::string_view dsn);

// The host name that must be resolved before connecting, given the DSN's explicit keywords
// (ParseDsn) and $PGHOST / $PGHOSTADDR (null when unset); "" when there is none: no host at all
// (libpq's default unix socket), a hostaddr already given, a unix-socket directory ("/…" or
// "@…"), an IP literal, or a comma list of hosts (left to libpq, which then resolves
// synchronously: multi-host DSNs are rare for a monitor and would need one hostaddr per host).
std::string HostNameToResolve(const std::map<std::string, std::string>& keywords,
                              const char* env_host, const char* env_hostaddr);

// The DSN with its database replaced by `datname`, as key=value pairs (a URI is converted; the
// password and every other explicit keyword kept, each value quoted for libpq). For the other
// databases of a monitored server. kInvalidArgument when `dsn` does not parse.
common::Result<std::string> DsnForDatabase(const std::string& dsn, const std::string& datname);

}  // namespace pgvigil::pg
