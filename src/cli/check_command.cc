// SPDX-License-Identifier: Apache-2.0
#include "cli/check_command.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "cli/text_report.h"
#include "common/units.h"
#include "daemon/check_once.h"
#include "daemon/thresholds_config.h"
#include "model/health_report.h"
#include "store/report_json.h"

namespace pgvigil::cli {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitWarning = 1;
constexpr int kExitCritical = 2;
constexpr int kExitUnknown = 3;

int ExitCode(model::HealthStatus s) {
  switch (s) {
    case model::HealthStatus::kHealthy:
      return kExitOk;
    case model::HealthStatus::kDegraded:
      return kExitWarning;
    case model::HealthStatus::kUnhealthy:
      return kExitCritical;
  }
  return kExitUnknown;
}

int Unknown(const CheckArgs& args, const std::string& target, const std::string& message) {
  if (args.format == "json") {
    const nlohmann::json j = {{"schema_version", store::kReportSchemaVersion},
                              {"target", target},
                              {"status", "unknown"},
                              {"score", nullptr},
                              {"reasons", {message}},
                              {"findings", nlohmann::json::array()},
                              {"exit_code", kExitUnknown}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("%s: UNKNOWN: %s\n", target.c_str(), message.c_str());
  }
  return kExitUnknown;
}

}  // namespace

CLI::App* AddCheckCommand(CLI::App& app, CheckArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "check",
      "Collect two samples, analyse them and print the findings; exit code as a Nagios "
      "plugin (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)");
  cmd->add_option("dsn", args.dsn, "connection string (URI or key=value)");
  cmd->add_option("--dsn", args.dsn, "same as the positional DSN");
  cmd->add_option("--pgbouncer-dsn", args.pgbouncer_dsn, "PgBouncer admin console");
  cmd->add_option("--config", args.config, "YAML file with thresholds (docs/configuration.md)");
  cmd->add_option("--format", args.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--interval", args.interval, "time between the two samples (e.g. 5s, 500ms)");
  cmd->add_option("--target", args.target, "the name findings carry (default: user@host:port/db)");
  cmd->add_flag("--colour,--color", args.colour, "colour the text report even when not on a TTY");
  cmd->add_flag("--no-colour,--no-color", args.no_colour, "never colour the text report");
  cmd->add_flag("--exact", args.exact,
                "measure the relations flagged for bloat with pgstattuple (if installed) and "
                "judge the measured figure instead of the estimate");
  cmd->add_flag("--verify-indexes", args.verify_indexes,
                "try the missing-index candidates of table.seq_scan_heavy with a hypothetical "
                "index (hypopg, if installed) and EXPLAIN: estimated cost before and after");
  cmd->add_flag("--explain", args.explain,
                "read the generic plans of the statements query.advice judges "
                "and advise on large sequential scans, sorts and hashes over work_mem and "
                "nested loops on estimate misses");
  return cmd;
}

int RunCheck(const CheckArgs& args) {
  daemon::CheckOnceOptions options;
  options.collect.dsn = args.dsn;
  options.collect.pgbouncer_dsn = args.pgbouncer_dsn;
  options.collect.target = args.target;
  options.exact = args.exact;
  options.verify_indexes = args.verify_indexes;
  options.explain = args.explain;
  const std::string target_name = args.target.empty() ? "pgvigil check" : args.target;
  auto interval = common::ParseDurationSeconds(args.interval);
  if (!interval.has_value() || *interval > 3600) {
    return Unknown(args, target_name,
                   "--interval: " + (interval.has_value() ? std::string("at most 1h")
                                                          : interval.error().message()));
  }
  options.interval = std::chrono::milliseconds(static_cast<long>(*interval * 1000));
  if (!args.config.empty()) {
    auto thresholds = daemon::LoadThresholdsFile(args.config);
    if (!thresholds.has_value()) return Unknown(args, target_name, thresholds.error().message());
    options.thresholds = std::move(thresholds).value();
  }
  auto result = daemon::CheckOnce(options);
  if (!result.has_value()) return Unknown(args, target_name, result.error().ToString());
  const model::HealthReport& report = result->report;
  const int exit_code = ExitCode(report.status);
  if (args.format == "json") {
    nlohmann::json j = store::HealthReportToJson(report);
    j["collected_at"] = common::FormatTimestamp(result->second.collected_at);
    j["interval_seconds"] =
        std::chrono::duration<double>(result->second.collected_at - result->first.collected_at)
            .count();
    nlohmann::json collectors = nlohmann::json::array();
    for (const model::CollectorOutcome& o : result->second.outcomes) {
      collectors.push_back({{"collector", o.collector},
                            {"status", o.status == model::CollectorStatus::kOk        ? "ok"
                                       : o.status == model::CollectorStatus::kSkipped ? "skipped"
                                                                                      : "error"},
                            {"message", o.message}});
    }
    j["collectors"] = std::move(collectors);
    j["exit_code"] = exit_code;
    std::cout << j.dump(2) << "\n";
  } else {
    TextReportOptions text;
    text.colour = !args.no_colour && (args.colour || isatty(STDOUT_FILENO) == 1);
    std::cout << FormatTextReport(report, result->second, text);
  }
  return exit_code;
}

}  // namespace pgvigil::cli
