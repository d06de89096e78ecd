// SPDX-License-Identifier: Apache-2.0
// libpg_query gives its parse tree as JSON (pg_query_parse) or protobuf. The protobuf-c structs
// need protobuf-c's headers, which Debian's libpg-query-dev does not depend on, and analysis/
// may not use the JSON library (STYLE §8), so a small JSON reader below turns the tree into
// plain nodes; the walk then looks only at the node kinds the advice needs.
#include "analysis/sql_parser.h"

#include <pg_query.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace pgvigil::analysis {
namespace {

// ---- a minimal JSON reader (objects, arrays, strings, numbers, true/false/null) ----

struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  std::string text;  // a string's value, a number's or a bool's spelling
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  const Json* Get(std::string_view key) const {
    for (const auto& [k, v] : members) {
      if (k == key) return &v;
    }
    return nullptr;
  }
  bool IsObject() const { return kind == Kind::kObject; }
  // A node is {"Kind": {fields}}: its single member.
  std::string_view NodeKind() const {
    return IsObject() && members.size() == 1 ? std::string_view(members[0].first) : "";
  }
  const Json& NodeBody() const { return members[0].second; }
};

class JsonReader {
 public:
  explicit JsonReader(std::string_view s) : s_(s) {}
  bool Read(Json& out) {
    if (!Value(out, 0)) return false;
    Space();
    return pos_ == s_.size();
  }

 private:
  static constexpr int kMaxDepth = 2000;

