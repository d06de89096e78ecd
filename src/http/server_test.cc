// SPDX-License-Identifier: Apache-2.0
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "support/http_test_client.h"

namespace pgvigil::http {
namespace {

using namespace std::chrono_literals;
using testing::Eventually;
using testing::RequestText;
using testing::RunningServer;
using testing::TestClient;

constexpr std::string_view kViewer = "Authorization: Bearer viewer-secret-0123456789\r\n";
constexpr std::string_view kOperator = "Authorization: Bearer operator-secret-0123456789\r\n";

ServerOptions LoopbackOptions() {
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.read_timeout = 2s;
  options.idle_timeout = 2s;
  options.write_timeout = 2s;
  return options;
}

AuthOptions TwoTokens() {
  AuthOptions auth;
  auth.tokens = {{"grafana", "viewer-secret-0123456789", Role::kViewer},
                 {"oncall", "operator-secret-0123456789", Role::kOperator}};
  return auth;
}

// /api/v1/echo echoes what the handler saw; /api/v1/maintenance needs operator.
Router TestRouter() {
  Router router;
  auto echo = [](const Request& r) {
    nlohmann::json query = nlohmann::json::array();
    for (const auto& [k, v] : r.query) query.push_back({k, v});
    nlohmann::json body = {{"method", r.method},
                           {"path", r.path},
                           {"route", r.route},
                           {"query", query},
                           {"principal", r.principal.name},
                           {"role", RoleName(r.principal.role)},
                           {"body", r.body},
                           {"remote", r.remote_address},
                           {"user_agent", std::string(r.Header("User-Agent").value_or(""))}};
    if (!r.Param("id").empty()) body["id"] = std::string(r.Param("id"));
    return Response::Json(body.dump());
  };
  EXPECT_TRUE(router.Add("GET", "/api/v1/echo", Role::kViewer, echo).ok());
  EXPECT_TRUE(router.Add("POST", "/api/v1/echo", Role::kViewer, echo).ok());
  EXPECT_TRUE(router.Add("PATCH", "/api/v1/alerts/{id}", Role::kOperator, echo).ok());
  EXPECT_TRUE(router.Add("POST", "/api/v1/maintenance", Role::kOperator, echo).ok());
  EXPECT_TRUE(router
                  .Add("GET", "/healthz", Role::kViewer,
                       [](const Request&) { return Response::Json(R"({"status":"ok"})"); })
                  .ok());
  EXPECT_TRUE(router
                  .Add("GET", "/api/v1/throws", Role::kViewer,
                       [](const Request&) -> Response { throw std::runtime_error("bug"); })
                  .ok());
  return router;
}

nlohmann::json Json(const testing::TestResponse& r) { return nlohmann::json::parse(r.body); }

TEST(Server, AnswersJsonWithApiHeadersAndKeepsTheConnectionAlive) {
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), TestRouter()).ok());
  TestClient client(rs.endpoint());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/echo?x=1", "User-Agent: t\r\n")));
    const auto r = client.ReadResponse();
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(r->Header("cache-control"), "no-store");
    EXPECT_EQ(Json(*r)["user_agent"], "t");
    EXPECT_EQ(Json(*r)["principal"], "anonymous");
  }
  EXPECT_FALSE(client.closed_by_peer());
  EXPECT_EQ(rs.server->Stats().connections_accepted_total, 1u);
}

TEST(Server, ADeferredAnswerFromAnotherThreadIsWrittenWhileTheLoopServesOthers) {
  Router router = TestRouter();
  std::thread worker;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ASSERT_TRUE(router
                  .Add("POST", "/api/v1/slow", Role::kViewer,
                       [&](const Request& r) {
                         return Response::Deferred(
                             [&, body = r.body](std::function<void(Response)> respond) {
                               worker = std::thread([respond, body, released] {
                                 released.wait();  // until the test has used the loop meanwhile
                                 respond(Response::Json(R"({"late":")" + body + R"("})", 202));
                               });
                             });
                       })
                  .ok());
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), std::move(router)).ok());
  TestClient slow(rs.endpoint());
  ASSERT_TRUE(slow.Send(RequestText("POST", "/api/v1/slow", "", "x")));
  // The loop is free: another client is answered while the first one waits.
  TestClient other(rs.endpoint());
  ASSERT_TRUE(other.Send(RequestText("GET", "/healthz")));
  const auto quick = other.ReadResponse();
  ASSERT_TRUE(quick.has_value());
  EXPECT_EQ(quick->status, 200);
  release.set_value();
  const auto late = slow.ReadResponse();
  ASSERT_TRUE(late.has_value());
  EXPECT_EQ(late->status, 202);
  EXPECT_EQ(late->body, R"({"late":"x"})");
  // The connection stays usable after a deferred answer.
  ASSERT_TRUE(slow.Send(RequestText("GET", "/healthz")));
  const auto after = slow.ReadResponse();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, 200);
  worker.join();
}

