// SPDX-License-Identifier: Apache-2.0
// The object name findings give a relation, "datname.schema.relation" (each part as PostgreSQL
// prints it, unquoted), and its way back to the relation. Here in model/ because the checks that
// write it (analysis/) and the layers that act on it (daemon/ for API requests by finding,
// maintenance/ for the automatic policy) may not include one another (STYLE.md §3). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/snapshot.h"

namespace pgvigil::model {

// Stable and glob-friendly for per-object thresholds. Not reversible by splitting: a database,
// schema or relation name may hold dots, which is why FindRelationByObject matches whole names.
inline std::string RelationObject(std::string_view datname, std::string_view schema,
                                  std::string_view relation) {
  std::string out;
  out.reserve(datname.size() + schema.size() + relation.size() + 2);
  out.append(datname).append(".").append(schema).append(".").append(relation);
  return out;
}

struct FindingRelation {
  std::string database;
  std::string schema;
  std::string name;   // the relation the finding names (table or index)
  std::string table;  // its table (== name for a table)
  bool is_index = false;
};

// The relation `object` names: matched exactly against the tables, then the indexes, of
// `snapshot` (so dotted names resolve to the right relation). An object the snapshot does not
// list (or no snapshot) is split at its first two dots as a table; empty when a part would be
// empty. The split is only a best guess: whatever acts on it must check the relation exists
// (the maintenance planner's object_exists guard does).
inline std::optional<FindingRelation> FindRelationByObject(std::string_view object,
                                                           const Snapshot* snapshot) {
  if (snapshot != nullptr) {
    for (const TableStats& t : snapshot->tables) {
      if (RelationObject(t.datname, t.schemaname, t.relname) == object) {
        return FindingRelation{t.datname, t.schemaname, t.relname, t.relname, false};
      }
    }
    for (const IndexStats& i : snapshot->indexes) {
      if (RelationObject(i.datname, i.schemaname, i.indexrelname) == object) {
        return FindingRelation{i.datname, i.schemaname, i.indexrelname, i.relname, true};
      }
    }
  }
  const std::size_t first = object.find('.');
  if (first == std::string_view::npos || first == 0) return std::nullopt;
  const std::size_t second = object.find('.', first + 1);
  if (second == std::string_view::npos || second == first + 1 || second + 1 >= object.size()) {
    return std::nullopt;
  }
  FindingRelation r;
  r.database = std::string(object.substr(0, first));
  r.schema = std::string(object.substr(first + 1, second - first - 1));
  r.name = std::string(object.substr(second + 1));
  r.table = r.name;
  return r;
}

}  // namespace pgvigil::model
