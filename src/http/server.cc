// SPDX-License-Identifier: Apache-2.0
// The only user of Boost.Beast (STYLE.md §8): sessions, limits, timeouts, the access log.
#include "http/server.h"

#include <algorithm>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/log.h"
#include "common/result.h"

namespace pgvigil::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kUnmatchedRoute = "unmatched";
// After the last response on a connection, read and discard what the client still sends (an
// unread request body) for at most this long before closing: closing a socket with unread input
// sends a reset, which can destroy the response before the client reads it.
constexpr std::chrono::milliseconds kMaxLingerTime{1000};
constexpr std::size_t kMaxLingerBytes = 1 << 20;

struct ListenAddress {
  std::string host;
  std::string port;
};

common::Result<ListenAddress> ParseListen(std::string_view listen) {
  auto invalid = [&](std::string_view why) {
    return common::InvalidArgumentError("http listen address \"" + std::string(listen) + "\": " +
                                        std::string(why) + " (want host:port or [ipv6]:port)");
  };
  ListenAddress out;
  std::string_view rest = listen;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return invalid("unclosed '['");
    out.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (rest.empty() || rest.front() != ':') return invalid("missing port");
    rest.remove_prefix(1);
  } else {
    const std::size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return invalid("missing port");
    out.host = std::string(rest.substr(0, colon));
    if (out.host.find(':') != std::string::npos) return invalid("IPv6 hosts need brackets");
    rest.remove_prefix(colon + 1);
  }
  if (rest.empty() || rest.size() > 5 ||
      !std::all_of(rest.begin(), rest.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoi(std::string(rest)) > 65535) {
    return invalid("bad port");
  }
  out.port = std::string(rest);
  if (out.host.empty()) out.host = "0.0.0.0";
  return out;
}

