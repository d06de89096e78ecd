// SPDX-License-Identifier: Apache-2.0
#include "collect/settings_collector.h"

#include "collect/row_reader.h"

namespace pgvigil::collect {
namespace {

bool MayHoldSecret(std::string_view name) {
  return name == "archive_command" || name == "restore_command";
}

}  // namespace

common::Status SettingsCollector::Parse(const CollectContext& /*context*/,
                                        std::span<const pg::QueryOutcome> results,
                                        model::Snapshot& snapshot, std::string& /*note*/) const {
  RowReader r(results[0].rows, "settings");
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::Setting s;
    s.name = r.Get<std::string>("name");
    s.setting = r.Get<std::string>("setting");
    // The SQL already redacts these; a value that got through anyway (an edited query) must
    // still never reach the snapshot, which is stored and served.
    if (MayHoldSecret(s.name) && !s.setting.empty() && s.setting != "(disabled)") {
      s.setting = "set";
    }
    s.unit = r.Get<std::string>("unit");
    s.vartype = r.Get<std::string>("vartype");
    s.source = r.Get<std::string>("source");
    s.pending_restart = r.Get<bool>("pending_restart");
    snapshot.settings.push_back(std::move(s));
  }
  return r.status();
}

}  // namespace pgvigil::collect
