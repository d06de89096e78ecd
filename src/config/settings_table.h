// SPDX-License-Identifier: Apache-2.0
// The table of every scalar setting of the daemon's file: its dotted key ("schedule.fast"), its
// kind, its default as a user would write it, whether SIGHUP can change it, and one line of
// help. Parsing, defaults, validation and the table in docs/configuration.md all come from here,
// so a setting is added in exactly one place. Thread-safe (constant data).
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "common/result.h"
#include "config/settings.h"

namespace pgvigil::config {

enum class SettingKind { kString, kDuration, kBytes, kCount, kRatio, kBool };
std::string_view SettingKindName(SettingKind kind);

struct SettingRow {
  std::string_view key;
  SettingKind kind;
  std::string_view default_text;
  bool reloadable;
  std::string_view help;
  std::variant<std::string Settings::*, std::chrono::milliseconds Settings::*,
               std::int64_t Settings::*, double Settings::*, bool Settings::*>
      field;
};

std::span<const SettingRow> SettingsTable();

// Parses `text` as `row`'s kind and stores it in `settings`; kInvalidArgument with the reason.
common::Status ApplySetting(const SettingRow& row, std::string_view text, Settings& settings);

// Settings holding every default of the table (and no targets or tokens).
Settings DefaultSettings();

// The table as Markdown, for docs/configuration.md and `pgvigil settings`.
std::string SettingsMarkdown();

}  // namespace pgvigil::config
