// SPDX-License-Identifier: Apache-2.0
#include "maintenance/statement_builder.h"

#include <vector>

#include "pg/quote.h"

namespace pgvigil::maintenance {
namespace {

using model::OperationKind;

std::string OptionList(const std::vector<std::string>& words) {
  if (words.empty()) return "";
  std::string out = "(";
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += ", ";
    out += words[i];
  }
  return out + ") ";
}

}  // namespace

std::string BuildStatement(OperationKind kind, const model::ResolvedRelation& relation,
                           const model::MaintenanceOptions& options, int server_major) {
  const std::string name = pg::QuoteQualifiedName(relation.schema, relation.name);
  std::vector<std::string> words;
  switch (kind) {
    case OperationKind::kVacuum:
      if (options.full) words.emplace_back("FULL");
      if (options.freeze) words.emplace_back("FREEZE");
      if (options.verbose) words.emplace_back("VERBOSE");
      if (options.analyze) words.emplace_back("ANALYZE");
      // ON / OFF exist since 12; AUTO (14+) is the default, so it is left out rather than
      // written only for some majors.
      if (options.index_cleanup == model::IndexCleanup::kOn) words.emplace_back("INDEX_CLEANUP ON");
      if (options.index_cleanup == model::IndexCleanup::kOff) {
        words.emplace_back("INDEX_CLEANUP OFF");
      }
      return "VACUUM " + OptionList(words) + name;
    case OperationKind::kAnalyze:
      if (options.verbose) words.emplace_back("VERBOSE");
      return "ANALYZE " + OptionList(words) + name;
    case OperationKind::kReindexIndex:
    case OperationKind::kReindexTable: {
      if (options.verbose) words.emplace_back("VERBOSE");
      // CONCURRENTLY after the object kind: the only spelling 13 accepts (14 added it to the
      // parenthesised list too). Every supported major (13+) has REINDEX CONCURRENTLY (12+).
      const bool concurrently = options.concurrently && server_major >= 12;
      return "REINDEX " + OptionList(words) +
             (kind == OperationKind::kReindexIndex ? "INDEX " : "TABLE ") +
             (concurrently ? "CONCURRENTLY " : "") + name;
    }
    case OperationKind::kRecovery:
      break;
  }
  return "";
}

}  // namespace pgvigil::maintenance
