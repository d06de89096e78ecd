# SPDX-License-Identifier: Apache-2.0
# Every third-party dependency, in one place. All come from Debian 12 packages
# (scripts/install-deps.sh installs them); the versions are Debian 12's.
find_package(PkgConfig REQUIRED)
find_package(PostgreSQL 15 REQUIRED)          # libpq-dev 15: pipeline mode needs libpq >= 14
find_package(nlohmann_json 3.11 REQUIRED)     # nlohmann-json3-dev 3.11.2
find_package(fmt 9 REQUIRED)                  # libfmt-dev 9.1
find_package(CLI11 REQUIRED)                  # libcli11-dev 2.1
find_package(yaml-cpp 0.7 REQUIRED)           # libyaml-cpp-dev 0.7
find_package(Boost 1.74 REQUIRED)             # libboost-dev 1.74: Asio + Beast (header-only)
# For every target alike: Asio's class layouts depend on these, so a definition seen by some
# translation units and not others breaks the One Definition Rule (it crashed the daemon).
add_compile_definitions(BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
find_package(SQLite3 3.40 REQUIRED)           # libsqlite3-dev 3.40: the embedded store
find_package(Threads REQUIRED)
find_package(CURL 7.88 REQUIRED)             # libcurl4-openssl-dev 7.88: notifiers (HTTP, SMTP)
find_package(OpenSSL 3 REQUIRED)             # libssl-dev 3.0: libcrypto's HMAC-SHA256 for webhooks
find_package(spdlog 1.10 REQUIRED)            # libspdlog-dev 1.10: the daemon's structured logs
# libpg-query-dev (libpg_query 15): PostgreSQL's own parser, for query.advice. It ships no CMake
# or pkg-config file, so find the header and library; only analysis/ may include pg_query.h.
find_path(PG_QUERY_INCLUDE_DIR pg_query.h REQUIRED)
find_library(PG_QUERY_LIBRARY pg_query REQUIRED)
if(PGVIGIL_BUILD_TESTS)
  find_package(GTest 1.12 REQUIRED)           # libgtest-dev / libgmock-dev 1.12
endif()
