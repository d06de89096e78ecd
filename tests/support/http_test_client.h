// SPDX-License-Identifier: Apache-2.0
// Test helpers for http/: a blocking raw-socket client with deadlines (poll), enough HTTP/1.1
// response parsing for the server's answers, and RunningServer, which runs an http::Server on
// its own io_context thread. Header-only; used by pgvigil_http_tests.
#pragma once

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include "http/event_stream.h"
#include "http/server.h"

namespace pgvigil::http::testing {

struct TestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::size_t chunks = 0;  // of a chunked body (the last, empty one not counted)

  std::string Header(const std::string& lower_name) const {
    const auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// One TCP connection. Every read has a deadline, so a broken server fails a test, not hangs it.
class TestClient {
 public:
  // `receive_buffer_bytes` > 0 shrinks SO_RCVBUF before connecting (a slow reader).
  explicit TestClient(const boost::asio::ip::tcp::endpoint& endpoint,
                      int receive_buffer_bytes = 0) {
    fd_ = ::socket(endpoint.protocol().family(), SOCK_STREAM, 0);
    if (receive_buffer_bytes > 0) {
      ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
    }
    connected_ = ::connect(fd_, endpoint.data(), static_cast<socklen_t>(endpoint.size())) == 0;
  }
  ~TestClient() { Close(); }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return connected_; }
  bool closed_by_peer() const { return eof_; }
  std::string& buffer() { return buffer_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads once (waiting up to `timeout`); false on timeout, EOF or error.
  bool ReadSome(std::chrono::milliseconds timeout) {
    if (eof_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
    char chunk[16384];
    const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) {
      eof_ = true;  // orderly close or reset
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  // Reads until `buffer()` contains `needle`; false when the deadline passes or the peer closes.
  bool ReadUntil(std::string_view needle, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.find(needle) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !ReadSome(left)) return buffer_.find(needle) != std::string::npos;
    }
    return true;
  }

  // True when the server closes the connection within `timeout` (data before it is discarded).
  bool WaitClosed(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!eof_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      ReadSome(left);
      if (buffer_.size() > (1 << 20)) buffer_.clear();
    }
    return true;
  }

  // Reads one response (Content-Length delimited, chunked, or with no body for HEAD) off the
  // buffer. A chunked body is returned decoded, its chunk count in `chunks`.
  std::optional<TestResponse> ReadResponse(
      bool is_head = false, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
    if (!ReadUntil("\r\n\r\n", timeout)) return std::nullopt;
    const std::size_t head_end = buffer_.find("\r\n\r\n");
    TestResponse r;
    std::string_view head(buffer_.data(), head_end);
    const std::size_t first_line_end = head.find("\r\n");
    const std::string_view status_line = head.substr(0, first_line_end);
    if (status_line.size() < 12) return std::nullopt;
    r.status = std::stoi(std::string(status_line.substr(9, 3)));
    std::string_view rest =
        first_line_end == std::string_view::npos ? "" : head.substr(first_line_end + 2);
    while (!rest.empty()) {
      const std::size_t eol = rest.find("\r\n");
      const std::string_view line = rest.substr(0, eol);
      const std::size_t colon = line.find(':');
      std::string name(line.substr(0, colon));
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers[name] = std::string(value);
      rest = eol == std::string_view::npos ? "" : rest.substr(eol + 2);
    }
    if (!is_head && r.headers["transfer-encoding"] == "chunked") {
      buffer_.erase(0, head_end + 4);
      if (!ReadChunkedBody(r, timeout)) return std::nullopt;
      return r;
    }
    std::size_t length = 0;
    if (!is_head && r.headers.count("content-length")) {
      length = std::stoul(r.headers["content-length"]);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (buffer_.size() < head_end + 4 + length) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !ReadSome(left)) return std::nullopt;
    }
    r.body = buffer_.substr(head_end + 4, length);
    buffer_.erase(0, head_end + 4 + length);
    return r;
  }

  // Decodes chunks off the buffer up to the last (empty) one; false when the body is cut off
  // (the peer closes or the deadline passes) or malformed.
  bool ReadChunkedBody(TestResponse& r, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto wait_for = [&](std::size_t bytes) {
      while (buffer_.size() < bytes) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !ReadSome(left)) return false;
      }
      return true;
    };
    for (;;) {
      std::size_t eol = buffer_.find("\r\n");
      while (eol == std::string::npos) {
        if (!wait_for(buffer_.size() + 1)) return false;
        eol = buffer_.find("\r\n");
      }
      std::size_t size = 0;
      try {
        size = std::stoul(buffer_.substr(0, eol), nullptr, 16);
      } catch (const std::exception&) {
        return false;
      }
      if (!wait_for(eol + 2 + size + 2)) return false;
      if (buffer_.compare(eol + 2 + size, 2, "\r\n") != 0) return false;
      r.body.append(buffer_, eol + 2, size);
      buffer_.erase(0, eol + 2 + size + 2);
      if (size == 0) return true;
      ++r.chunks;
    }
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

// "GET /path HTTP/1.1" with Host and the given extra header lines ("Name: value\r\n" each).
inline std::string RequestText(std::string_view method, std::string_view target,
                               std::string_view extra_headers = "", std::string_view body = "") {
  std::string text = std::string(method) + " " + std::string(target) +
                     " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers);
  if (!body.empty() || method == "POST" || method == "PATCH") {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  text += "\r\n";
  text += body;
  return text;
}

// An http::Server (and optionally an EventStream) on an io_context run by its own thread.
class RunningServer {
 public:
  RunningServer() = default;
  ~RunningServer() {
    if (thread_.joinable()) {
      Stop();
      if (!WaitStopped(std::chrono::seconds(10))) io.stop();
      thread_.join();
    }
    server.reset();
    events.reset();
  }

  // Builds the server and starts its loop when Start succeeds.
  common::Status Start(ServerOptions options, Router router) {
    server = std::make_unique<Server>(io, std::move(options), std::move(router));
    common::Status status = server->Start();
    if (!status.ok()) return status;
    stopped_ = done_.get_future();
    thread_ = std::thread([this] {
      io.run();
      done_.set_value();
    });
    return status;
  }

  boost::asio::ip::tcp::endpoint endpoint() const { return server->local_endpoint(); }

  // Server::Stop, on the loop.
  void Stop() {
    boost::asio::post(io, [this] { server->Stop(); });
  }

  // True when io_context::run() has returned within `timeout`.
  bool WaitStopped(std::chrono::milliseconds timeout) {
    return stopped_.valid() && stopped_.wait_for(timeout) == std::future_status::ready;
  }

  boost::asio::io_context io;
  std::unique_ptr<EventStream> events;  // tests that stream create it before Start
  std::unique_ptr<Server> server;

 private:
  std::thread thread_;
  std::promise<void> done_;
  std::future<void> stopped_;
};

// Polls `condition` (a cheap read of stats) until it holds or `timeout` passes.
template <typename Condition>
bool Eventually(Condition condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace pgvigil::http::testing
