// SPDX-License-Identifier: Apache-2.0
// LibpqSession: a blocking Session for the command line (pgvigil check, collect) and tests. It
// is a thin wrapper over AsyncSession, which has the protocol logic: each call runs the async
// operation to completion on a private event loop, so every wait is still bounded by a
// deadline and a server that stops answering (a half-open TCP peer) costs at most the
// configured timeout. The daemon uses AsyncSession directly, many on one loop.
// Not thread-safe. Owns its connection.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "pg/session.h"
#include "pg/session_options.h"
#include "pg/sql_state.h"

namespace pgvigil::pg {

class LibpqSession final : public Session {
 public:
  // Connects, applies the session settings and reads ServerInfo, within connect_timeout plus
  // io_timeout. Errors are one line, with the DSN's password redacted: kUnavailable
  // (unreachable, refused), kPermissionDenied (authentication), kNotFound (no such database),
  // kInvalidArgument (malformed DSN), kTimeout.
  static common::Result<std::unique_ptr<LibpqSession>> Connect(const SessionOptions& options);

  ~LibpqSession() override;
  LibpqSession(const LibpqSession&) = delete;
  LibpqSession& operator=(const LibpqSession&) = delete;

  const ServerInfo& server_info() const override;
  std::vector<QueryOutcome> RunPipeline(std::span<const Query> queries) override;
  common::Result<ResultSet> RunSimple(std::string_view sql) override;
  bool is_connected() const override;

  // Time the connection took to establish (TCP, TLS, authentication) and the round trip of the
  // set-up query: the figures behind target.latency.
  std::chrono::microseconds connect_duration() const;
  std::chrono::microseconds setup_round_trip() const;
  int backend_pid() const;

 private:
  struct Loop;  // the private io_context and the AsyncSession it drives
  explicit LibpqSession(std::unique_ptr<Loop> loop);

  std::unique_ptr<Loop> loop_;
};

}  // namespace pgvigil::pg
