// SPDX-License-Identifier: Apache-2.0
// App builds the daemon's object graph from config::Settings and runs it: the event loop (HTTP
// server, SSE, every target's monitor), a worker pool for analysis, one writer thread for the
// store, the cache every read path uses. It owns the order of the stages (DESIGN.md §3).
//
// Signals: SIGTERM / SIGINT stop it gracefully (monitors finish their collection, queued store
// writes are flushed, sessions closed); SIGHUP re-reads the file: an invalid file keeps the
// running configuration and logs why; settings that cannot change without a restart (listen,
// store path, HTTP limits) are logged and kept. Run() blocks on the calling thread.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"
#include "config/settings.h"

namespace pgvigil::daemon {

class App {
 public:
  // `config_path` is re-read on SIGHUP.
  App(config::Settings settings, std::string config_path);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Opens the store, starts the listener and the monitors, and runs until a stop signal.
  // Errors that prevent starting (store cannot be opened, address cannot be bound, bad thresholds)
  // come back before anything runs.
  common::Status Run();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pgvigil::daemon
