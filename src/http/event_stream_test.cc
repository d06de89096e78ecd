// SPDX-License-Identifier: Apache-2.0
#include "http/event_stream.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/http_test_client.h"

namespace pgvigil::http {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::RequestText;
using testing::RunningServer;
using testing::TestClient;

struct Event {
  std::uint64_t id = 0;
  std::string name;
  std::string data;
};

// Takes the complete events off the front of `buffer`; comment and retry-only blocks are skipped.
std::vector<Event> TakeEvents(std::string& buffer) {
  std::vector<Event> events;
  std::size_t end;
  while ((end = buffer.find("\n\n")) != std::string::npos) {
    const std::string block = buffer.substr(0, end);
    buffer.erase(0, end + 2);
    Event e;
    bool has_data = false;
    std::size_t pos = 0;
    while (pos <= block.size()) {
      const std::size_t eol = std::min(block.find('\n', pos), block.size());
      const std::string line = block.substr(pos, eol - pos);
      pos = eol + 1;
      if (line.rfind("id: ", 0) == 0) e.id = std::stoull(line.substr(4));
      if (line.rfind("event: ", 0) == 0) e.name = line.substr(7);
      if (line.rfind("data: ", 0) == 0) {
        if (has_data) e.data += "\n";
        e.data += line.substr(6);
        has_data = true;
      }
    }
    if (has_data) events.push_back(std::move(e));
  }
  return events;
}

class EventStreamTest : public ::testing::Test {
 protected:
  void StartServer(EventStreamOptions stream_options = {}, std::size_t max_sse_clients = 64) {
    rs_.events = std::make_unique<EventStream>(rs_.io, stream_options);
    Router router;
    EventStream* events = rs_.events.get();
    ASSERT_TRUE(router
                    .Add("GET", "/api/v1/stream", Role::kViewer,
                         [events](const Request& r) { return events->Subscribe(r); })
                    .ok());
    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.write_timeout = 5s;
    options.max_sse_clients = max_sse_clients;
    ASSERT_TRUE(rs_.Start(options, std::move(router)).ok());
  }

