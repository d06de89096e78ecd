// SPDX-License-Identifier: Apache-2.0
#include "http/event_stream.h"

#include <atomic>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/log.h"

namespace pgvigil::http {
namespace {

struct Client {
  std::shared_ptr<StreamWriter> writer;
  std::string target;            // empty: every target
  std::set<std::string> events;  // empty: every event
};

// SSE fields end at a line break, so a name must not contain one.
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return text;
}

std::string Frame(std::uint64_t id, const std::string& event, std::string_view data) {
  std::string frame = "id: " + std::to_string(id) + "\n";
  if (!event.empty()) frame += "event: " + event + "\n";
  while (true) {
    const std::size_t newline = data.find('\n');
    std::string_view line = data.substr(0, newline);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    frame += "data: ";
    frame += line;
    frame += "\n";
    if (newline == std::string_view::npos) break;
    data.remove_prefix(newline + 1);
  }
  frame += "\n";
  return frame;
}

}  // namespace

struct EventStream::Hub : std::enable_shared_from_this<EventStream::Hub> {
  Hub(boost::asio::io_context& io_context, EventStreamOptions hub_options)
      : io(io_context), options(hub_options), heartbeat(io_context) {}

  void Attach(std::shared_ptr<StreamWriter> writer, std::string target,
              std::set<std::string> events) {
    const std::uint64_t id = next_client_id++;
    writer->Write("retry: " + std::to_string(options.retry.count()) + "\n: pgvigil events\n\n");
    writer->SetOnClose([weak = weak_from_this(), id] {
      if (auto hub = weak.lock()) hub->Detach(id);
    });
    auto client =
        std::make_shared<Client>(Client{std::move(writer), std::move(target), std::move(events)});
    if (!client->writer->IsOpen()) return;  // closed while writing the first chunk
    clients.emplace(id, std::move(client));
    clients_connected.fetch_add(1);
    clients_total.fetch_add(1);
    ArmHeartbeat();
  }

  void Detach(std::uint64_t id) {
    if (clients.erase(id) == 0) return;
    clients_connected.fetch_sub(1);
    if (clients.empty()) heartbeat.cancel();
  }

  void Deliver(const std::string& event, const std::string& data, const std::string& target) {
    events_published.fetch_add(1);
    const std::string frame = Frame(++last_event_id, event, data);
    for (const auto& client : Snapshot()) {
      if (!client->target.empty() && !target.empty() && client->target != target) continue;
      if (!client->events.empty() && client->events.count(event) == 0) continue;
      if (Send(*client, frame)) events_sent.fetch_add(1);
    }
  }

  // A copy, because Send may close a client, and closing detaches it from `clients`.
  std::vector<std::shared_ptr<Client>> Snapshot() const {
    std::vector<std::shared_ptr<Client>> out;
    out.reserve(clients.size());
    for (const auto& [id, client] : clients) out.push_back(client);
    return out;
  }

  bool Send(Client& client, const std::string& chunk) {
    if (!client.writer->IsOpen()) return false;
    if (client.writer->QueuedChunks() >= options.max_queued_chunks) {
      clients_dropped.fetch_add(1);
      common::Log(common::LogLevel::kWarn, "http",
                  "event-stream client dropped: {} chunks waiting, it reads too slowly",
                  client.writer->QueuedChunks());
      client.writer->Close();
      return false;
    }
    client.writer->Write(chunk);
    return true;
  }

  void ArmHeartbeat() {
    if (heartbeat_armed) return;
    heartbeat_armed = true;
    heartbeat.expires_after(options.heartbeat_interval);
    heartbeat.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto hub = weak.lock();
      if (!hub) return;
      hub->heartbeat_armed = false;
      if (!ec) {
        for (const auto& client : hub->Snapshot()) hub->Send(*client, ": heartbeat\n\n");
      }
      // Also after a cancel: a client may have attached since the last one left.
      if (!hub->clients.empty()) hub->ArmHeartbeat();
    });
  }

  void CloseAll() {
    for (const auto& client : Snapshot()) client->writer->Close();
    clients.clear();
    heartbeat.cancel();
  }

  boost::asio::io_context& io;
  const EventStreamOptions options;
  boost::asio::steady_timer heartbeat;
  bool heartbeat_armed = false;
  std::map<std::uint64_t, std::shared_ptr<Client>> clients;  // loop thread only
  std::uint64_t next_client_id = 1;
  std::uint64_t last_event_id = 0;

  std::atomic<std::uint64_t> clients_connected{0};
  std::atomic<std::uint64_t> clients_total{0};
  std::atomic<std::uint64_t> clients_dropped{0};
  std::atomic<std::uint64_t> events_published{0};
  std::atomic<std::uint64_t> events_sent{0};
};

EventStream::EventStream(boost::asio::io_context& io, EventStreamOptions options)
    : hub_(std::make_shared<Hub>(io, options)) {}

EventStream::~EventStream() { hub_->CloseAll(); }

void EventStream::Publish(std::string event, std::string json_data, std::string target) {
  boost::asio::post(hub_->io, [weak = std::weak_ptr<Hub>(hub_), event = OneLine(std::move(event)),
                               data = std::move(json_data), target = std::move(target)] {
    if (auto hub = weak.lock()) hub->Deliver(event, data, target);
  });
}

Response EventStream::Subscribe(const Request& request) {
  std::string target(request.Query("target").value_or(""));
  std::set<std::string> events;
  std::string_view list = request.Query("events").value_or("");
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    if (!name.empty()) events.emplace(name);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return Response::Stream(
      "text/event-stream; charset=utf-8",
      [weak = std::weak_ptr<Hub>(hub_), target = std::move(target),
       events = std::move(events)](std::shared_ptr<StreamWriter> writer) mutable {
        auto hub = weak.lock();
        if (!hub) return writer->Close();
        hub->Attach(std::move(writer), std::move(target), std::move(events));
      });
}

EventStreamStats EventStream::Stats() const {
  EventStreamStats stats;
  stats.clients_connected = hub_->clients_connected.load();
  stats.clients_total = hub_->clients_total.load();
  stats.clients_dropped_total = hub_->clients_dropped.load();
  stats.events_published_total = hub_->events_published.load();
  stats.events_sent_total = hub_->events_sent.load();
  return stats;
}

}  // namespace pgvigil::http