TEST(Server, StopClosesAConnectionWaitingForADeferredAnswerAndDropsTheLateAnswer) {
  std::mutex mu;
  std::function<void(Response)> held;  // the answer the "worker" never gave in time
  Router router = TestRouter();
  ASSERT_TRUE(router
                  .Add("POST", "/api/v1/slow", Role::kViewer,
                       [&](const Request&) {
                         return Response::Deferred([&](std::function<void(Response)> respond) {
                           std::lock_guard lock(mu);
                           held = std::move(respond);
                         });
                       })
                  .ok());
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), std::move(router)).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("POST", "/api/v1/slow", "", "x")));
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard lock(mu);
    return static_cast<bool>(held);
  }));
  rs.Stop();
  EXPECT_TRUE(rs.WaitStopped(2s));  // the waiting connection does not keep the loop alive
  EXPECT_FALSE(client.ReadResponse().has_value());
  std::lock_guard lock(mu);
  held(Response::Json("{}"));  // too late: dropped, nothing crashes
  held = nullptr;
}

TEST(Server, HeadSendsTheGetHeadersWithoutABody) {
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), TestRouter()).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/healthz")));
  const auto get = client.ReadResponse();
  ASSERT_TRUE(get.has_value());
  ASSERT_TRUE(client.Send(RequestText("HEAD", "/healthz")));
  const auto head = client.ReadResponse(/*is_head=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), std::to_string(get->body.size()));
  // No body bytes were sent: the next response starts right after the HEAD headers.
  ASSERT_TRUE(client.Send(RequestText("GET", "/healthz")));
  const auto next = client.ReadResponse();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, R"({"status":"ok"})");
}

// A shared body (a cached rendering) is sent whole although the handler let go of it: the
// session holds it until the write is done. 1 MiB: more than one socket write.
TEST(Server, SendsASharedBodyWholeAndHeadGivesItsLength) {
  std::string big(1 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  const std::string expected = big;
  Router router = TestRouter();
  ASSERT_TRUE(router
                  .Add("GET", "/api/v1/shared", Role::kViewer,
                       [&big](const Request&) {
                         return Response::SharedJson(std::make_shared<const std::string>(big));
                       })
                  .ok());
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), std::move(router)).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/shared")));
  const auto get = client.ReadResponse();
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->Header("content-length"), std::to_string(expected.size()));
  EXPECT_TRUE(get->body == expected) << "body of " << get->body.size() << " bytes differs";
  ASSERT_TRUE(client.Send(RequestText("HEAD", "/api/v1/shared")));
  const auto head = client.ReadResponse(/*is_head=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->Header("content-length"), std::to_string(expected.size()));
  EXPECT_TRUE(head->body.empty());
}

TEST(Server, PassesDecodedParamsQueryAndBodyToTheHandler) {
  ServerOptions options = LoopbackOptions();
  options.auth = TwoTokens();
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("PATCH", "/api/v1/alerts/a%2Fb?s=x%20y&s=z+w", kOperator,
                                      R"({"action":"acknowledge"})")));
  const auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 200) << r->body;
  const nlohmann::json j = Json(*r);
  EXPECT_EQ(j["id"], "a/b");
  EXPECT_EQ(j["route"], "/api/v1/alerts/{id}");
  EXPECT_EQ(j["query"], nlohmann::json::parse(R"([["s","x y"],["s","z w"]])"));
  EXPECT_EQ(j["body"], R"({"action":"acknowledge"})");
  EXPECT_EQ(j["principal"], "oncall");
  EXPECT_EQ(j["role"], "operator");
  EXPECT_EQ(j["remote"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
}

TEST(Server, UnknownPathIs404AndWrongMethodIs405InTheErrorShape) {
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), TestRouter()).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/nope")));
  const auto not_found = client.ReadResponse();
  ASSERT_TRUE(not_found.has_value());
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->Header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(Json(*not_found)["error"]["code"], "not_found");
  EXPECT_TRUE(Json(*not_found)["error"]["message"].is_string());

  ASSERT_TRUE(client.Send(RequestText("DELETE", "/api/v1/echo")));
  const auto wrong = client.ReadResponse();
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->Header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(Json(*wrong)["error"]["code"], "method_not_allowed");
}

TEST(Server, BadQueryEscapeIs400) {
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), TestRouter()).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/echo?x=%zz")));
  const auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(Json(*r)["error"]["code"], "bad_request");
}

TEST(Server, AHandlerThatThrowsGives500AndTheServerGoesOn) {
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), TestRouter()).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/throws")));
  const auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(Json(*r)["error"]["code"], "internal");
  ASSERT_TRUE(client.Send(RequestText("GET", "/healthz")));
  ASSERT_TRUE(client.ReadResponse().has_value());
}

TEST(Server, TokensDecideWhoMayCallARoute) {
  ServerOptions options = LoopbackOptions();
  options.auth = TwoTokens();
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
  TestClient client(rs.endpoint());

  ASSERT_TRUE(client.Send(RequestText("POST", "/api/v1/maintenance", "", "{}")));
  const auto missing = client.ReadResponse();
  ASSERT_TRUE(missing.has_value());
  EXPECT_EQ(missing->status, 401);
  EXPECT_EQ(missing->Header("www-authenticate").rfind("Bearer", 0), 0u);
  EXPECT_EQ(Json(*missing)["error"]["code"], "unauthorized");

  ASSERT_TRUE(client.Send(RequestText("POST", "/api/v1/maintenance",
                                      "Authorization: Bearer wrong-secret-value\r\n", "{}")));
  const auto wrong = client.ReadResponse();
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 401);
  EXPECT_EQ(wrong->body.find("wrong-secret"), std::string::npos);

  ASSERT_TRUE(client.Send(RequestText("POST", "/api/v1/maintenance", kViewer, "{}")));
  const auto viewer = client.ReadResponse();
  ASSERT_TRUE(viewer.has_value());
  EXPECT_EQ(viewer->status, 403);
  EXPECT_EQ(Json(*viewer)["error"]["code"], "forbidden");

  ASSERT_TRUE(client.Send(RequestText("POST", "/api/v1/maintenance", kOperator, "{}")));
  const auto op = client.ReadResponse();
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->status, 200);
  EXPECT_EQ(Json(*op)["principal"], "oncall");

  ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/echo", kViewer)));
  const auto read = client.ReadResponse();
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->status, 200);
}

TEST(Server, HealthzIsPublicOnlyWhenConfigured) {
  for (const bool is_public : {false, true}) {
    ServerOptions options = LoopbackOptions();
    options.auth = TwoTokens();
    options.auth.public_healthz = is_public;
    RunningServer rs;
    ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
    TestClient client(rs.endpoint());
    ASSERT_TRUE(client.Send(RequestText("GET", "/healthz")));
    const auto r = client.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, is_public ? 200 : 401) << "public_healthz=" << is_public;
    // Public /healthz opens nothing else.
    ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/echo")));
    const auto other = client.ReadResponse();
    ASSERT_TRUE(other.has_value());
    EXPECT_EQ(other->status, 401);
  }
}

TEST(Server, WithoutTokensReadsWorkAndMutationsSayTokensAreNeeded) {
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), TestRouter()).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/echo")));
  const auto read = client.ReadResponse();
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->status, 200);
  EXPECT_EQ(Json(*read)["role"], "viewer");
  ASSERT_TRUE(client.Send(RequestText("POST", "/api/v1/maintenance", "", "{}")));
  const auto write = client.ReadResponse();
  ASSERT_TRUE(write.has_value());
  EXPECT_EQ(write->status, 403);
  EXPECT_NE(Json(*write)["error"]["message"].get<std::string>().find("tokens"), std::string::npos);
}

TEST(Server, RefusesANonLoopbackAddressWithoutTokens) {
  boost::asio::io_context io;
  ServerOptions options = LoopbackOptions();
  options.listen = "0.0.0.0:0";
  Server server(io, options, Router());
  const common::Status status = server.Start();
  EXPECT_EQ(status.code(), common::StatusCode::kPermissionDenied);
  EXPECT_NE(status.message().find("0.0.0.0:0"), std::string::npos) << status.message();

  options.auth = TwoTokens();
  Server with_tokens(io, options, Router());
  EXPECT_TRUE(with_tokens.Start().ok());
  with_tokens.Stop();
}

TEST(Server, ReportsABindErrorWithTheAddress) {
  RunningServer first;
  ASSERT_TRUE(first.Start(LoopbackOptions(), Router()).ok());
  boost::asio::io_context io;
  ServerOptions options = LoopbackOptions();
  options.listen = "127.0.0.1:" + std::to_string(first.endpoint().port());
  Server second(io, options, Router());
  const common::Status status = second.Start();
  EXPECT_EQ(status.code(), common::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find(options.listen), std::string::npos) << status.message();
}

TEST(Server, RejectsMalformedListenAddresses) {
  boost::asio::io_context io;
  for (const char* listen : {"127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "::1:80", "[::1"}) {
    ServerOptions options = LoopbackOptions();
    options.listen = listen;
    Server server(io, options, Router());
    EXPECT_EQ(server.Start().code(), common::StatusCode::kInvalidArgument) << listen;
  }
}

TEST(Server, ListensOnIpv6Loopback) {
  ServerOptions options = LoopbackOptions();
  options.listen = "[::1]:0";
  RunningServer rs;
  const common::Status status = rs.Start(options, TestRouter());
  if (status.code() == common::StatusCode::kUnavailable) GTEST_SKIP() << status.message();
  ASSERT_TRUE(status.ok()) << status.message();
  EXPECT_TRUE(rs.endpoint().address().is_v6());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/echo")));
  const auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(Json(*r)["remote"].get<std::string>().rfind("[::1]:", 0), 0u);
}

TEST(Server, TooLargeBodyIs413) {
  ServerOptions options = LoopbackOptions();
  options.max_body_bytes = 1024;
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("POST", "/api/v1/echo", "", std::string(100'000, 'x'))));
  const auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(Json(*r)["error"]["code"], "payload_too_large");
  EXPECT_TRUE(client.WaitClosed(5s));

  TestClient small(rs.endpoint());
  ASSERT_TRUE(small.Send(RequestText("POST", "/api/v1/echo", "", std::string(1000, 'x'))));
  const auto ok = small.ReadResponse();
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
}

TEST(Server, TooLargeHeadersAre431) {
  ServerOptions options = LoopbackOptions();
  options.max_header_bytes = 1024;
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(
      client.Send(RequestText("GET", "/healthz", "X-Big: " + std::string(4000, 'y') + "\r\n")));
  const auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431);
}

TEST(Server, DropsASlowClientAfterTheReadTimeoutWhileServingOthers) {
  ServerOptions options = LoopbackOptions();
  options.read_timeout = 600ms;
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
  const auto start = std::chrono::steady_clock::now();
  TestClient slow(rs.endpoint());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHost: te"));  // and nothing more

  TestClient other(rs.endpoint());
  ASSERT_TRUE(other.Send(RequestText("GET", "/healthz")));
  const auto r = other.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  slow.ReadSome(0ms);
  EXPECT_FALSE(slow.closed_by_peer()) << "the other client was served only after the drop";

  EXPECT_TRUE(slow.WaitClosed(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 550ms);
  EXPECT_TRUE(slow.buffer().empty());  // dropped without an answer
  EXPECT_TRUE(Eventually([&] { return rs.server->Stats().read_timeouts_total == 1; }));
  // The other, keep-alive, connection is still usable.
  ASSERT_TRUE(other.Send(RequestText("GET", "/healthz")));
  EXPECT_TRUE(other.ReadResponse().has_value());
}

TEST(Server, ClosesAKeepAliveConnectionAfterTheIdleTimeout) {
  ServerOptions options = LoopbackOptions();
  options.idle_timeout = 200ms;
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/healthz")));
  ASSERT_TRUE(client.ReadResponse().has_value());
  EXPECT_TRUE(client.WaitClosed(5s));
  EXPECT_TRUE(Eventually([&] { return rs.server->Stats().connections_open == 0; }));
}

TEST(Server, AnswersBeyondTheConnectionCapWith503) {
  ServerOptions options = LoopbackOptions();
  options.max_connections = 2;
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
  auto first = std::make_unique<TestClient>(rs.endpoint());
  TestClient second(rs.endpoint());
  for (TestClient* c : {first.get(), &second}) {
    ASSERT_TRUE(c->Send(RequestText("GET", "/healthz")));
    ASSERT_TRUE(c->ReadResponse().has_value());
  }
  TestClient third(rs.endpoint());
  ASSERT_TRUE(third.Send(RequestText("GET", "/healthz")));
  const auto r = third.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(Json(*r)["error"]["code"], "unavailable");
  EXPECT_TRUE(third.WaitClosed(5s));
  EXPECT_EQ(rs.server->Stats().connections_rejected_total, 1u);

  first.reset();  // frees a slot once the server notices
  ASSERT_TRUE(Eventually([&] { return rs.server->Stats().connections_open == 1; }));
  TestClient fourth(rs.endpoint());
  ASSERT_TRUE(fourth.Send(RequestText("GET", "/healthz")));
  const auto ok = fourth.ReadResponse();
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
}

TEST(Server, StopFinishesAResponseInFlightClosesIdleConnectionsAndEndsTheLoop) {
  RunningServer rs;
  Router router;
  constexpr std::size_t kBig = 8 << 20;  // larger than the socket buffers: still writing at Stop
  ASSERT_TRUE(router
                  .Add("GET", "/big", Role::kViewer,
                       [&rs](const Request&) {
                         rs.Stop();  // runs on the loop after this response has started
                         return Response::Text(std::string(kBig, 'b'), "text/plain");
                       })
                  .ok());
  ASSERT_TRUE(router
                  .Add("GET", "/healthz", Role::kViewer,
                       [](const Request&) { return Response::Json("{}"); })
                  .ok());
  ASSERT_TRUE(rs.Start(LoopbackOptions(), std::move(router)).ok());

  TestClient idle(rs.endpoint());
  ASSERT_TRUE(idle.Send(RequestText("GET", "/healthz")));
  ASSERT_TRUE(idle.ReadResponse().has_value());

  TestClient big(rs.endpoint());
  ASSERT_TRUE(big.Send(RequestText("GET", "/big")));
  const auto r = big.ReadResponse(false, 10s);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body.size(), kBig);
  EXPECT_TRUE(big.WaitClosed(5s));
  EXPECT_TRUE(idle.WaitClosed(5s));
  EXPECT_TRUE(rs.WaitStopped(5s));
  TestClient late(rs.endpoint());
  EXPECT_FALSE(late.connected());
}

// A body of `pieces` pieces of `piece_bytes` each ('a', 'b', …), pulled piece by piece;
// `pulls` counts the calls.
Response Pieces(std::shared_ptr<std::atomic<int>> pulls, int pieces, std::size_t piece_bytes) {
  return Response::Pulled("text/plain",
                          [pulls, pieces, piece_bytes, next = 0](std::string& piece) mutable {
                            ++*pulls;
                            if (next == pieces) return false;
                            piece.append(piece_bytes, static_cast<char>('a' + next % 26));
                            ++next;
                            return true;
                          });
}

// A router whose GET /pieces answers Pieces(pulls, pieces, piece_bytes).
Router PiecesRouter(std::shared_ptr<std::atomic<int>> pulls, int pieces, std::size_t piece_bytes) {
  Router router;
  EXPECT_TRUE(router
                  .Add("GET", "/pieces", Role::kViewer,
                       [pulls, pieces, piece_bytes](const Request&) {
                         return Pieces(pulls, pieces, piece_bytes);
                       })
                  .ok());
  return router;
}

TEST(Server, SendsAPulledBodyAsChunksAndKeepsTheConnectionAlive) {
  auto pulls = std::make_shared<std::atomic<int>>(0);
  Router router = PiecesRouter(pulls, 3, 5);
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), std::move(router)).ok());
  TestClient client(rs.endpoint());
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(client.Send(RequestText("GET", "/pieces")));
    const auto r = client.ReadResponse();
    ASSERT_TRUE(r.has_value()) << "request " << i;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->Header("transfer-encoding"), "chunked");
    EXPECT_EQ(r->Header("content-type"), "text/plain");
    EXPECT_EQ(r->Header("cache-control"), "no-store");
    EXPECT_EQ(r->Header("content-length"), "");
    EXPECT_EQ(r->body, "aaaaabbbbbccccc");
    EXPECT_EQ(r->chunks, 3u);
  }
  EXPECT_EQ(pulls->load(), 8);  // three pieces and the end, twice
  // HEAD: the headers a GET gets, no body, and nothing pulled.
  ASSERT_TRUE(client.Send(RequestText("HEAD", "/pieces")));
  const auto head = client.ReadResponse(/*is_head=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("transfer-encoding"), "chunked");
  EXPECT_EQ(pulls->load(), 8);
  ASSERT_TRUE(client.Send(RequestText("GET", "/pieces")));
  const auto after_head = client.ReadResponse();
  ASSERT_TRUE(after_head.has_value());
  EXPECT_EQ(after_head->body, "aaaaabbbbbccccc");
  EXPECT_FALSE(client.closed_by_peer());
  EXPECT_EQ(rs.server->Stats().connections_accepted_total, 1u);
}

// The point of a pulled body: a reader that does not read holds the server to what the socket
// buffers take, not to the whole body.
TEST(Server, PullsTheNextPieceOnlyWhenThePreviousOneIsWritten) {
  constexpr int kPieces = 64;
  constexpr std::size_t kPiece = 1 << 20;
  auto pulls = std::make_shared<std::atomic<int>>(0);
  Router router = PiecesRouter(pulls, kPieces, kPiece);
  ServerOptions options = LoopbackOptions();
  options.write_timeout = 10s;
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, std::move(router)).ok());
  TestClient client(rs.endpoint(), /*receive_buffer_bytes=*/64 * 1024);
  ASSERT_TRUE(client.Send(RequestText("GET", "/pieces")));
  // The client reads nothing; wait until the server pulls no more.
  int seen = -1;
  ASSERT_TRUE(Eventually([&] {
    const int now = pulls->load();
    const bool settled = now > 0 && now == seen;
    seen = now;
    return settled;
  }));
  // The socket buffers hold a few MiB: a few pieces, far from all 64.
  EXPECT_LT(pulls->load(), kPieces / 2) << "pieces were pulled without being written";
  const auto r = client.ReadResponse(false, 20s);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->body.size(), kPieces * kPiece);
  EXPECT_EQ(r->body[kPiece * 63], static_cast<char>('a' + 63 % 26));
  EXPECT_EQ(pulls->load(), kPieces + 1);
}

