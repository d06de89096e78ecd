// SPDX-License-Identifier: Apache-2.0
// Small pure helpers checks share: counter deltas that survive resets and restarts, setting
// lookups, object names. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/finding_object.h"
#include "model/snapshot.h"

namespace pgvigil::analysis {

// Whether cumulative counters of `tier` (model::kStandardTier, …) of `previous` can be
// subtracted from `current`'s: the same server life (no restart between them, which resets
// every counter) and `previous`'s parts of that tier are older.
bool CountersComparable(const model::Snapshot& current, const model::Snapshot& previous,
                        std::string_view tier);

// Whether `collector` ran and succeeded in `s`: a part whose collection failed or was skipped
// is not "nothing to report", so checks judge only collected parts.
bool Collected(const model::Snapshot& s, std::string_view collector);

// Seconds between the two samples' collections of `tier` (model::CollectedAt: in a composed
// snapshot each tier has its own time); 0 when not positive.
double IntervalSeconds(const model::Snapshot& current, const model::Snapshot& previous,
                       std::string_view tier);

// current - previous for a cumulative counter; empty when it went backwards (a statistics
// reset, pg_stat_reset*) so that no rate is computed across a reset.
std::optional<double> CounterDelta(double current, double previous);

// A setting as a number in its pg_settings unit, or as text; empty when not collected.
std::optional<double> SettingNumber(const model::Snapshot& s, std::string_view name);
std::optional<std::string> SettingText(const model::Snapshot& s, std::string_view name);
// A setting converted to seconds (unit "ms", "s", "min") or bytes (unit "B", "kB", "8kB", "MB"),
// for settings like checkpoint_timeout and max_wal_size.
std::optional<double> SettingSeconds(const model::Snapshot& s, std::string_view name);
std::optional<double> SettingBytes(const model::Snapshot& s, std::string_view name);

// The connections the server lets a non-superuser open: max_connections less the slots reserved
// for superusers (and, 16+, reserved_connections for pg_use_reserved_connections). Applications
// are refused at this figure, not at max_connections. Empty when max_connections was not read
// or nothing is left. connection.utilization, connection.by_application and the daemon's
// busy-server rule all judge against it.
std::optional<double> UsableConnections(const model::Snapshot& s);

// The name findings use for a relation: "datname.schema.relation" (as PostgreSQL prints each
// part, unquoted), stable and glob-friendly for per-object thresholds. Defined in model/ so that
// the daemon and the maintenance policy resolve it back the same way (FindRelationByObject).
using model::RelationObject;

// An identifier for recommendation SQL, always double-quoted with embedded quotes doubled
// (we"ird → "we""ird"), as quote_ident would for any name that needs it: a hostile name can
// never close the identifier, and case and keywords survive. Never paste a name unquoted.
std::string QuoteIdent(std::string_view name);
// "schema"."name"
std::string QuoteQualified(std::string_view schema, std::string_view name);
// A string literal for recommendation SQL, as quote_literal writes it: single quotes doubled,
// and E'…' with doubled backslashes when the text has a backslash, so it reads the same whatever
// standard_conforming_strings is. For slot names, prepared transaction GIDs, role names in text.
std::string QuoteStringLiteral(std::string_view text);

// "1.2 GB", "350 MB", "12 kB", "17 bytes"
std::string FormatBytes(double bytes);
// "3 h 12 min", "45 s", "2.5 s", "120 ms"
std::string FormatDuration(double seconds);
// "73 %"
std::string FormatPercent(double ratio);
// A count in words: "950", "12345", "1.2 million", "150 million", "1.5 billion" (tuples,
// transaction ids).
std::string FormatCount(double count);

}  // namespace pgvigil::analysis
