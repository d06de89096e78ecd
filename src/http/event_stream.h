// SPDX-License-Identifier: Apache-2.0
// EventStream is the Server-Sent-Events hub behind GET /api/v1/stream. The daemon publishes
// events (a name, a JSON object, the target it concerns) from any thread; each connected client
// gets those that pass its filters as
//   id: <n>\nevent: <name>\ndata: <json>\n\n
// with ids increasing across the hub, a "retry:" hint when it connects, and a comment line every
// heartbeat interval so that proxies keep the connection open. Each client has a bounded queue:
// a client that does not read fast enough is disconnected rather than allowed to grow memory
// (EventSource reconnects by itself).
//
// Threading: Publish and Stats from any thread; everything else on the loop thread. Construct and
// destroy it on the loop thread; destroy it after Server::Stop (or before Start).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "http/router.h"

namespace pgvigil::http {

struct EventStreamOptions {
  std::chrono::milliseconds heartbeat_interval{15'000};
  std::chrono::milliseconds retry{3'000};  // the reconnect delay suggested to clients
  // Chunks (events, heartbeats) a client may have waiting; one more and it is disconnected.
  std::size_t max_queued_chunks = 256;
};

struct EventStreamStats {
  std::uint64_t clients_connected = 0;
  std::uint64_t clients_total = 0;           // ever connected
  std::uint64_t clients_dropped_total = 0;   // disconnected for reading too slowly
  std::uint64_t events_published_total = 0;  // Publish calls delivered to the hub
  std::uint64_t events_sent_total = 0;       // (event, client) pairs queued for sending
};

class EventStream {
 public:
  explicit EventStream(boost::asio::io_context& io, EventStreamOptions options = {});
  ~EventStream();  // closes every client
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Queues an event for every matching client. `json_data` is one JSON value (line breaks are
  // allowed: each line becomes a "data:" line). `target` is the target's name, or empty for an
  // event about the daemon itself (delivered whatever the client's target filter). Thread-safe;
  // the delivery happens on the loop.
  void Publish(std::string event, std::string json_data, std::string target);

  // The handler of the streaming GET route:
  //   router.Add("GET", "/api/v1/stream", Role::kViewer,
  //              [&](const Request& r) { return events.Subscribe(r); });
  // Query filters: ?target=T (only events for T, plus daemon-wide ones) and ?events=a,b.
  Response Subscribe(const Request& request);

  EventStreamStats Stats() const;  // thread-safe

  struct Hub;  // defined in event_stream.cc

 private:
  std::shared_ptr<Hub> hub_;
};

}  // namespace pgvigil::http