TEST(Server, APulledBodyThatThrowsIsCutAndTheServerGoesOn) {
  Router router;
  ASSERT_TRUE(router
                  .Add("GET", "/throws", Role::kViewer,
                       [](const Request&) {
                         return Response::Pulled("text/plain",
                                                 [n = 0](std::string& piece) mutable -> bool {
                                                   if (n++ == 1) throw std::runtime_error("bug");
                                                   piece = "first";
                                                   return true;
                                                 });
                       })
                  .ok());
  ASSERT_TRUE(router
                  .Add("GET", "/healthz", Role::kViewer,
                       [](const Request&) { return Response::Json("{}"); })
                  .ok());
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), std::move(router)).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/throws")));
  EXPECT_FALSE(client.ReadResponse().has_value()) << "a cut body must not read as whole";
  EXPECT_TRUE(client.closed_by_peer());
  TestClient other(rs.endpoint());
  ASSERT_TRUE(other.Send(RequestText("GET", "/healthz")));
  const auto ok = other.ReadResponse();
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
}

TEST(Server, StopCutsAPulledBodyBetweenPiecesAndEndsTheLoop) {
  RunningServer rs;
  Router router;
  ASSERT_TRUE(router
                  .Add("GET", "/endless", Role::kViewer,
                       [&rs](const Request&) {
                         return Response::Pulled(
                             "text/plain", [&rs, n = 0](std::string& piece) mutable {
                               if (++n == 2)
                                 rs.Stop();  // runs on the loop once this piece is queued
                               piece.append(1024, static_cast<char>('a' + n - 1));
                               return true;
                             });
                       })
                  .ok());
  ASSERT_TRUE(rs.Start(LoopbackOptions(), std::move(router)).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send(RequestText("GET", "/endless")));
  EXPECT_TRUE(client.WaitClosed(5s));
  const std::string& received = client.buffer();
  EXPECT_NE(received.find(std::string(1024, 'a')), std::string::npos);
  EXPECT_NE(received.find(std::string(1024, 'b')), std::string::npos);
  EXPECT_EQ(received.find(std::string(1024, 'c')), std::string::npos) << "pulled after Stop";
  EXPECT_EQ(received.find("\r\n0\r\n\r\n"), std::string::npos) << "a cut body must not end";
  EXPECT_TRUE(rs.WaitStopped(5s));
}

