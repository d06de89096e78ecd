// SPDX-License-Identifier: Apache-2.0
// pg::AsyncSession against the real server, several sessions on one event loop: a target that
// accepts TCP and never answers delays no other, deadlines hold on the loop, a lost backend is
// noticed, authentication errors keep the password out, host names are resolved on the loop.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <optional>

#include "integration/integration_helpers.h"
#include "pg/async_session.h"

namespace pgvigil::testing {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using SessionResult = common::Result<std::unique_ptr<pg::AsyncSession>>;

// A TCP listener that never accepts: the kernel completes the handshake (the backlog), so a
// client's connect succeeds and then nothing ever answers, as with a hung or half-open peer.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    auto* generic = reinterpret_cast<sockaddr*>(&address);
    if (fd_ < 0 || ::bind(fd_, generic, length) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, generic, &length) != 0) {
      ADD_FAILURE() << "cannot open a listening socket";
      return;
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() {
    if (fd_ >= 0) ::close(fd_);
  }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

template <typename T>
asio::awaitable<void> Store(asio::awaitable<T> task, std::optional<T>& out) {
  out.emplace(co_await std::move(task));
}

// Runs one operation on a loop of its own, for the tests that need only one session.
template <typename T>
T RunAlone(asio::io_context& context, asio::awaitable<T> task) {
  std::optional<T> out;
  asio::co_spawn(context, Store(std::move(task), out), asio::detached);
  context.restart();
  context.run();
  return std::move(*out);
}

pg::SessionOptions MonitorOptions() {
  pg::SessionOptions options;
  options.dsn = Sandbox().monitor_dsn;
  return options;
}

// Connects to the real server and runs three pipelines, noting when it is done.
asio::awaitable<void> ServeRealTarget(asio::any_io_executor executor, pg::SessionOptions options,
                                      std::vector<std::string>& answers, Clock::time_point& done) {
  SessionResult session = co_await pg::AsyncSession::Connect(executor, std::move(options));
  if (!session.has_value()) {
    ADD_FAILURE() << session.error().ToString();
    co_return;
  }
  for (int i = 0; i < 3; ++i) {
    std::vector<pg::Query> queries = {{"one", "select 1"},
                                      {"round", "select " + std::to_string(i)}};
    const std::vector<pg::QueryOutcome> r = co_await (*session)->RunPipeline(std::move(queries));
    for (const pg::QueryOutcome& o : r) {
      answers.push_back(o.status.ok() ? std::string(o.rows.Value(0, 0)) : o.status.ToString());
    }
  }
  done = Clock::now();
}

asio::awaitable<void> ConnectToSilentTarget(asio::any_io_executor executor,
                                            pg::SessionOptions options,
                                            std::optional<common::Status>& status,
                                            Clock::time_point& done) {
  SessionResult session = co_await pg::AsyncSession::Connect(executor, std::move(options));
  status = session.status();
  done = Clock::now();
}

TEST(AsyncSessionIntegration, AHalfOpenTargetTimesOutAloneWhileTheRealOneIsServed) {
  SilentListener silent;
  ASSERT_GT(silent.port(), 0);
  pg::SessionOptions silent_options;
  silent_options.dsn =
      "host=127.0.0.1 port=" + std::to_string(silent.port()) + " dbname=nothing user=nobody";
  silent_options.connect_timeout = milliseconds(3000);

  asio::io_context context;
  std::vector<std::string> answers;
  std::optional<common::Status> silent_status;
  Clock::time_point real_done{};
  Clock::time_point silent_done{};
  const auto start = Clock::now();
  // The silent one first, so that it is already waiting when the real one starts.
  asio::co_spawn(
      context,
      ConnectToSilentTarget(context.get_executor(), silent_options, silent_status, silent_done),
      asio::detached);
  asio::co_spawn(context,
                 ServeRealTarget(context.get_executor(), MonitorOptions(), answers, real_done),
                 asio::detached);
  context.run();

  EXPECT_EQ(answers, (std::vector<std::string>{"1", "0", "1", "1", "1", "2"}));
  ASSERT_TRUE(silent_status.has_value());
  EXPECT_EQ(silent_status->code(), common::StatusCode::kTimeout) << silent_status->ToString();
  EXPECT_NE(silent_status->message().find("connect to"), std::string::npos);
  // The real target was served while the silent one was still waiting...
  EXPECT_LT(real_done, silent_done);
  EXPECT_LT(real_done - start, silent_options.connect_timeout);
  // ...which gave up by its own deadline, no earlier and not much later.
  EXPECT_GE(silent_done - start, silent_options.connect_timeout);
  EXPECT_LT(silent_done - start, silent_options.connect_timeout + milliseconds(1000));
}

TEST(AsyncSessionIntegration, AQuerySilentPastIoTimeoutIsCancelledAndTheSessionGivenUp) {
  asio::io_context context;
  pg::SessionOptions options = MonitorOptions();
  options.statement_timeout = milliseconds(20000);  // the server would wait; the client must not
  options.io_timeout = milliseconds(500);
  SessionResult session =
      RunAlone(context, pg::AsyncSession::Connect(context.get_executor(), options));
  ASSERT_TRUE(session.has_value()) << session.error().ToString();
  const int pid = (*session)->backend_pid();

  const auto start = Clock::now();
  const auto r = RunAlone(context, (*session)->RunPipeline({{"slow", "select pg_sleep(10)"}}));
  const auto elapsed = Clock::now() - start;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status.code(), common::StatusCode::kTimeout) << r[0].status.ToString();
  EXPECT_GE(elapsed, options.io_timeout);
  EXPECT_LT(elapsed, milliseconds(3000));
  EXPECT_FALSE((*session)->is_connected());
  // The cancel request stopped pg_sleep(10): the backend ends long before the ten seconds.
  TestConnection admin(Sandbox().admin_dsn);
  EXPECT_TRUE(Eventually(
      [&] {
        return admin.Exec("select count(*) from pg_stat_activity where pid = " +
                          std::to_string(pid)) == "0";
      },
      milliseconds(4000)));
}