bool IsLoopback(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

std::string FormatEndpoint(const tcp::endpoint& endpoint) {
  const asio::ip::address address = endpoint.address();
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(endpoint.port());
  return address.to_string() + ":" + std::to_string(endpoint.port());
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

ApiError PayloadTooLarge(std::size_t limit) {
  return {413, "payload_too_large",
          "request body larger than the limit of " + std::to_string(limit) + " bytes"};
}
ApiError HeadersTooLarge(std::size_t limit) {
  return {431, "headers_too_large",
          "request headers larger than the limit of " + std::to_string(limit) + " bytes"};
}
ApiError InternalServerError() { return {500, "internal", "internal error; see the daemon log"}; }

class Session;

}  // namespace

class Server::Impl : public std::enable_shared_from_this<Server::Impl> {
 public:
  Impl(asio::io_context& io, ServerOptions options, Router router)
      : io_(io),
        options_(std::move(options)),
        router_(std::move(router)),
        auth_(options_.auth),
        acceptor_(io),
        retry_timer_(io) {}

  common::Status Start();
  void Stop();
  void Accept();

  // Session bookkeeping (loop thread).
  void Register(Session* session, std::weak_ptr<Session> weak, bool counted);
  void Unregister(Session* session, bool counted, bool streaming);
  bool TryAddStream();
  void RecordRequest(std::string_view method, std::string_view route, int status,
                     SteadyClock::duration duration);
  void CountReadTimeout();

  asio::io_context& io_;
  const ServerOptions options_;
  const Router router_;
  const Authenticator auth_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  bool started_ = false;
  bool stopping_ = false;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;  // loop thread only

  mutable std::mutex mu_;  // guards the members below, read by Stats() from any thread
  tcp::endpoint local_endpoint_;
  std::map<std::pair<std::string, std::string>, RouteStats> routes_;  // (route, method)
  ServerStats counters_;                                              // everything but routes
};

namespace {

// One accepted connection. Reads requests one after another (keep-alive), answers each, or
// becomes a StreamWriter for a streaming response. Lives as long as an operation or the SSE hub
// holds it.
class Session final : public std::enable_shared_from_this<Session>, public StreamWriter {
 public:
  Session(std::shared_ptr<Server::Impl> server, tcp::socket socket, bool rejected)
      : server_(std::move(server)),
        stream_(std::move(socket)),
        write_timer_(server_->io_),
        rejected_(rejected),
        accepted_at_(SteadyClock::now()) {
    beast::error_code ec;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    remote_ = ec ? std::string("?") : FormatEndpoint(remote);
  }

  void Run() {
    server_->Register(this, weak_from_this(), !rejected_);
    if (rejected_) {
      // Over the connection limit: answer 503 without reading the request, then close.
      Response r = Response::Error(Unavailable("too many connections; try again later"));
      r.headers.emplace_back("Retry-After", "1");
      keep_alive_ = false;
      WriteResponse(std::move(r), /*is_head=*/false);
      return;
    }
    ReadRequest();
  }

  // Server::Stop: idle, reading and streaming connections close now; one that is writing a
  // response closes after it.
  void OnServerStop() {
    if (state_ == State::kWriting) return;  // OnWrite sees stopping_
    // kWaiting (a deferred answer) closes too: the answer, when it comes, is dropped.
    CloseNow();
  }

  // StreamWriter
  void Write(std::string chunk) override {
    if (state_ != State::kStreaming) return;
    queue_.push_back(std::move(chunk));
    WriteNextChunk();
  }
  std::size_t QueuedChunks() const override { return queue_.size(); }
  bool IsOpen() const override { return state_ == State::kStreaming; }
  void Close() override { CloseNow(); }
  void SetOnClose(std::function<void()> on_close) override { on_close_ = std::move(on_close); }

 private:
  enum class State { kIdle, kReading, kWaiting, kWriting, kStreaming, kLingering, kClosed };

  const ServerOptions& options() const { return server_->options_; }

  void ReadRequest() {
    if (server_->stopping_) return CloseNow();
    state_ = State::kIdle;
    parser_.emplace();
    parser_->body_limit(options().max_body_bytes);
    parser_->header_limit(
        static_cast<std::uint32_t>(std::min<std::size_t>(options().max_header_bytes, UINT32_MAX)));
    if (buffer_.size() > 0) return ReadRest();  // a pipelined request is already here
    // The first request must arrive within read_timeout of accept; later ones may idle first.
    if (first_request_) {
      stream_.expires_at(accepted_at_ + options().read_timeout);
    } else {
      stream_.expires_after(options().idle_timeout);
    }
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->OnFirstBytes(ec, n);
                            });
  }

  void OnFirstBytes(beast::error_code ec, std::size_t n) {
    if (ec) {
      if (ec == beast::error::timeout && first_request_) server_->CountReadTimeout();
      return CloseNow();
    }
    buffer_.commit(n);
    ReadRest();
  }

  void ReadRest() {
    state_ = State::kReading;
    if (first_request_) {
      stream_.expires_at(accepted_at_ + options().read_timeout);
    } else {
      stream_.expires_after(options().read_timeout);
    }
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (state_ == State::kClosed) return;
    received_at_ = SteadyClock::now();
    // What the access log says about this request, whatever happens to it.
    principal_ = std::string(kAnonymous);
    log_method_ = "-";
    log_path_ = "-";
    if (parser_->is_header_done()) {
      const std::string_view target = parser_->get().target();
      log_method_ = std::string(parser_->get().method_string());
      log_path_ = std::string(target.substr(0, target.find('?')));
    }
    if (ec) {
      if (ec == beast::error::timeout) {
        server_->CountReadTimeout();
        common::Log(common::LogLevel::kDebug, "http", "dropped {}: request not read within {} ms",
                    remote_, options().read_timeout.count());
        return CloseNow();
      }
      keep_alive_ = false;
      if (ec == bhttp::error::body_limit) {
        return Answer("", "", Response::Error(PayloadTooLarge(options().max_body_bytes)), false);
      }
      if (ec == bhttp::error::header_limit) {
        return Answer("", "", Response::Error(HeadersTooLarge(options().max_header_bytes)), false);
      }
      if (ec.category() == beast::error_code(bhttp::error::end_of_stream).category() &&
          ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        return Answer("", "", Response::Error(BadRequest("malformed HTTP request")), false);
      }
      return CloseNow();  // the client went away, or Stop() closed the socket
    }
    Handle(parser_->release());
  }

  void Handle(bhttp::request<bhttp::string_body> message) {
    keep_alive_ = message.keep_alive();
    http10_ = message.version() < 11;
    const std::string method(message.method_string());
    const std::string_view target = message.target();
    const std::size_t question = target.find('?');
    const std::string_view path = target.substr(0, question);
    const bool is_head = method == "HEAD";
    if (path.empty() || path.front() != '/') {
      return Answer("", "", Response::Error(BadRequest("request target must be a path")), is_head);
    }

    const RouteMatch match = server_->router_.Match(method, path);
    if (match.kind == RouteMatch::Kind::kNotFound) {
      return Answer("", "", NotFoundResponse(path), is_head);
    }
    if (match.kind == RouteMatch::Kind::kMethodNotAllowed) {
      return Answer("", "", MethodNotAllowedResponse(method, match.allow), is_head);
    }
    const Route& route = *match.route;

    const auto authorization = message.find(bhttp::field::authorization);
    const AuthDecision decision = server_->auth_.Authorize(
        authorization == message.end() ? std::string_view() : authorization->value(), route.pattern,
        route.min_role);
    principal_ = decision.principal.name;
    if (decision.error) {
      Response r = Response::Error(*decision.error);
      if (decision.error->status == 401) {
        r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"pgvigil\"");
      }
      return Answer(route.method, route.pattern, std::move(r), is_head);
    }

    Request request;
    request.method = method;
    request.path = std::string(path);
    request.route = route.pattern;
    request.params = match.params;
    if (question != std::string_view::npos) {
      common::Result<QueryParams> query = ParseQuery(target.substr(question + 1));
      if (!query.ok()) {
        return Answer(route.method, route.pattern,
                      Response::Error(BadRequest("query string: " + query.error().message())),
                      is_head);
      }
      request.query = std::move(query).value();
    }
    for (const auto& field : message) {
      request.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
    }
    request.body = std::move(message.body());
    request.principal = decision.principal;
    request.remote_address = remote_;

    Response response;
    try {
      response = route.handler(request);
    } catch (const std::exception& e) {
      // Handlers return errors as values; an exception is a bug, but one request must not take
      // the daemon down.
      common::Log(common::LogLevel::kError, "http", "handler for {} {} threw: {}", method,
                  route.pattern, e.what());
      response = Response::Error(InternalServerError());
    } catch (...) {
      common::Log(common::LogLevel::kError, "http", "handler for {} {} threw", method,
                  route.pattern);
      response = Response::Error(InternalServerError());
    }
    if (response.stream && !is_head) {
      if (!server_->TryAddStream()) {
        return Answer(route.method, route.pattern,
                      Response::Error(Unavailable("too many event-stream clients")), is_head);
      }
      return StartStream(route.method, route.pattern, std::move(response));
    }
    response.stream = nullptr;
    if (response.deferred) return StartDeferred(route, std::move(response.deferred), is_head);
    Answer(route.method, route.pattern, std::move(response), is_head);
  }

  // Waits for the handler's answer from another thread; it is written on the loop.
  void StartDeferred(const Route& route,
                     std::function<void(std::function<void(Response)>)> deferred, bool is_head) {
    state_ = State::kWaiting;
    auto respond = [self = shared_from_this(), method = route.method, pattern = route.pattern,
                    is_head](Response r) {
      asio::post(self->stream_.get_executor(),
                 [self, method, pattern, is_head, r = std::move(r)]() mutable {
                   if (self->state_ != State::kWaiting) return;  // closed meanwhile (Stop, timeout)
                   r.stream = nullptr;
                   r.deferred = nullptr;
                   self->Answer(method, pattern, std::move(r), is_head);
                 });
    };
    try {
      deferred(std::move(respond));
    } catch (const std::exception& e) {
      common::Log(common::LogLevel::kError, "http", "deferred handler for {} threw: {}",
                  route.pattern, e.what());
      Answer(route.method, route.pattern, Response::Error(InternalServerError()), is_head);
    }
  }

  // Writes `r` and records it for the route; the stats and access log follow the write.
  void Answer(std::string_view route_method, std::string_view route, Response r, bool is_head) {
    stats_method_ = std::string(route_method);
    stats_route_ = route.empty() ? std::string(kUnmatchedRoute) : std::string(route);
    if (r.pull && !http10_) return WritePulledResponse(std::move(r), is_head);
    if (r.pull) GatherPulledBody(r, is_head);
    WriteResponse(std::move(r), is_head);
  }

  // Calls `pull` once: whether more is to come, or nullopt when it threw (logged; a handler's
  // body must not take the daemon down).
  std::optional<bool> Pull(const std::function<bool(std::string&)>& pull, std::string& out) {
    try {
      return pull(out);
    } catch (const std::exception& e) {
      common::Log(common::LogLevel::kError, "http", "body of {} {} threw: {}", log_method_,
                  log_path_, e.what());
    } catch (...) {
      common::Log(common::LogLevel::kError, "http", "body of {} {} threw", log_method_, log_path_);
    }
    return std::nullopt;
  }

  // HTTP/1.0 has no chunked coding: a pulled body is gathered whole for such a client.
  void GatherPulledBody(Response& r, bool is_head) {
    const auto pull = std::move(r.pull);
    r.pull = nullptr;
    if (is_head) return;
    std::optional<bool> more;
    while ((more = Pull(pull, r.body)) == true) {
    }
    if (!more) r = Response::Error(InternalServerError());
  }

  // The status line and headers every whole or pulled response carries.
  template <typename Message>
  void SetHeaders(Message& res, const Response& r) {
    res.set(bhttp::field::server, "pgvigil");
    res.set(bhttp::field::content_type, r.content_type);
    bool has_cache_control = false;
    for (const auto& [name, value] : r.headers) {
      if (Lower(name) == "cache-control") has_cache_control = true;
      res.insert(name, value);
    }
    // API answers are live state; a handler serving static assets may say otherwise.
    if (!has_cache_control) res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(keep_alive_ && !server_->stopping_);
  }

  void WriteResponse(Response r, bool is_head) {
    state_ = State::kWriting;
    response_.emplace(static_cast<bhttp::status>(r.status), 11);
    Reply& res = *response_;
    SetHeaders(res, r);
    // The response refers to the body, which this session holds until the write is done.
    owned_body_ = std::move(r.body);
    shared_body_ = std::move(r.shared_body);
    const std::string_view body = shared_body_ != nullptr ? *shared_body_ : owned_body_;
    res.body() = {body.data(), body.size()};
    res.prepare_payload();
    body_bytes_ = body.size();
    if (is_head) {
      res.body() = {};  // Content-Length keeps the size a GET would have sent
      body_bytes_ = 0;
    }
    status_ = r.status;
    stream_.expires_after(options().write_timeout);
    bhttp::async_write(
        stream_, res,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnWrite(ec); });
  }

  void OnWrite(beast::error_code ec) {
    if (!rejected_) LogAndRecord();
    const bool keep_alive = response_->keep_alive();
    response_.reset();
    owned_body_ = std::string();  // a large body is not kept per connection
    shared_body_.reset();         // a shared one lives on where it came from
    AfterResponse(ec, keep_alive);
  }

  void AfterResponse(beast::error_code ec, bool keep_alive) {
    if (ec || state_ == State::kClosed) return CloseNow();
    if (!keep_alive || server_->stopping_) return Linger();
    first_request_ = false;
    ReadRequest();
  }

  // A pulled body (Response::pull): the headers, then one chunk per piece, each pulled when the
  // previous one has been written, so that at most one piece is in memory; then the last chunk.
  // The whole response has write_timeout, as a whole one has: a reader that takes a piece now
  // and then cannot keep the render (and the states it holds) alive for long.
  void WritePulledResponse(Response r, bool is_head) {
    state_ = State::kWriting;
    status_ = r.status;
    body_bytes_ = 0;
    pulled_head_.emplace(static_cast<bhttp::status>(r.status), 11);
    SetHeaders(*pulled_head_, r);
    pulled_head_->chunked(true);
    pull_ = is_head ? nullptr : std::move(r.pull);
    pulled_serializer_.emplace(*pulled_head_);
    stream_.expires_after(options().write_timeout);
    bhttp::async_write_header(
        stream_, *pulled_serializer_,
        [self = shared_from_this(), is_head](beast::error_code ec, std::size_t) {
          if (is_head) return self->EndPulledResponse(ec);  // no body
          self->WriteNextPiece(ec);
        });
  }

  void WriteNextPiece(beast::error_code ec) {
    // Stop does not wait for a slow reader of a large body: it is cut between two pieces.
    if (ec || server_->stopping_) {
      return EndPulledResponse(ec ? ec : beast::error_code(asio::error::operation_aborted));
    }
    piece_.clear();
    if (pull_) {
      std::optional<bool> more;
      do {  // an empty chunk would end the body
        more = Pull(pull_, piece_);
      } while (more == true && piece_.empty());
      // The status line is gone: all that is left is to cut the body, which the client sees.
      if (!more) return EndPulledResponse(beast::error_code(asio::error::operation_aborted));
      if (!*more) pull_ = nullptr;  // whatever this last call appended is the last piece
    }
    if (piece_.empty()) {
      piece_ = std::string();
      return asio::async_write(stream_, bhttp::make_chunk_last(),
                               [self = shared_from_this()](beast::error_code e, std::size_t) {
                                 self->EndPulledResponse(e);
                               });
    }
    body_bytes_ += piece_.size();
    asio::async_write(
        stream_, bhttp::make_chunk(asio::buffer(piece_)),
        [self = shared_from_this()](beast::error_code e, std::size_t) { self->WriteNextPiece(e); });
  }

  void EndPulledResponse(beast::error_code ec) {
    if (ec) {
      common::Log(common::LogLevel::kWarn, "http", "{} {} cut after {} bytes: {}", log_method_,
                  log_path_, body_bytes_, ec.message());
    }
    LogAndRecord();
    const bool keep_alive = pulled_head_->keep_alive();
    pulled_serializer_.reset();
    pulled_head_.reset();
    pull_ = nullptr;
    piece_ = std::string();
    AfterResponse(ec, keep_alive);
  }

  void LogAndRecord() {
    const SteadyClock::duration duration = SteadyClock::now() - received_at_;
    // Never the query string or the Authorization header: only what identifies the request.
    // At debug: one synchronous stderr line per request halved the API's throughput under
    // load (docs/benchmarks.md); server errors stay visible at warn.
    common::Log(status_ >= 500 ? common::LogLevel::kWarn : common::LogLevel::kDebug, "http",
                "{} {} {} {} bytes {:.3f} ms principal={} remote={}", log_method_, log_path_,
                status_, body_bytes_, std::chrono::duration<double, std::milli>(duration).count(),
                principal_.empty() ? std::string(kAnonymous) : principal_, remote_);
    server_->RecordRequest(stats_method_, stats_route_, status_, duration);
  }

  // Half-closes, then discards what the client still sends until it closes too (or a short
  // deadline passes), so that the response is not lost to a connection reset.
  void Linger() {
    state_ = State::kLingering;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    // Stopping: nothing unread means nothing that could turn the close into a reset.
    if (server_->stopping_ && stream_.socket().available(ignored) == 0) return CloseNow();
    stream_.expires_after(std::min(kMaxLingerTime, options().read_timeout));
    LingerRead();
  }

  void LingerRead() {
    stream_.async_read_some(
        asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
          self->lingered_bytes_ += n;
          if (ec || self->lingered_bytes_ > kMaxLingerBytes || self->state_ != State::kLingering) {
            return self->CloseNow();
          }
          self->LingerRead();
        });
  }

  void StartStream(std::string_view route_method, std::string_view route, Response r) {
    state_ = State::kStreaming;
    streaming_ = true;
    stats_method_ = std::string(route_method);
    stats_route_ = std::string(route);
    status_ = 200;
    body_bytes_ = 0;
    LogAndRecord();
    // The body runs until the connection closes, so there is no Content-Length and no
    // keep-alive. Headers are written as the first chunk of the queue.
    std::string head = "HTTP/1.1 200 OK\r\nServer: pgvigil\r\nContent-Type: " + r.content_type +
                       "\r\nCache-Control: no-store\r\nX-Accel-Buffering: no\r\n"
                       "Connection: close\r\n";
    for (const auto& [name, value] : r.headers) head += name + ": " + value + "\r\n";
    head += "\r\n";
    // From now on the connection uses the raw socket, with its own write deadline per chunk.
    stream_.expires_never();
    Write(std::move(head));
    // Watch for the client closing: nothing is expected from it, anything it sends is dropped.
    WatchForClose();
    r.stream(std::shared_ptr<StreamWriter>(shared_from_this(), this));
  }

  void WatchForClose() {
    stream_.socket().async_read_some(
        asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
          if (ec || self->state_ != State::kStreaming) return self->CloseNow();
          self->WatchForClose();
        });
  }

  void WriteNextChunk() {
    if (chunk_in_flight_ || queue_.empty() || state_ != State::kStreaming) return;
    chunk_in_flight_ = true;
    write_timer_.expires_after(options().write_timeout);
    write_timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the chunk was written
      if (auto self = weak.lock()) self->CloseNow();
    });
    asio::async_write(stream_.socket(), asio::buffer(queue_.front()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->chunk_in_flight_ = false;
                        self->write_timer_.cancel();
                        if (ec || self->state_ != State::kStreaming) return self->CloseNow();
                        self->queue_.pop_front();
                        self->WriteNextChunk();
                      });
  }

  void CloseNow() {
    if (state_ == State::kClosed) return;
    auto keep_alive_during_close = shared_from_this();
    state_ = State::kClosed;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    write_timer_.cancel();
    queue_.clear();
    server_->Unregister(this, !rejected_, streaming_);
    if (on_close_) {
      std::function<void()> on_close = std::move(on_close_);
      on_close_ = nullptr;
      on_close();
    }
  }

  std::shared_ptr<Server::Impl> server_;
  beast::tcp_stream stream_;
  asio::steady_timer write_timer_;
  const bool rejected_;
  const SteadyClock::time_point accepted_at_;
  std::string remote_;
  State state_ = State::kIdle;
  bool first_request_ = true;
  bool keep_alive_ = true;
  bool http10_ = false;  // the current request's version is HTTP/1.0
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  // What is being written: the headers, and a span over owned_body_ or shared_body_.
  using Reply = bhttp::response<bhttp::span_body<const char>>;
  std::optional<Reply> response_;
  std::string owned_body_;
  std::shared_ptr<const std::string> shared_body_;
  // What is being written of a pulled response: its headers, their serializer, and the piece.
  std::optional<bhttp::response<bhttp::empty_body>> pulled_head_;
  std::optional<bhttp::response_serializer<bhttp::empty_body>> pulled_serializer_;
  std::function<bool(std::string&)> pull_;
  std::string piece_;
  std::array<char, 4096> scratch_{};
  std::size_t lingered_bytes_ = 0;

  // For the access log and stats of the current request.
  SteadyClock::time_point received_at_ = SteadyClock::now();
  std::string log_method_;
  std::string log_path_;
  std::string stats_method_;
  std::string stats_route_{kUnmatchedRoute};
  std::string principal_;
  int status_ = 0;
  std::size_t body_bytes_ = 0;

  // Streaming.
  bool streaming_ = false;
  bool chunk_in_flight_ = false;
  std::deque<std::string> queue_;
  std::function<void()> on_close_;
};

}  // namespace