  // Connects, checks the stream's headers, and waits until the hub has `expected_clients`.
  std::unique_ptr<TestClient> Subscribe(std::string_view query, std::uint64_t expected_clients,
                                        int receive_buffer_bytes = 0) {
    auto client = std::make_unique<TestClient>(rs_.endpoint(), receive_buffer_bytes);
    EXPECT_TRUE(client->Send(RequestText("GET", "/api/v1/stream" + std::string(query))));
    EXPECT_TRUE(client->ReadUntil("\r\n\r\n", 5s));
    const std::string& b = client->buffer();
    EXPECT_EQ(b.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << b;
    EXPECT_NE(b.find("Content-Type: text/event-stream"), std::string::npos) << b;
    EXPECT_NE(b.find("Cache-Control: no-store"), std::string::npos) << b;
    client->buffer().erase(0, b.find("\r\n\r\n") + 4);
    EXPECT_TRUE(
        Eventually([&] { return rs_.events->Stats().clients_connected == expected_clients; }));
    return client;
  }

  // Reads until `count` events arrived (or 5 s passed).
  static std::vector<Event> ReadEvents(TestClient& client, std::size_t count) {
    std::vector<Event> events;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (events.size() < count && std::chrono::steady_clock::now() < deadline) {
      for (Event& e : TakeEvents(client.buffer())) events.push_back(std::move(e));
      if (events.size() < count) client.ReadSome(100ms);
    }
    return events;
  }

  RunningServer rs_;
};

TEST_F(EventStreamTest, ClientReceivesPublishedEventsInOrderWithIncreasingIds) {
  StartServer();
  auto client = Subscribe("", 1);
  ASSERT_TRUE(client->ReadUntil("retry: 3000\n", 5s));
  for (int i = 0; i < 5; ++i) {
    rs_.events->Publish("sample", nlohmann::json{{"n", i}}.dump(), "db1");
  }
  const std::vector<Event> events = ReadEvents(*client, 5);
  ASSERT_EQ(events.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(events[i].name, "sample");
    EXPECT_EQ(nlohmann::json::parse(events[i].data)["n"], i);
    if (i > 0) {
      EXPECT_GT(events[i].id, events[i - 1].id);
    }
  }
  EXPECT_TRUE(Eventually([&] { return rs_.events->Stats().events_sent_total == 5; }));
  EXPECT_EQ(rs_.server->Stats().sse_clients, 1u);
}

TEST_F(EventStreamTest, MultiLineDataBecomesSeveralDataLines) {
  StartServer();
  auto client = Subscribe("", 1);
  rs_.events->Publish("alert", "{\n  \"a\": 1\n}", "");
  ASSERT_TRUE(client->ReadUntil("\n\n", 5s));
  ASSERT_TRUE(client->ReadUntil("data: }\n\n", 5s)) << client->buffer();
  EXPECT_NE(client->buffer().find("event: alert\ndata: {\ndata:   \"a\": 1\ndata: }\n\n"),
            std::string::npos)
      << client->buffer();
}

TEST_F(EventStreamTest, TargetAndEventFiltersSelectWhatAClientGets) {
  StartServer();
  auto all = Subscribe("", 1);
  auto db1 = Subscribe("?target=db1", 2);
  auto alerts = Subscribe("?events=alert,operation", 3);
  rs_.events->Publish("sample", R"({"x":1})", "db1");
  rs_.events->Publish("sample", R"({"x":2})", "db2");
  rs_.events->Publish("alert", R"({"x":3})", "db2");
  rs_.events->Publish("daemon", R"({"x":4})", "");  // no target: for every target filter
  rs_.events->Publish("operation", R"({"x":5})", "db1");

  auto xs = [](const std::vector<Event>& events) {
    std::vector<int> out;
    for (const Event& e : events) out.push_back(nlohmann::json::parse(e.data)["x"]);
    return out;
  };
  EXPECT_EQ(xs(ReadEvents(*all, 5)), (std::vector<int>{1, 2, 3, 4, 5}));
  EXPECT_EQ(xs(ReadEvents(*db1, 3)), (std::vector<int>{1, 4, 5}));
  EXPECT_EQ(xs(ReadEvents(*alerts, 2)), (std::vector<int>{3, 5}));
  // Nothing more arrives for the filtered clients.
  rs_.events->Publish("end", "{}", "");
  EXPECT_EQ(ReadEvents(*db1, 1).at(0).name, "end");
  EXPECT_TRUE(TakeEvents(alerts->buffer()).empty());
}

TEST_F(EventStreamTest, ASlowClientIsDroppedAndTheOthersKeepReceiving) {
  EventStreamOptions options;
  options.max_queued_chunks = 4;
  StartServer(options);
  auto slow = Subscribe("", 1, /*receive_buffer_bytes=*/4096);  // never reads after this
  auto fast = Subscribe("", 2);
  const std::string payload = "\"" + std::string(64 * 1024, 'p') + "\"";
  int published = 0;
  // One event at a time, each read by the fast client before the next, until the slow client's
  // socket buffers and then its queue are full.
  while (rs_.events->Stats().clients_dropped_total == 0 && published < 2000) {
    rs_.events->Publish("sample", payload, "db1");
    ++published;
    ASSERT_EQ(ReadEvents(*fast, 1).size(), 1u) << "fast client stalled at event " << published;
  }
  EXPECT_EQ(rs_.events->Stats().clients_dropped_total, 1u);
  EXPECT_TRUE(Eventually([&] { return rs_.events->Stats().clients_connected == 1; }));
  EXPECT_TRUE(Eventually([&] { return rs_.server->Stats().sse_clients == 1; }));
  rs_.events->Publish("after", "{}", "");
  const std::vector<Event> after = ReadEvents(*fast, 1);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].name, "after");
}

TEST_F(EventStreamTest, SendsHeartbeatComments) {
  EventStreamOptions options;
  options.heartbeat_interval = 50ms;
  StartServer(options);
  auto client = Subscribe("", 1);
  EXPECT_TRUE(client->ReadUntil(": heartbeat\n\n", 5s));
}

TEST_F(EventStreamTest, ClientsBeyondTheCapGet503) {
  StartServer({}, /*max_sse_clients=*/1);
  auto first = Subscribe("", 1);
  TestClient second(rs_.endpoint());
  ASSERT_TRUE(second.Send(RequestText("GET", "/api/v1/stream")));
  const auto r = second.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(rs_.server->Stats().sse_rejected_total, 1u);
  // A client that leaves frees its place.
  first.reset();
  ASSERT_TRUE(Eventually([&] { return rs_.events->Stats().clients_connected == 0; }));
  auto third = Subscribe("", 1);
}

TEST_F(EventStreamTest, StopClosesStreamsAndTheLoopEnds) {
  EventStreamOptions options;
  options.heartbeat_interval = 50ms;  // a pending timer must not keep the loop alive
  StartServer(options);
  auto a = Subscribe("", 1);
  auto b = Subscribe("?target=db1", 2);
  rs_.Stop();
  EXPECT_TRUE(a->WaitClosed(5s));
  EXPECT_TRUE(b->WaitClosed(5s));
  EXPECT_TRUE(rs_.WaitStopped(5s));
  EXPECT_EQ(rs_.events->Stats().clients_connected, 0u);
  EXPECT_EQ(rs_.server->Stats().sse_clients, 0u);
}

}  // namespace
}  // namespace pgvigil::http