TEST(Server, GivesAnHttp10ClientThePulledBodyWhole) {
  auto pulls = std::make_shared<std::atomic<int>>(0);
  Router router = PiecesRouter(pulls, 3, 5);
  RunningServer rs;
  ASSERT_TRUE(rs.Start(LoopbackOptions(), std::move(router)).ok());
  TestClient client(rs.endpoint());
  ASSERT_TRUE(client.Send("GET /pieces HTTP/1.0\r\n\r\n"));
  const auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->Header("transfer-encoding"), "");
  EXPECT_EQ(r->Header("content-length"), "15");
  EXPECT_EQ(r->body, "aaaaabbbbbccccc");
  EXPECT_TRUE(client.WaitClosed(5s));
}

TEST(Server, LogsOneAccessLineWithoutTokenOrQuery) {
  ServerOptions options = LoopbackOptions();
  options.auth = TwoTokens();
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
  const common::LogLevel saved = common::GetLogLevel();
  common::SetLogLevel(common::LogLevel::kDebug);  // the access lines are debug
  ::testing::internal::CaptureStderr();
  {
    TestClient client(rs.endpoint());
    ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/echo?q=hidden-value", kViewer)));
    ASSERT_TRUE(client.ReadResponse().has_value());
    ASSERT_TRUE(client.Send(RequestText("GET", "/nope")));  // same connection, no token
    ASSERT_TRUE(client.ReadResponse().has_value());
    ASSERT_TRUE(Eventually([&] { return rs.server->Stats().routes.size() == 2; }));
  }
  const std::string log = ::testing::internal::GetCapturedStderr();
  common::SetLogLevel(saved);
  EXPECT_NE(log.find("subsystem=http GET /api/v1/echo 200 "), std::string::npos) << log;
  EXPECT_NE(log.find("principal=grafana"), std::string::npos) << log;
  EXPECT_NE(log.find("GET /nope 404 "), std::string::npos) << log;
  EXPECT_NE(log.find("principal=anonymous"), std::string::npos) << log;
  EXPECT_EQ(log.find("viewer-secret"), std::string::npos) << log;
  EXPECT_EQ(log.find("hidden-value"), std::string::npos) << log;
}

