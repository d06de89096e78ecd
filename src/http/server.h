// SPDX-License-Identifier: Apache-2.0
// Server is the daemon's HTTP/1.1 listener on Boost.Beast. It runs on an io_context that the
// daemon owns and runs (one thread): it accepts connections within limits (connections, header
// and body sizes, read/idle/write timeouts), routes each request through a Router, authenticates
// it (auth.h), calls the handler on the loop, writes the response (keep-alive, HEAD, JSON
// headers) and logs one access line per request (subsystem=http). Handlers must be quick: they
// read caches. A handler may turn its connection into a stream (Server-Sent Events).
//
// Threading: construct, Start, Stop and destroy on the loop thread (or while the loop is not
// running). Stats() and local_endpoint() may be called from any thread. Destroy the Server before
// the io_context.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/status.h"
#include "http/auth.h"
#include "http/router.h"

namespace pgvigil::http {

struct ServerOptions {
  // "host:port", "[v6]:port" or ":port" (every IPv4 interface). Port 0 picks a free port.
  std::string listen = "127.0.0.1:8787";
  std::size_t max_body_bytes = 64 * 1024;    // larger → 413
  std::size_t max_header_bytes = 16 * 1024;  // larger → 431
  // From the first byte of a request (from accept, for the first one) to its last: a client
  // that sends a request slower than this is dropped.
  std::chrono::milliseconds read_timeout{10'000};
  // How long a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60'000};
  // How long one response (or one event-stream chunk) may take to write.
  std::chrono::milliseconds write_timeout{10'000};
  std::size_t max_connections = 256;  // more → 503 and close
  std::size_t max_sse_clients = 64;   // more streaming responses → 503
  AuthOptions auth;
};

// Self-metrics, for /metrics (rendered elsewhere). A snapshot: plain values.
struct RouteStats {
  std::string method;  // the route's method ("GET" also counts HEAD); empty when unmatched
  std::string route;   // the pattern, "/api/v1/alerts/{id}"; "unmatched" for 404s and bad requests
  std::array<std::uint64_t, 5> responses_by_class{};  // [0] 1xx, [1] 2xx, … [4] 5xx
  std::uint64_t requests_total = 0;
  double duration_seconds_sum = 0;  // receipt of the request to the response written
};

struct ServerStats {
  std::vector<RouteStats> routes;  // sorted by route, then method
  std::uint64_t connections_open = 0;
  std::uint64_t connections_accepted_total = 0;
  std::uint64_t connections_rejected_total = 0;  // over max_connections (answered 503)
  std::uint64_t read_timeouts_total = 0;         // clients dropped for a slow or idle request
  std::uint64_t sse_clients = 0;                 // open streaming responses
  std::uint64_t sse_rejected_total = 0;          // over max_sse_clients (answered 503)
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, Router router);
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Validates the tokens, binds and starts accepting. kInvalidArgument for a malformed address
  // or bad tokens; kPermissionDenied for a non-loopback address without tokens; kUnavailable
  // when the address cannot be bound. Each message names the address.
  common::Status Start();

  // Closes the listener and every connection: idle and streaming ones at once, one writing a
  // response after it is written. When they are gone the server holds no work on the io_context.
  void Stop();

  // The bound address (with the real port when options.listen asked for port 0).
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  ServerStats Stats() const;

  class Impl;  // defined in server.cc; public only so that its sessions can name it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace pgvigil::http