common::Status Server::Impl::Start() {
  if (started_) return common::InternalError("http server started twice");
  PGV_RETURN_IF_ERROR(auth_.Validate());
  PGV_ASSIGN_OR_RETURN(const ListenAddress listen, ParseListen(options_.listen));

  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(listen.host, ec);
  if (ec) {
    // A host name ("localhost"): resolve it once, at start-up, and bind the first address.
    tcp::resolver resolver(io_);
    const auto results = resolver.resolve(listen.host, listen.port, ec);
    if (ec || results.empty()) {
      return common::InvalidArgumentError("http listen address \"" + options_.listen +
                                          "\": cannot resolve host: " + ec.message());
    }
    address = results.begin()->endpoint().address();
  }
  if (!auth_.has_tokens() && !IsLoopback(address)) {
    return common::PermissionDeniedError(
        "http: refusing to listen on \"" + options_.listen +
        "\" without API tokens: configure tokens, or listen on a loopback address such as "
        "127.0.0.1:8787 or [::1]:8787");
  }
  const tcp::endpoint endpoint(address, static_cast<unsigned short>(std::stoi(listen.port)));
  auto fail = [&](std::string_view what) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return common::UnavailableError("http: cannot " + std::string(what) + " " + options_.listen +
                                    ": " + ec.message());
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open a socket for");
  acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("configure");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  {
    std::lock_guard<std::mutex> lock(mu_);
    local_endpoint_ = acceptor_.local_endpoint(ec);
  }
  started_ = true;
  common::Log(common::LogLevel::kInfo, "http", "listening on {}{}", FormatEndpoint(local_endpoint_),
              auth_.has_tokens() ? "" : " (no API tokens: read-only, loopback only)");
  Accept();
  return common::Status::Ok();
}