TEST(Server, CountsRequestsByRouteAndStatusClass) {
  ServerOptions options = LoopbackOptions();
  options.auth = TwoTokens();
  RunningServer rs;
  ASSERT_TRUE(rs.Start(options, TestRouter()).ok());
  TestClient client(rs.endpoint());
  for (std::string_view headers : {kViewer, kViewer, std::string_view()}) {
    ASSERT_TRUE(client.Send(RequestText("GET", "/api/v1/echo", headers)));
    ASSERT_TRUE(client.ReadResponse().has_value());
  }
  ASSERT_TRUE(client.Send(RequestText("GET", "/nope", kViewer)));
  ASSERT_TRUE(client.ReadResponse().has_value());
  // Stats are recorded when the write completes, which the client may see first.
  ASSERT_TRUE(Eventually([&] {
    std::uint64_t total = 0;
    for (const RouteStats& s : rs.server->Stats().routes) total += s.requests_total;
    return total == 4;
  }));
  const ServerStats stats = rs.server->Stats();
  EXPECT_EQ(stats.connections_open, 1u);
  ASSERT_EQ(stats.routes.size(), 2u);
  const RouteStats& echo = stats.routes[0];
  EXPECT_EQ(echo.route, "/api/v1/echo");
  EXPECT_EQ(echo.method, "GET");
  EXPECT_EQ(echo.responses_by_class[1], 2u);  // 2xx
  EXPECT_EQ(echo.responses_by_class[3], 1u);  // 4xx: the 401
  EXPECT_GT(echo.duration_seconds_sum, 0.0);
  EXPECT_EQ(stats.routes[1].route, "unmatched");
  EXPECT_EQ(stats.routes[1].responses_by_class[3], 1u);
}

}  // namespace
}  // namespace pgvigil::http