TEST(AsyncSessionIntegration, ATerminatedBackendIsNoticedAndANewConnectWorks) {
  asio::io_context context;
  SessionResult session =
      RunAlone(context, pg::AsyncSession::Connect(context.get_executor(), MonitorOptions()));
  ASSERT_TRUE(session.has_value()) << session.error().ToString();
  ASSERT_TRUE((*session)->is_connected());
  TestConnection admin(Sandbox().admin_dsn);
  admin.Exec("select pg_terminate_backend(" + std::to_string((*session)->backend_pid()) + ")");
  ASSERT_TRUE(Eventually([&] {
    return admin.Exec("select count(*) from pg_stat_activity where pid = " +
                      std::to_string((*session)->backend_pid())) == "0";
  }));

  const auto r = RunAlone(context, (*session)->RunPipeline({{"one", "select 1"}}));
  EXPECT_EQ(r[0].status.code(), common::StatusCode::kUnavailable) << r[0].status.ToString();
  EXPECT_FALSE((*session)->is_connected());

  SessionResult again =
      RunAlone(context, pg::AsyncSession::Connect(context.get_executor(), MonitorOptions()));
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  const auto r2 = RunAlone(context, (*again)->RunPipeline({{"two", "select 2"}}));
  ASSERT_TRUE(r2[0].status.ok()) << r2[0].status.ToString();
  EXPECT_EQ(r2[0].rows.Value(0, 0), "2");
}