void Server::Impl::Accept() {
  acceptor_.async_accept(
      io_, [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
        if (self->stopping_ || ec == asio::error::operation_aborted) return;
        if (ec) {
          // Out of file descriptors, most likely: wait a little instead of spinning.
          common::Log(common::LogLevel::kWarn, "http", "accept failed: {}", ec.message());
          self->retry_timer_.expires_after(std::chrono::milliseconds(100));
          self->retry_timer_.async_wait([self](beast::error_code timer_ec) {
            if (!timer_ec && !self->stopping_) self->Accept();
          });
          return;
        }
        std::size_t open = 0;
        {
          std::lock_guard<std::mutex> lock(self->mu_);
          open = self->counters_.connections_open;
        }
        const bool rejected = open >= self->options_.max_connections;
        std::make_shared<Session>(self, std::move(socket), rejected)->Run();
        self->Accept();
      });
}

void Server::Impl::Stop() {
  if (stopping_) return;
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  std::vector<std::shared_ptr<Session>> sessions;
  for (auto& [ptr, weak] : sessions_) {
    if (auto session = weak.lock()) sessions.push_back(std::move(session));
  }
  for (auto& session : sessions) session->OnServerStop();
  if (started_) common::Log(common::LogLevel::kInfo, "http", "stopped");
}