  void Space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\r' || s_[pos_] == '\t')) {
      ++pos_;
    }
  }
  bool Value(Json& out, int depth) {
    if (depth > kMaxDepth) return false;
    Space();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '{') {
      out.kind = Json::Kind::kObject;
      ++pos_;
      Space();
      if (pos_ < s_.size() && s_[pos_] == '}') return ++pos_, true;
      while (true) {
        Space();
        std::string key;
        if (!String(key)) return false;
        Space();
        if (pos_ >= s_.size() || s_[pos_] != ':') return false;
        ++pos_;
        Json v;
        if (!Value(v, depth + 1)) return false;
        out.members.emplace_back(std::move(key), std::move(v));
        Space();
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_] == '}') return ++pos_, true;
        return false;
      }
    }
    if (c == '[') {
      out.kind = Json::Kind::kArray;
      ++pos_;
      Space();
      if (pos_ < s_.size() && s_[pos_] == ']') return ++pos_, true;
      while (true) {
        Json v;
        if (!Value(v, depth + 1)) return false;
        out.items.push_back(std::move(v));
        Space();
        if (pos_ >= s_.size()) return false;
        if (s_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (s_[pos_] == ']') return ++pos_, true;
        return false;
      }
    }
    if (c == '"') {
      out.kind = Json::Kind::kString;
      return String(out.text);
    }
    const std::size_t start = pos_;
    while (pos_ < s_.size() &&
           std::string_view("+-.0123456789eEtruefalsn").find(s_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
    out.text = std::string(s_.substr(start, pos_ - start));
    if (out.text == "true" || out.text == "false") {
      out.kind = Json::Kind::kBool;
    } else if (out.text == "null") {
      out.kind = Json::Kind::kNull;
    } else if (!out.text.empty()) {
      out.kind = Json::Kind::kNumber;
    } else {
      return false;
    }
    return true;
  }
  static void Utf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  bool Hex4(std::uint32_t& cp) {
    if (pos_ + 4 > s_.size()) return false;
    cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = s_[pos_++];
      cp <<= 4;
      if (h >= '0' && h <= '9') {
        cp |= static_cast<std::uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        cp |= static_cast<std::uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        cp |= static_cast<std::uint32_t>(h - 'A' + 10);
      } else {
        return false;
      }
    }
    return true;
  }
  bool String(std::string& out) {
    if (pos_ >= s_.size() || s_[pos_] != '"') return false;
    ++pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          std::uint32_t cp = 0;
          if (!Hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && pos_ + 1 < s_.size() && s_[pos_] == '\\' &&
              s_[pos_ + 1] == 'u') {
            pos_ += 2;
            std::uint32_t low = 0;
            if (!Hex4(low)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          Utf8(cp, out);
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

// ---- the walk ----

const Json* Field(const Json& body, std::string_view key) { return body.Get(key); }

std::string StringValue(const Json& node) {
  // {"String": {"sval": "x"}}
  if (node.NodeKind() == "String") {
    if (const Json* v = node.NodeBody().Get("sval")) return v->text;
  }
  if (node.NodeKind() == "A_Star") return "*";
  return "";
}

std::string Names(const Json* list) {
  std::string out;
  if (list == nullptr) return out;
  for (const Json& item : list->items) {
    if (!out.empty()) out += '.';
    out += StringValue(item);
  }
  return out;
}

bool IsColumn(const Json& node) { return node.NodeKind() == "ColumnRef"; }

std::string ColumnText(const Json& node) { return Names(Field(node.NodeBody(), "fields")); }

// A short spelling of an expression for the evidence: columns, parameters, constants,
// functions and casts; "…" for anything else.
std::string Describe(const Json& node) {
  const std::string_view kind = node.NodeKind();
  if (kind.empty()) return "…";
  const Json& b = node.NodeBody();
  if (kind == "ColumnRef") return ColumnText(node);
  if (kind == "ParamRef") {
    const Json* n = b.Get("number");
    return "$" + (n != nullptr ? n->text : std::string("?"));
  }
  if (kind == "A_Const") {
    if (const Json* s = b.Get("sval")) {
      if (const Json* v = s->Get("sval")) return "'" + v->text + "'";
    }
    if (const Json* i = b.Get("ival")) {
      const Json* v = i->Get("ival");
      return v != nullptr ? v->text : "0";
    }
    if (const Json* v = b.Get("boolval")) return v->Get("boolval") != nullptr ? "true" : "false";
    if (b.Get("isnull") != nullptr) return "NULL";
    return "constant";
  }
  if (kind == "FuncCall") {
    std::string args;
    if (const Json* list = b.Get("args")) {
      for (const Json& a : list->items) {
        if (!args.empty()) args += ", ";
        args += Describe(a);
      }
    }
    return Names(b.Get("funcname")) + "(" + args + ")";
  }
  if (kind == "TypeCast") {
    const Json* arg = b.Get("arg");
    const Json* type = b.Get("typeName");
    std::string type_name = type != nullptr ? Names(type->Get("names")) : "";
    if (type_name.rfind("pg_catalog.", 0) == 0) type_name = type_name.substr(11);
    return (arg != nullptr ? Describe(*arg) : "…") + "::" + type_name;
  }
  if (kind == "A_Expr") {
    const Json* l = b.Get("lexpr");
    const Json* r = b.Get("rexpr");
    const std::string op = Names(b.Get("name"));
    if (l != nullptr && r != nullptr) return Describe(*l) + " " + op + " " + Describe(*r);
  }
  return "…";
}

bool IsAggregateName(const std::string& name) {
  static const std::set<std::string> kAggregates = {"count",
                                                    "sum",
                                                    "avg",
                                                    "min",
                                                    "max",
                                                    "array_agg",
                                                    "string_agg",
                                                    "json_agg",
                                                    "jsonb_agg",
                                                    "json_object_agg",
                                                    "jsonb_object_agg",
                                                    "bool_and",
                                                    "bool_or",
                                                    "every",
                                                    "bit_and",
                                                    "bit_or",
                                                    "stddev",
                                                    "variance",
                                                    "percentile_cont",
                                                    "percentile_disc",
                                                    "mode"};
  std::string last = name;
  if (const auto dot = last.rfind('.'); dot != std::string::npos) last = last.substr(dot + 1);
  return kAggregates.contains(last);
}

// Whether `node` holds a FuncCall of an aggregate (or with a window) anywhere.
bool HasAggregate(const Json& node) {
  if (node.NodeKind() == "FuncCall") {
    const Json& b = node.NodeBody();
    if (b.Get("agg_star") != nullptr || b.Get("over") != nullptr ||
        IsAggregateName(Names(b.Get("funcname")))) {
      return true;
    }
  }
  for (const Json& i : node.items) {
    if (HasAggregate(i)) return true;
  }
  for (const auto& [k, v] : node.members) {
    if (HasAggregate(v)) return true;
  }
  return false;
}

// The names a FROM item answers to (alias, else table name; every one inside a join).
void ItemNames(const Json& item, std::set<std::string>& names) {
  const std::string_view kind = item.NodeKind();
  if (kind.empty()) return;
  const Json& b = item.NodeBody();
  const Json* alias = b.Get("alias");
  if (alias != nullptr) {
    if (const Json* a = alias->Get("aliasname")) names.insert(a->text);
  }
  if (kind == "RangeVar") {
    if (alias == nullptr) {
      if (const Json* r = b.Get("relname")) names.insert(r->text);
    }
  } else if (kind == "JoinExpr") {
    if (const Json* l = b.Get("larg")) ItemNames(*l, names);
    if (const Json* r = b.Get("rarg")) ItemNames(*r, names);
  }
}

std::string ItemText(const Json& item) {
  std::set<std::string> names;
  ItemNames(item, names);
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out.empty() ? "(subquery)" : out;
}

// Pairs of qualifiers compared in a WHERE ("a.x = b.y" links a and b); an unqualified column
// compared with another column links everything (it cannot be told which table it is).
void Links(const Json& node, std::vector<std::pair<std::string, std::string>>& links,
           bool& unqualified) {
  if (node.NodeKind() == "A_Expr") {
    const Json& b = node.NodeBody();
    const Json* l = b.Get("lexpr");
    const Json* r = b.Get("rexpr");
    if (l != nullptr && r != nullptr && IsColumn(*l) && IsColumn(*r)) {
      const Json* lf = l->NodeBody().Get("fields");
      const Json* rf = r->NodeBody().Get("fields");
      if (lf != nullptr && rf != nullptr && lf->items.size() >= 2 && rf->items.size() >= 2) {
        links.emplace_back(StringValue(lf->items[lf->items.size() - 2]),
                           StringValue(rf->items[rf->items.size() - 2]));
      } else {
        unqualified = true;
      }
    }
  }
  if (node.NodeKind() == "SubLink") return;  // a subquery's own comparisons link nothing here
  for (const Json& i : node.items) Links(i, links, unqualified);
  for (const auto& [k, v] : node.members) Links(v, links, unqualified);
}

class Walker {
 public:
  explicit Walker(SqlFacts& facts) : f_(facts) {}

  void Statement(const Json& stmt) {
    if (stmt.NodeKind() == "SelectStmt") Outermost(stmt.NodeBody());
    Walk(stmt, false);
  }

  // Whether `stmt`, the only statement of the text, is a SELECT that cannot write or lock.
  static bool PlainSelect(const Json& stmt) {
    if (stmt.NodeKind() != "SelectStmt" || HasKey(stmt, "intoClause") ||
        HasKey(stmt, "lockingClause")) {
      return false;
    }
    // Data-modifying WITH is allowed only at the top level (PostgreSQL rejects it deeper).
    const Json* with = stmt.NodeBody().Get("withClause");
    const Json* ctes = with != nullptr ? with->Get("ctes") : nullptr;
    if (ctes == nullptr) return true;
    return std::all_of(ctes->items.begin(), ctes->items.end(), [](const Json& c) {
      const Json* q = c.NodeKind() == "CommonTableExpr" ? c.NodeBody().Get("ctequery") : nullptr;
      return q != nullptr && q->NodeKind() == "SelectStmt";
    });
  }

 private:
  void Outermost(const Json& sel) {
    const Json* op = sel.Get("op");
    if (op != nullptr && op->text != "SETOP_NONE") return;
    if (sel.Get("valuesLists") != nullptr) return;
    f_.is_select = true;
    const Json* targets = sel.Get("targetList");
    if (targets != nullptr) {
      for (const Json& t : targets->items) {
        if (t.NodeKind() != "ResTarget") continue;
        const Json* val = t.NodeBody().Get("val");
        if (val != nullptr && IsColumn(*val) && ColumnText(*val).ends_with("*")) {
          f_.select_star = true;
        }
      }
    }
    const Json* from = sel.Get("fromClause");
    if (from != nullptr && from->items.size() == 1 && from->items[0].NodeKind() == "RangeVar" &&
        sel.Get("whereClause") == nullptr && sel.Get("limitCount") == nullptr &&
        sel.Get("groupClause") == nullptr && sel.Get("havingClause") == nullptr &&
        sel.Get("distinctClause") == nullptr && (targets == nullptr || !HasAggregate(*targets))) {
      const Json& rv = from->items[0].NodeBody();
      const Json* schema = rv.Get("schemaname");
      const Json* rel = rv.Get("relname");
      f_.unbounded_read = true;
      f_.unbounded_table = (schema != nullptr ? schema->text + "." : std::string()) +
                           (rel != nullptr ? rel->text : std::string());
    }
  }

  // Comma joins of a SELECT: every FROM item after the first must be linked to the others by a
  // comparison in WHERE.
  void CommaJoins(const Json& sel) {
    const Json* from = sel.Get("fromClause");
    if (from == nullptr || from->items.size() < 2) return;
    std::vector<std::pair<std::string, std::string>> links;
    bool unqualified = false;
    if (const Json* where = sel.Get("whereClause")) Links(*where, links, unqualified);
    if (unqualified) return;
    // Union of the items linked, starting from the first.
    std::vector<std::set<std::string>> items;
    for (const Json& item : from->items) {
      std::set<std::string> names;
      ItemNames(item, names);
      items.push_back(std::move(names));
    }
    std::vector<bool> reached(items.size(), false);
    reached[0] = true;
    for (bool grew = true; grew;) {
      grew = false;
      for (std::size_t i = 0; i < items.size(); ++i) {
        if (reached[i]) continue;
        for (const auto& [a, b] : links) {
          for (std::size_t j = 0; j < items.size() && !reached[i]; ++j) {
            if (!reached[j]) continue;
            if ((items[i].contains(a) && items[j].contains(b)) ||
                (items[i].contains(b) && items[j].contains(a))) {
              reached[i] = true;
              grew = true;
            }
          }
        }
      }
    }
    for (std::size_t i = 1; i < items.size(); ++i) {
      if (reached[i] || from->items[i].NodeKind() == "RangeFunction") continue;
      f_.unconditioned_joins.push_back(fmt::format("{}, {} with nothing in WHERE linking them",
                                                   ItemText(from->items[0]),
                                                   ItemText(from->items[i])));
    }
  }

  void Join(const Json& j) {
    const Json* type = j.Get("jointype");
    if (type == nullptr || type->text != "JOIN_INNER") return;
    if (j.Get("isNatural") != nullptr || j.Get("usingClause") != nullptr) return;
    const Json* quals = j.Get("quals");
    const Json* larg = j.Get("larg");
    const Json* rarg = j.Get("rarg");
    if (larg == nullptr || rarg == nullptr) return;
    if (quals == nullptr) {
      if (rarg->NodeKind() == "RangeFunction") return;  // CROSS JOIN generate_series(…)
      f_.unconditioned_joins.push_back(
          fmt::format("{} CROSS JOIN {}", ItemText(*larg), ItemText(*rarg)));
    } else if (quals->NodeKind() == "A_Const") {
      f_.unconditioned_joins.push_back(
          fmt::format("{} JOIN {} ON {}", ItemText(*larg), ItemText(*rarg), Describe(*quals)));
    }
  }

  void Like(const Json& e) {
    const Json* kind = e.Get("kind");
    if (kind == nullptr || (kind->text != "AEXPR_LIKE" && kind->text != "AEXPR_ILIKE")) return;
    const Json* l = e.Get("lexpr");
    const Json* r = e.Get("rexpr");
    if (l == nullptr || r == nullptr) return;
    // The leftmost piece of a concatenation starts the pattern.
    const Json* first = r;
    while (first->NodeKind() == "A_Expr" && Names(first->NodeBody().Get("name")) == "||" &&
           first->NodeBody().Get("lexpr") != nullptr) {
      first = first->NodeBody().Get("lexpr");
    }
    const std::string op = Names(e.Get("name"));
    const std::string word = (op == "~~"    ? "LIKE"
                              : op == "!~~" ? "NOT LIKE"
                              : op == "~~*" ? "ILIKE"
                                            : "NOT ILIKE");
    const std::string text = Describe(*l) + " " + word + " " + Describe(*r);
    if (first->NodeKind() == "ParamRef" && first == r) {
      f_.likes.push_back({text, true});
    } else if (first->NodeKind() == "A_Const") {
      const std::string lit = Describe(*first);
      if (lit.rfind("'%", 0) == 0 || lit.rfind("'_", 0) == 0) f_.likes.push_back({text, false});
    }
  }

  static bool IsComparison(const std::string& op) {
    return op == "=" || op == "<" || op == ">" || op == "<=" || op == ">=" || op == "<>" ||
           op == "!=" || op == "~~" || op == "~~*";
  }

  // A function call or cast with a column directly among its arguments.
  static bool OverColumn(const Json& node) {
    if (node.NodeKind() == "FuncCall") {
      const Json* args = node.NodeBody().Get("args");
      if (args == nullptr) return false;
      return std::any_of(args->items.begin(), args->items.end(),
                         [](const Json& a) { return IsColumn(a) || OverColumn(a); });
    }
    if (node.NodeKind() == "TypeCast") {
      const Json* arg = node.NodeBody().Get("arg");
      return arg != nullptr && (IsColumn(*arg) || OverColumn(*arg));
    }
    return false;
  }

  void FunctionOnColumn(const Json& e) {
    const Json* kind = e.Get("kind");
    if (kind == nullptr) return;
    const std::string op = Names(e.Get("name"));
    const bool compares = (kind->text == "AEXPR_OP" && IsComparison(op)) ||
                          kind->text == "AEXPR_IN" || kind->text == "AEXPR_LIKE" ||
                          kind->text == "AEXPR_ILIKE" || kind->text == "AEXPR_BETWEEN";
    if (!compares) return;
    for (const char* side : {"lexpr", "rexpr"}) {
      const Json* s = e.Get(side);
      if (s != nullptr && OverColumn(*s)) f_.functions_on_columns.push_back(Describe(*s));
    }
  }

  void NotIn(const Json& b) {
    const Json* op = b.Get("boolop");
    const Json* args = b.Get("args");
    if (op == nullptr || op->text != "NOT_EXPR" || args == nullptr || args->items.size() != 1) {
      return;
    }
    const Json& arg = args->items[0];
    if (arg.NodeKind() != "SubLink") return;
    const Json& s = arg.NodeBody();
    const Json* type = s.Get("subLinkType");
    const Json* test = s.Get("testexpr");
    if (type == nullptr || type->text != "ANY_SUBLINK" || test == nullptr) return;
    f_.not_in_subqueries.push_back(Describe(*test) + " NOT IN (SELECT …)");
  }

  void OrChain(const Json& b) {
    const Json* op = b.Get("boolop");
    const Json* args = b.Get("args");
    if (op == nullptr || op->text != "OR_EXPR" || args == nullptr) return;
    std::map<std::string, int> per_column;
    for (const Json& a : args->items) {
      if (a.NodeKind() != "A_Expr") continue;
      const Json& e = a.NodeBody();
      const Json* kind = e.Get("kind");
      if (kind == nullptr || kind->text != "AEXPR_OP" || Names(e.Get("name")) != "=") continue;
      const Json* l = e.Get("lexpr");
      const Json* r = e.Get("rexpr");
      if (l == nullptr || r == nullptr) continue;
      if (IsColumn(*l) && !IsColumn(*r)) {
        ++per_column[ColumnText(*l)];
      } else if (IsColumn(*r) && !IsColumn(*l)) {
        ++per_column[ColumnText(*r)];
      }
    }
    for (const auto& [column, n] : per_column) {
      if (n >= kMinOrComparisons) f_.or_chains.push_back({column, n});
    }
  }

  static bool HasKey(const Json& node, std::string_view key) {
    for (const Json& i : node.items) {
      if (HasKey(i, key)) return true;
    }
    for (const auto& [k, v] : node.members) {
      if (k == key || HasKey(v, key)) return true;
    }
    return false;
  }

  // A value for an index to look up: parameters, constants, and casts, operators and functions
  // over them (now() - $1::interval); no column.
  static bool IsValue(const Json& node) {
    const std::string_view kind = node.NodeKind();
    if (kind == "ParamRef" || kind == "A_Const") return true;
    const Json& b = kind.empty() ? node : node.NodeBody();
    if (kind == "TypeCast") {
      const Json* arg = b.Get("arg");
      return arg != nullptr && IsValue(*arg);
    }
    if (kind == "FuncCall" || kind == "A_ArrayExpr" || kind == "List") {
      const Json* args = b.Get(kind == "FuncCall" ? "args" : kind == "List" ? "items" : "elements");
      return args == nullptr || std::all_of(args->items.begin(), args->items.end(),
                                            [](const Json& a) { return IsValue(a); });
    }
    if (kind == "A_Expr") {
      const Json* l = b.Get("lexpr");
      const Json* r = b.Get("rexpr");
      return (l == nullptr || IsValue(*l)) && (r == nullptr || IsValue(*r));
    }
    if (kind.empty() && node.kind == Json::Kind::kArray) {  // the list of IN (…)
      return std::all_of(node.items.begin(), node.items.end(),
                         [](const Json& a) { return IsValue(a); });
    }
    return false;
  }

  // The tables a FROM item reads, by the name they answer to.
  static void FromTables(const Json& item,
                         std::map<std::string, std::pair<std::string, std::string>>& tables,
                         int& items) {
    const std::string_view kind = item.NodeKind();
    if (kind.empty()) return;
    const Json& b = item.NodeBody();
    if (kind == "JoinExpr") {
      if (const Json* l = b.Get("larg")) FromTables(*l, tables, items);
      if (const Json* r = b.Get("rarg")) FromTables(*r, tables, items);
      return;
    }
    ++items;
    if (kind != "RangeVar") return;
    const Json* schema = b.Get("schemaname");
    const Json* rel = b.Get("relname");
    if (rel == nullptr) return;
    const Json* alias = b.Get("alias");
    const Json* alias_name = alias != nullptr ? alias->Get("aliasname") : nullptr;
    tables[alias_name != nullptr ? alias_name->text : rel->text] = {
        schema != nullptr ? schema->text : "", rel->text};
  }

  void Filter(const Json& e,
              const std::map<std::string, std::pair<std::string, std::string>>& tables, int items) {
    const Json* kind = e.Get("kind");
    const Json* l = e.Get("lexpr");
    const Json* r = e.Get("rexpr");
    if (kind == nullptr || l == nullptr || r == nullptr) return;
    const std::string op = Names(e.Get("name"));
    bool equality = false;
    if (kind->text == "AEXPR_OP" || kind->text == "AEXPR_IN" || kind->text == "AEXPR_OP_ANY") {
      if (op == "=") {
        equality = true;
      } else if (kind->text != "AEXPR_OP" || (op != "<" && op != ">" && op != "<=" && op != ">=")) {
        return;
      }
    } else if (kind->text != "AEXPR_BETWEEN") {
      return;
    }
    const Json* column = nullptr;
    if (IsColumn(*l) && IsValue(*r)) {
      column = l;
    } else if (IsColumn(*r) && IsValue(*l) && kind->text == "AEXPR_OP") {
      column = r;
    }
    if (column == nullptr) return;
    const Json* fields = column->NodeBody().Get("fields");
    if (fields == nullptr || fields->items.empty()) return;
    const std::string name = StringValue(fields->items.back());
    if (name.empty() || name == "*") return;
    std::string qualifier;
    if (fields->items.size() >= 2) qualifier = StringValue(fields->items[fields->items.size() - 2]);
    std::pair<std::string, std::string> table;
    if (qualifier.empty()) {
      if (items != 1 || tables.size() != 1) return;  // which table is it?
      table = tables.begin()->second;
    } else {
      auto it = tables.find(qualifier);
      if (it == tables.end()) return;  // an outer query's table, or a subquery's alias
      table = it->second;
    }
    f_.filters.push_back({table.first, table.second, name, equality});
  }

  void Conjuncts(const Json& node,
                 const std::map<std::string, std::pair<std::string, std::string>>& tables,
                 int items) {
    if (node.NodeKind() == "BoolExpr") {
      const Json* op = node.NodeBody().Get("boolop");
      const Json* args = node.NodeBody().Get("args");
      if (op == nullptr || op->text != "AND_EXPR" || args == nullptr) return;
      for (const Json& a : args->items) Conjuncts(a, tables, items);
    } else if (node.NodeKind() == "A_Expr") {
      Filter(node.NodeBody(), tables, items);
    }
  }

  void Filters(const Json& sel) {
    const Json* from = sel.Get("fromClause");
    const Json* where = sel.Get("whereClause");
    if (from == nullptr || where == nullptr) return;
    std::map<std::string, std::pair<std::string, std::string>> tables;
    int items = 0;
    for (const Json& item : from->items) FromTables(item, tables, items);
    Conjuncts(*where, tables, items);
  }

  void Walk(const Json& node, bool in_where) {
    const std::string_view kind = node.NodeKind();
    if (!kind.empty()) {
      const Json& b = node.NodeBody();
      if (kind == "ParamRef") {
        if (const Json* n = b.Get("number"))
          f_.parameters = std::max(f_.parameters, std::atoi(n->text.c_str()));
      }
      if (kind == "SelectStmt") {
        Filters(b);
        CommaJoins(b);
        in_where = false;
      } else if (kind == "JoinExpr") {
        Join(b);
      } else if (kind == "A_Expr") {
        Like(b);
        if (in_where) FunctionOnColumn(b);
      } else if (kind == "BoolExpr") {
        NotIn(b);
        OrChain(b);
      }
    }
    for (const Json& i : node.items) Walk(i, in_where);
    for (const auto& [k, v] : node.members) Walk(v, in_where || k == "whereClause");
  }

  SqlFacts& f_;
};

}  // namespace

SqlFacts ParseSql(std::string_view text) {
  SqlFacts facts;
  const std::string query(text);
  PgQueryParseResult result = pg_query_parse(query.c_str());
  if (result.error != nullptr) {
    facts.error = result.error->message != nullptr ? result.error->message : "parse error";
    pg_query_free_parse_result(result);
    return facts;
  }
  Json tree;
  const bool read = result.parse_tree != nullptr && JsonReader(result.parse_tree).Read(tree);
  pg_query_free_parse_result(result);
  if (!read) {
    facts.error = "the parse tree could not be read";
    return facts;
  }
  const Json* stmts = tree.Get("stmts");
  if (stmts == nullptr || stmts->items.empty()) {
    facts.error = "no statement in the text";
    return facts;
  }
  facts.parsed = true;
  if (stmts->items.size() == 1) {
    const Json* stmt = stmts->items[0].Get("stmt");
    facts.is_plain_select = stmt != nullptr && Walker::PlainSelect(*stmt);
  }
  Walker walker(facts);
  for (const Json& raw : stmts->items) {
    if (const Json* stmt = raw.Get("stmt")) walker.Statement(*stmt);
  }
  PgQueryFingerprintResult fp = pg_query_fingerprint(query.c_str());
  if (fp.error == nullptr && fp.fingerprint_str != nullptr) facts.fingerprint = fp.fingerprint_str;
  pg_query_free_fingerprint_result(fp);
  return facts;
}

}  // namespace pgvigil::analysis
