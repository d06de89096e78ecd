// SPDX-License-Identifier: Apache-2.0
// StreamWriter is the server's end of one streaming response (Server-Sent Events): after the
// response headers are sent, the server hands the connection to the route as a StreamWriter, and
// whoever holds it writes raw body bytes until it closes. server.cc implements it; event_stream.cc
// uses it, so the SSE hub never touches sockets. Loop-thread only: call every method on the
// io_context that runs the server.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

namespace pgvigil::http {

class StreamWriter {
 public:
  virtual ~StreamWriter() = default;

  // Queues `chunk` behind earlier ones. Does nothing once closed.
  virtual void Write(std::string chunk) = 0;
  // Chunks queued and not yet fully written to the socket (the one in flight included).
  virtual std::size_t QueuedChunks() const = 0;
  virtual bool IsOpen() const = 0;
  // Closes the connection; queued chunks are discarded. Idempotent.
  virtual void Close() = 0;
  // Called once when the connection ends, whoever ended it (Close, the client, Server::Stop, a
  // write error or timeout). Replaces an earlier callback.
  virtual void SetOnClose(std::function<void()> on_close) = 0;
};

}  // namespace pgvigil::http
