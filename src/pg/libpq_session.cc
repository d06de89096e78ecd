// SPDX-License-Identifier: Apache-2.0
#include "pg/libpq_session.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <optional>

#include "pg/async_session.h"

namespace pgvigil::pg {
namespace {

namespace asio = boost::asio;

template <typename T>
asio::awaitable<void> StoreResult(asio::awaitable<T> task, std::optional<T>& out) {
  out.emplace(co_await std::move(task));
}

// Runs `task` to completion on `context`, which nothing else uses: the calling thread blocks
// as the old poll() loop did. run() returns once no work is left, so a detached operation
// started by the task (a name lookup given up at its deadline) finishes before this returns.
// (co_spawn's own result would need a default-constructible T; Result<T> is not one.)
template <typename T>
T RunToCompletion(asio::io_context& context, asio::awaitable<T> task) {
  std::optional<T> out;
  std::future<void> done =
      asio::co_spawn(context, StoreResult(std::move(task), out), asio::use_future);
  context.restart();
  context.run();
  done.get();  // our coroutines do not throw; if the library did, let it reach main()
  return std::move(*out);
}

}  // namespace

struct LibpqSession::Loop {
  asio::io_context context{1};
  std::unique_ptr<AsyncSession> session;  // declared after context: destroyed first
};

LibpqSession::LibpqSession(std::unique_ptr<Loop> loop) : loop_(std::move(loop)) {}

LibpqSession::~LibpqSession() = default;

common::Result<std::unique_ptr<LibpqSession>> LibpqSession::Connect(const SessionOptions& options) {
  auto loop = std::make_unique<Loop>();
  auto session =
      RunToCompletion(loop->context, AsyncSession::Connect(loop->context.get_executor(), options));
  if (!session.has_value()) return session.error();
  loop->session = std::move(session).value();
  return std::unique_ptr<LibpqSession>(new LibpqSession(std::move(loop)));
}

const ServerInfo& LibpqSession::server_info() const { return loop_->session->server_info(); }

bool LibpqSession::is_connected() const { return loop_->session->is_connected(); }

std::chrono::microseconds LibpqSession::connect_duration() const {
  return loop_->session->connect_duration();
}

std::chrono::microseconds LibpqSession::setup_round_trip() const {
  return loop_->session->setup_round_trip();
}

int LibpqSession::backend_pid() const { return loop_->session->backend_pid(); }

std::vector<QueryOutcome> LibpqSession::RunPipeline(std::span<const Query> queries) {
  return RunToCompletion(loop_->context, loop_->session->RunPipeline(
                                             std::vector<Query>(queries.begin(), queries.end())));
}

common::Result<ResultSet> LibpqSession::RunSimple(std::string_view sql) {
  return RunToCompletion(loop_->context, loop_->session->RunSimple(std::string(sql)));
}

}  // namespace pgvigil::pg