TEST(AsyncSessionIntegration, ThePipelineHandsEachOutcomeOverAsSoonAsItIsComplete) {
  asio::io_context context;
  SessionResult session =
      RunAlone(context, pg::AsyncSession::Connect(context.get_executor(), MonitorOptions()));
  ASSERT_TRUE(session.has_value()) << session.error().ToString();

  struct Handed {
    size_t index;
    std::string answer;  // the value, or the SQLSTATE of the error
    Clock::time_point at;
  };
  std::vector<Handed> handed;
  auto sink = [&handed](size_t index, pg::QueryOutcome& o) {
    pg::ResultSet taken = std::move(o.rows);
    handed.push_back({index, o.status.ok() ? std::string(taken.Value(0, 0)) : o.status.sqlstate(),
                      Clock::now()});
  };
  const auto r = RunAlone(
      context,
      (*session)->RunPipeline(
          {{"one", "select 1"}, {"divide", "select 1/0"}, {"late", "select 3 from pg_sleep(0.5)"}},
          sink));
  const auto done = Clock::now();
  ASSERT_EQ(handed.size(), 3u);
  for (size_t i = 0; i < handed.size(); ++i) EXPECT_EQ(handed[i].index, i);
  EXPECT_EQ(handed[0].answer, "1");
  EXPECT_EQ(handed[1].answer, "22012");  // division_by_zero, and the pipeline went on
  EXPECT_EQ(handed[2].answer, "3");
  // The first was handed over while the server was still sleeping in the last.
  EXPECT_GE(done - handed[0].at, milliseconds(400));
  // The returned outcomes keep the statuses; the rows are where the sink put them.
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0].status.ok());
  EXPECT_EQ(r[0].rows.row_count(), 0);
  EXPECT_EQ(r[1].status.sqlstate(), "22012");
  EXPECT_TRUE(r[2].status.ok());

  // A pipeline on a lost connection hands over every outcome too, each failed.
  TestConnection admin(Sandbox().admin_dsn);
  const std::string pid = std::to_string((*session)->backend_pid());
  admin.Exec("select pg_terminate_backend(" + pid + ")");
  ASSERT_TRUE(Eventually([&] {
    return admin.Exec("select count(*) from pg_stat_activity where pid = " + pid) == "0";
  }));
  handed.clear();
  RunAlone(context, (*session)->RunPipeline({{"one", "select 1"}, {"two", "select 2"}}, sink));
  ASSERT_EQ(handed.size(), 2u);
  EXPECT_EQ(handed[1].index, 1u);
  EXPECT_FALSE((*session)->is_connected());
}

TEST(AsyncSessionIntegration, AWrongPasswordIsPermissionDeniedWithoutThePassword) {
  asio::io_context context;
  pg::SessionOptions options = MonitorOptions();
  options.dsn += " password=h1-wrong-secret";  // a later keyword wins
  SessionResult session =
      RunAlone(context, pg::AsyncSession::Connect(context.get_executor(), options));
  ASSERT_FALSE(session.has_value());
  EXPECT_EQ(session.error().code(), common::StatusCode::kPermissionDenied)
      << session.error().ToString();
  EXPECT_EQ(session.error().message().find("h1-wrong-secret"), std::string::npos);
  EXPECT_EQ(session.error().message().find("monitor-secret"), std::string::npos);
}

TEST(AsyncSessionIntegration, AHostNameIsResolvedOnTheLoop) {
  asio::io_context context;
  pg::SessionOptions options = MonitorOptions();
  options.dsn += " host=localhost";
  SessionResult session =
      RunAlone(context, pg::AsyncSession::Connect(context.get_executor(), options));
  ASSERT_TRUE(session.has_value()) << session.error().ToString();
  EXPECT_EQ((*session)->server_info().current_user, "pgvigil_monitor");
  const auto r =
      RunAlone(context, (*session)->RunPipeline({{"addr", "select inet_server_addr()"}}));
  ASSERT_TRUE(r[0].status.ok()) << r[0].status.ToString();
  EXPECT_EQ(r[0].rows.Value(0, 0), "127.0.0.1");

  // A name that cannot resolve (RFC 6761) fails in pgvigil's resolver, not in libpq's.
  options.dsn = Sandbox().monitor_dsn + " host=pgvigil-no-such-host.invalid";
  SessionResult unknown =
      RunAlone(context, pg::AsyncSession::Connect(context.get_executor(), options));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code(), common::StatusCode::kUnavailable) << unknown.error().ToString();
  EXPECT_EQ(unknown.error().message().rfind("connect to ", 0), 0u) << unknown.error().message();
  EXPECT_NE(unknown.error().message().find("could not translate host name"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::testing
