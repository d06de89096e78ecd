// SPDX-License-Identifier: Apache-2.0
#include "cli/collect_command.h"

#include <cstdio>
#include <iostream>

#include "common/log.h"
#include "daemon/collect_once.h"
#include "store/snapshot_json.h"

namespace pgvigil::cli {

CLI::App* AddCollectCommand(CLI::App& app, CollectArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "collect", "Collect one snapshot and print it as JSON (what the collectors saw, with "
                 "each collector's outcome)");
  cmd->add_option("dsn", args.dsn,
                  "connection string (URI or key=value); PG* variables and .pgpass apply");
  cmd->add_option("--dsn", args.dsn, "same as the positional DSN");
  cmd->add_option("--pgbouncer-dsn", args.pgbouncer_dsn,
                  "PgBouncer admin console (dbname=pgbouncer), read in the fast tier");
  cmd->add_option("--tier", args.tier, "fast, standard, slow or all")
      ->check(CLI::IsMember({"fast", "standard", "slow", "all"}));
  cmd->add_option("--target", args.target, "the name the snapshot carries (default: user@host:port/db)");
  cmd->add_flag("--compact", args.compact, "one line of JSON instead of indented");
  cmd->add_option("--statement-timeout-ms", args.statement_timeout_ms,
                  "server-side limit for each query")
      ->check(CLI::Range(1, 3'600'000));
  cmd->add_option("--connect-timeout-ms", args.connect_timeout_ms, "limit for connecting")
      ->check(CLI::Range(100, 600'000));
  cmd->add_option("--statement-text-limit", args.statement_text_limit,
                  "statement texts read for the top N statements by total and by mean time")
      ->check(CLI::Range(0, 100'000));
  return cmd;
}

int RunCollect(const CollectArgs& args) {
  daemon::CollectOnceOptions options;
  options.dsn = args.dsn;
  options.pgbouncer_dsn = args.pgbouncer_dsn;
  options.target = args.target;
  if (args.tier != "all") {
    collect::Tier tier;
    collect::ParseTier(args.tier, &tier);  // validated by the option's check
    options.tiers = {tier};
  }
  options.statement_timeout = std::chrono::milliseconds(args.statement_timeout_ms);
  options.connect_timeout = std::chrono::milliseconds(args.connect_timeout_ms);
  options.collector.statement_text_limit = args.statement_text_limit;

  auto snapshot = daemon::CollectOnce(options);
  if (!snapshot.has_value()) {
    std::fprintf(stderr, "pgvigil: %s\n", snapshot.error().ToString().c_str());
    return 1;
  }
  int ok = 0;
  for (const model::CollectorOutcome& o : snapshot->outcomes) {
    if (o.status == model::CollectorStatus::kOk) {
      ++ok;
      if (!o.message.empty()) std::fprintf(stderr, "pgvigil: %s: warning: %s\n", o.collector.c_str(), o.message.c_str());
    } else {
      std::fprintf(stderr, "pgvigil: %s: %s: %s\n", o.collector.c_str(),
                   o.status == model::CollectorStatus::kSkipped ? "skipped" : "error",
                   o.message.c_str());
    }
  }
  store::WriteSnapshotJson(*snapshot, std::cout, args.compact ? -1 : 2);
  std::cout << "\n";
  return ok > 0 ? 0 : 1;
}

}  // namespace pgvigil::cli