void Server::Impl::Register(Session* session, std::weak_ptr<Session> weak, bool counted) {
  sessions_.emplace(session, std::move(weak));
  if (!counted) {
    std::lock_guard<std::mutex> lock(mu_);
    ++counters_.connections_rejected_total;
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.connections_open;
  ++counters_.connections_accepted_total;
}

void Server::Impl::Unregister(Session* session, bool counted, bool streaming) {
  sessions_.erase(session);
  std::lock_guard<std::mutex> lock(mu_);
  if (counted) --counters_.connections_open;
  if (streaming) --counters_.sse_clients;
}

bool Server::Impl::TryAddStream() {
  std::lock_guard<std::mutex> lock(mu_);
  if (counters_.sse_clients >= options_.max_sse_clients) {
    ++counters_.sse_rejected_total;
    return false;
  }
  ++counters_.sse_clients;
  return true;
}

void Server::Impl::RecordRequest(std::string_view method, std::string_view route, int status,
                                 SteadyClock::duration duration) {
  std::lock_guard<std::mutex> lock(mu_);
  RouteStats& stats = routes_[{std::string(route), std::string(method)}];
  if (stats.route.empty()) {
    stats.route = std::string(route);
    stats.method = std::string(method);
  }
  const int status_class = std::clamp(status / 100, 1, 5);
  ++stats.responses_by_class[static_cast<std::size_t>(status_class - 1)];
  ++stats.requests_total;
  stats.duration_seconds_sum += std::chrono::duration<double>(duration).count();
}

void Server::Impl::CountReadTimeout() {
  std::lock_guard<std::mutex> lock(mu_);
  ++counters_.read_timeouts_total;
}

Server::Server(boost::asio::io_context& io, ServerOptions options, Router router)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(router))) {}

Server::~Server() { impl_->Stop(); }

common::Status Server::Start() { return impl_->Start(); }

void Server::Stop() { impl_->Stop(); }

boost::asio::ip::tcp::endpoint Server::local_endpoint() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->local_endpoint_;
}

ServerStats Server::Stats() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  ServerStats stats = impl_->counters_;
  for (const auto& [key, route] : impl_->routes_) stats.routes.push_back(route);
  return stats;
}

}  // namespace pgvigil::http
